"""The expression language: one text, three translations that agree."""

import math

import numpy as np
import pytest

from adqsp.engine.mathlib import PRIMITIVES, SOURCE
from adqsp.model.codegen import compile_model
from adqsp.model.declaration import Assignment, Model, Parameter, State
from adqsp.model.expressions import names_in, to_numpy, to_sbml, to_scalar

EXPRESSIONS = [
    "a * exp(-b) + sqrt(a) / (1.0 + b ** 2)",
    "where(a > b, log(a), -b)",
    "max(a - b, 0.0) + min(a, b) * tanh(b) - sin(6.283185307179586 * a)",
]


@pytest.mark.parametrize("expr", EXPRESSIONS)
def test_numpy_and_scalar_translations_agree(expr):
    a, b = np.array([0.5, 2.0, 3.0]), np.array([1.0, 1.5, 0.2])
    vector = eval(to_numpy(expr), {"_np": np, "a": a, "b": b})  # noqa: S307
    scalar = [eval(to_scalar(expr), {**_generated(), "a": x, "b": y}) for x, y in zip(a, b, strict=True)]  # noqa: S307
    np.testing.assert_allclose(vector, scalar, rtol=1e-14)


def _generated() -> dict:
    """The names the generated module defines for the scalar translation (``engine/mathlib.py``)."""
    namespace: dict = {"_m": math}
    exec(PRIMITIVES + SOURCE, namespace)  # noqa: S102 (its machine code: tests/test_native.py, tests/test_mathlib.py)
    return namespace


def test_a_parameter_power_is_the_generated_pow_and_agrees_with_the_operator():
    assert to_scalar("a ** b") == "_pow(a, b)" and to_scalar("a ** 2") == "(a ** 2.0)"
    assert to_scalar("exp(a) + sin(a) * cos(a)") == "(_exp(a) + (_sin(a) * _cos(a)))"
    pow_ = _generated()["_pow"]
    for x in (0.0, 0.3, 2.5, 1e-30):
        for n in (0.0, 1.0, 2.0, 1.7, 3.0):
            if n in (0.0, 1.0, 2.0) or x == 0.0:
                assert pow_(x, n) == x**n
            else:  # engine/mathlib.py's bound, in units in the last place
                assert abs(pow_(x, n) - x**n) <= (abs(n * math.log(x)) + 2.0) * math.ulp(x**n)


def test_sbml_translation_uses_sbml_names():
    text = to_sbml("where(t >= 1.0, a ** 2, log(b))")
    assert text.startswith("piecewise(") and "pow(a, 2.0)" in text and "time" in text and "ln(b)" in text


@pytest.mark.parametrize(
    "bad", ["a +", "__import__('os')", "a.b", "f(a)", "a if b else c", "'x'", "a < b < c", "min(a)", "lambda: 1"]
)
def test_unsafe_or_malformed_expressions_are_rejected(bad):
    with pytest.raises(ValueError):
        to_numpy(bad)


def test_names_in_ignores_functions():
    assert names_in("exp(a) + where(t > 0.0, b, c)") == {"a", "b", "c", "t"}


def _model(**changes):
    base = dict(
        name="m",
        parameters=(Parameter("k", 0.5, "1/day", "test"),),
        states=(State("x", 1.0, "AU"),),
        assignments=(Assignment("y", "k * x", "AU/day"),),
        rates={"x": "-y"},
    )
    base.update(changes)
    return Model(**base)


def test_a_declared_model_compiles_to_a_batched_rhs():
    c = compile_model(_model())
    P = c.parameter_matrix({"k": np.array([0.5, 1.0])}, 2)
    y = np.array([[2.0, 3.0]])
    np.testing.assert_allclose(c.rhs(0.0, y, P), [[-1.0, -3.0]])
    assert c.observe(0.0, y, P)["y"].tolist() == [1.0, 3.0]


def test_an_observer_returns_what_it_is_asked_for_computing_only_what_that_needs():
    assignments = (Assignment("y", "k * x", "AU/day"), Assignment("z", "2.0 * y", "AU/day"), Assignment("w", "x", "AU"))
    c = compile_model(_model(assignments=assignments))
    P = c.parameter_matrix({"k": np.array([0.5, 1.0])}, 2)
    y = np.array([[2.0, 3.0]])
    observe = c.observer(["z", "x", "z"])
    out = observe(0.0, y, P)
    assert list(out) == ["z", "x"]
    full = c.observe(0.0, y, P)
    for name, value in out.items():
        np.testing.assert_array_equal(value, full[name])
    assert "y" in observe.__code__.co_varnames and "w" not in observe.__code__.co_varnames
    assert c.observer(("z", "x")) is observe  # generated once per set of names
    with pytest.raises(KeyError, match="nonsense"):
        c.observer(["x", "nonsense"])


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"assignments": (Assignment("y", "k * z", "AU"),)}, "undefined"),
        ({"rates": {}}, "rate"),
        ({"assignments": (Assignment("k", "1.0", "AU"),), "rates": {"x": "-k"}}, "twice"),
    ],
)
def test_inconsistent_declarations_are_rejected(changes, message):
    with pytest.raises(ValueError, match=message):
        compile_model(_model(**changes))
