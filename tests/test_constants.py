"""The parameter-only part of the rates, hoisted out of the compiled right-hand side."""

import numpy as np

from adqsp.engine.compiled import _load, generated_source
from adqsp.engine.constants import split_constants, varying_names
from adqsp.model.build import compiled
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
    assert [(c.name, c.expression) for c in constants] == [("kq", "k * q"), ("_k0", "q ** n"), ("_k1", "-kq")]
    assert [a.name for a in split.assignments] == ["drive"]
    assert split.assignments[0].expression == "kq * a ** n / (_k0 + a ** n)"
    assert split.rates == {"a": "_k1 * a + exp(-t)", "b": "drive - k * b"}  # products with a state stay
    assert model.assignments[1].expression == "kq * a ** n / (q ** n + a ** n)"  # the model is unchanged


def test_compiled_rates_with_hoisted_constants_equal_the_declared_ones():
    c = compiled("dupilumab")
    module = _load(generated_source(c.model))
    P = c.parameter_matrix({}, 1)
    y = c.initial(P)[:, 0] * 1.3 + 0.2
    n = len(y)
    f, J, ft = np.empty(n), np.zeros((n, n)), np.empty(n)
    module.jacobian(5.0, y, P[:, 0], f, J, ft)
    np.testing.assert_allclose(f, c.rhs(5.0, y[:, None], P)[:, 0], rtol=1e-12, atol=1e-300)
