"""Symbolic derivatives of the expression language and the generated exact Jacobian of the compiled engine."""

import math

import numpy as np
import pytest

from adqsp.assembly import compiled
from adqsp.engine.fast import fast_model
from adqsp.engine.solve import solve
from adqsp.model.derivatives import derivative
from adqsp.model.expressions import parse, to_numpy
from adqsp.pk.regimen import LABEL_DOSES, Regimen
from adqsp.population.sampling import sample
from adqsp.trial.run import arm_initial_states, enrolment_states

#: one expression per construct; x is the variable, a and b are held fixed
CONSTRUCTS = [
    "3.0 * x + a - x - 2.0",
    "-x * a",
    "x * x * b",
    "a / (x + b)",
    "x / a",
    "x ** 2",
    "x ** 3.5",
    "x ** b",
    "a ** x",
    "2.0 ** x",
    "x ** x",
    "(a + x) ** (b * x)",
    "exp(a * x)",
    "log(x * b)",
    "sqrt(x + a)",
    "sin(a * x + b)",
    "cos(x / a)",
    "tanh(x - b)",
    "min(x, a)",
    "max(a, x * b)",
    "max(x, 0.0) ** a / (max(x, 0.0) ** a + b ** a)",
    "where(x > a, x * x, exp(x))",
    "where(a > b, x, 2.0)",
    "1.0 / (1.0 + (a / max(x * b, 1e-30)) ** b)",
]


def _evaluate(expression, x, a, b):
    return eval(to_numpy(expression), {"_np": np, "x": x, "a": a, "b": b})  # noqa: S307


@pytest.mark.parametrize("expression", CONSTRUCTS)
def test_symbolic_derivative_matches_central_difference(expression):
    rng = np.random.default_rng(7)
    x, a, b = rng.uniform(0.2, 3.0, 200), rng.uniform(0.2, 3.0, 200), rng.uniform(0.2, 3.0, 200)
    away = (np.abs(x - a) > 1e-3) & (np.abs(x * b - a) > 1e-3)  # not at a kink of min, max or where
    x, a, b = x[away], a[away], b[away]
    h = 1e-6 * np.maximum(np.abs(x), 1.0)
    fd = (_evaluate(expression, x + h, a, b) - _evaluate(expression, x - h, a, b)) / (2 * h)
    exact = np.broadcast_to(_evaluate(derivative(expression, "x"), x, a, b), x.shape)
    np.testing.assert_allclose(exact, fd, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("expression", CONSTRUCTS)
def test_derivative_is_an_expression_of_the_language(expression):
    parse(derivative(expression, "x"))
    parse(derivative(expression, "a"))


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("a * b + exp(a)", "0.0"),
        ("x * a * b", "a * b"),
        ("x ** 1.0", "1.0"),
        ("x ** 2", "2 * x"),
        ("a - x", "-1.0"),
        ("where(x > 0.0, 1.0, 2.0)", "0.0"),
        ("max(x, 0.0)", "where(x >= 0.0, 1.0, 0.0)"),
        ("min(a, x)", "where(a <= x, 0.0, 1.0)"),
    ],
)
def test_derivatives_are_simplified(expression, expected):
    assert derivative(expression, "x") == expected


def test_power_rule_is_finite_at_zero_and_ties_take_the_first_argument():
    at_zero = {"x": 0.0, "a": 1.0, "math": math}
    assert eval(to_numpy(derivative("x ** 2 + x ** 1.0", "x")), {"_np": np, **at_zero}) == 1.0  # noqa: S307
    tie = {"_np": np, "x": 1.0, "a": 1.0}
    assert eval(to_numpy(derivative("max(x, a)", "x")), tie) == 1.0  # noqa: S307
    assert eval(to_numpy(derivative("min(a, x)", "x")), tie) == 0.0  # noqa: S307


def test_value_name_replaces_the_expression_in_its_own_derivative():
    assert derivative("exp(a * x)", "x", value="e") == "e * a"
    assert derivative("1.0 / (1.0 + x)", "x", value="q") == "-(q / (1.0 + x))"


def _states(drug):
    """Realistic states of a few patients: at enrolment (placebo) or during treatment (drug arms)."""
    c = compiled(drug)
    pop = sample(c.model, np.arange(4), seed=3)
    y_enrol, ok = enrolment_states(pop)
    assert ok.all()
    P = c.parameter_matrix(pop.values, len(pop))
    if drug is None:
        return c, P, [(0.5, y_enrol), (40.0, y_enrol)]
    times = np.array([0.0, 3.0, 30.0, 150.0])
    dose_t, dose_mg = Regimen.from_entries(LABEL_DOSES[drug]).events(times[-1], pop.values["WT"])
    tr = solve(c, P, arm_initial_states(c, y_enrol, P), times, dose_t, dose_mg)
    assert tr.ok.all()
    return c, P, [(t, tr.states[k]) for k, t in enumerate(times) if k > 0]


def _finite_difference(c, t, y, p):
    """Central differences of the numpy right-hand side in every state and in time (all columns batched)."""
    n = len(y)
    h = 1e-6 * np.maximum(np.abs(y), 1e-3)
    plus, minus = y[:, None] + np.diag(h), y[:, None] - np.diag(h)
    P = np.repeat(p[:, None], n, axis=1)
    J = (c.rhs(t, plus, P) - c.rhs(t, minus, P)) / (2 * h)
    dt = 1e-5 * max(abs(t), 1.0)
    ft = (c.rhs(t + dt, y[:, None], p[:, None]) - c.rhs(t - dt, y[:, None], p[:, None]))[:, 0] / (2 * dt)
    return J, ft


@pytest.mark.parametrize("drug", ["dupilumab", None, "tralokinumab"])
def test_generated_jacobian_matches_finite_differences_of_the_model(drug):
    c, P, cases = _states(drug)
    jac = fast_model(c).jac
    n = len(c.model.states)
    for t, Y in cases:
        for i in range(Y.shape[1]):
            y, p = Y[:, i].copy(), P[:, i].copy()
            f, J, ft = np.full(n, np.nan), np.zeros((n, n)), np.full(n, np.nan)
            jac(t, y, p, f, J, ft)
            # two code paths agree to rounding: relative to the rate's terms (sum_j |J_ij y_j|), not to the rate, which
            # may be a small difference of large terms (serum TARC: production minus decay)
            terms = np.abs(J) @ np.abs(y)
            np.testing.assert_array_less(np.abs(f - c.rhs(t, y[:, None], p[:, None])[:, 0]), 1e-12 * terms + 1e-300)
            J_fd, ft_fd = _finite_difference(c, t, y, p)
            error = np.abs(J - J_fd) / (np.abs(J_fd).max(axis=1, keepdims=True) + 1e-12)  # relative to its row
            r, j = np.unravel_index(error.argmax(), error.shape)
            assert error[r, j] < 1e-5, (c.model.state_names[r], c.model.state_names[j], t, J[r, j], J_fd[r, j])
            np.testing.assert_allclose(ft, ft_fd, rtol=1e-5, atol=1e-6 * np.abs(ft_fd).max() + 1e-12)
