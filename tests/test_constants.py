"""The parameter-only part of the rates, hoisted out of the compiled right-hand side."""

import ast

import numpy as np

from adqsp.assembly import compiled
from adqsp.engine.constants import split_constants, varying_names
from adqsp.engine.fast import fast_model
from adqsp.engine.generate import generated_source
from adqsp.model.declaration import Assignment, Model, Parameter, State


def _toy() -> Model:
    p = tuple(Parameter(n, v, "1/day", "test") for n, v in (("k", 2.0), ("q", 1.5), ("n", 2.0)))
    states = (State("a", 1.0, "mg"), State("b", 1.0, "mg"))
    assignments = (
        Assignment("kq", "k * q", "1/day"),  # constant: computed once per patient
        Assignment("drive", "kq * a ** n / (q ** n + a ** n)", "mg/day"),  # varies, with constant parts
    )
    rates = {"a": "-kq * a + exp(-t)", "b": "drive - k * b"}
    return Model("toy", p, states, assignments, rates).check()


def test_constant_assignments_and_subexpressions_are_hoisted_and_names_stay():
    model = _toy()
    assert varying_names(model) == {"a", "b", "t", "drive"}
    split, constants = split_constants(model)
    hoisted = [(c.name, c.expression) for c in constants.assignments]
    assert hoisted == [("kq", "k * q"), ("_k0", "q ** n"), ("_k1", "-kq")]
    assert [a.name for a in split.assignments] == ["drive"]
    assert split.assignments[0].expression == "kq * a ** n / (_k0 + a ** n)"
    assert split.rates == {"a": "_k1 * a + exp(-t)", "b": "drive - k * b"}  # products with a state stay
    assert model.assignments[1].expression == "kq * a ** n / (q ** n + a ** n)"  # the model is unchanged


def test_a_division_by_a_constant_becomes_a_product_with_its_reciprocal():
    split, constants = split_constants(_toy())
    assert constants.rewrite("a / (k * q)") == "a * _k2"
    assert constants.rewrite("a / q") == "a * _k3"
    assert constants.rewrite("(a + b) / 4.0 - a / q") == "(a + b) * (1.0 / 4.0) - a * _k3"  # numbers: folded
    assert constants.rewrite("q / a") == "q / a"  # a state's reciprocal is not constant
    reciprocals = [(c.name, c.expression) for c in constants.assignments][-2:]
    assert reciprocals == [("_k2", "1.0 / (k * q)"), ("_k3", "1.0 / q")]


def test_no_partial_in_the_generated_jacobian_is_constant_per_patient():
    model = compiled("dupilumab").model
    varying = varying_names(model)
    partials = [line.split(" = ", 1)[1] for line in generated_source(model).splitlines() if line.startswith("    _g_")]
    trees = [(p, ast.parse(p, mode="eval").body) for p in partials]
    computed = [(p, t) for p, t in trees if not isinstance(t, ast.Name | ast.Constant)]
    assert len(computed) > 100
    names = [(p, {n.id for n in ast.walk(t) if isinstance(n, ast.Name)}) for p, t in computed]
    assert [p for p, n in names if n and not n & varying] == []  # (numbers only are folded by the compiler)


def test_compiled_rates_with_hoisted_constants_equal_the_declared_ones():
    c = compiled("dupilumab")
    fast = fast_model(c)
    P = c.parameter_matrix({}, 1)
    y = c.initial(P)[:, 0] * 1.3 + 0.2
    n = len(y)
    f, J, ft = np.empty(n), np.zeros((n, n)), np.empty(n)
    fast.jac(5.0, y, P[:, 0], f, J, ft)
    np.testing.assert_allclose(f, c.rhs(5.0, y[:, None], P)[:, 0], rtol=1e-12, atol=1e-300)
