"""The closed linear part the engine integrates exactly: which states, its matrix, and its solution."""

import numpy as np
import pytest
from scipy.linalg import expm

from adqsp.engine.compiled import _load, generated_source
from adqsp.engine.linear import exact_states
from adqsp.engine.solve import solve
from adqsp.model.build import build_model, compiled
from adqsp.model.declaration import Assignment, Model, Parameter, State
from adqsp.population.sampling import sample


def _toy() -> Model:
    p = [Parameter(n, v, "1/day", "test") for n, v in (("k", 2.0), ("k0", 3.0), ("q", 1.5))]
    rates = {
        "a": "-k * a",
        "e": "k0 + k * a - kq * e",  # constant input and linear transfer: exact
        "b": "k * a - b * b",  # nonlinear
        "c": "k * b - c",  # linear, but fed by a state outside the part
        "d": "-exp(-t) * d",  # time-varying coefficient
        "g": "-k * g * dummy",  # coefficient through a state-dependent assignment
        "h": "-k * h + where(h > 1.0, 5.0, 0.0)",  # a switch on the state: its derivative cannot see it
    }
    states = tuple(State(s, 1.0, "mg") for s in rates)
    assignments = (Assignment("kq", "k * q", "1/day"), Assignment("dummy", "1.0 + 0.0 * b", "1"))
    return Model("toy", tuple(p), states, assignments, rates).check()


def test_only_a_closed_linear_time_invariant_part_is_exact():
    assert exact_states(_toy()) == ("a", "e")
    assert exact_states(build_model("dupilumab")) == ("sc_depot", "sc_transit1", "sc_transit2", "sc_transit3")
    assert exact_states(build_model("tralokinumab")) == ("sc_depot", "central", "peripheral")
    assert exact_states(build_model(None)) == ()


@pytest.mark.parametrize("model", [_toy(), build_model("dupilumab")], ids=["toy", "dupilumab"])
def test_the_matrix_is_the_jacobian_block_and_the_rates_at_zero(model):
    module = _load(generated_source(model))
    c = compiled("dupilumab") if model.name != "toy" else None
    p = c.parameter_matrix({}, 1)[:, 0] if c else np.array([prm.value for prm in model.parameters])
    exact = [model.state_names.index(s) for s in exact_states(model)]
    m = len(exact)
    M = np.zeros((m + 1, m + 1))
    module.lin(p, M)
    n = len(model.states)
    y = np.linspace(0.5, 2.0, n)
    f, J, ft = np.empty(n), np.zeros((n, n)), np.empty(n)
    module.jacobian(0.3, y, p, f, J, ft)
    np.testing.assert_allclose(M[:m, :m], J[np.ix_(exact, exact)], rtol=1e-14)
    np.testing.assert_allclose(M[:m, :m] @ y[exact] + M[:m, m], f[exact], rtol=1e-13)
    assert not M[m].any()


@pytest.mark.parametrize("lower", [False, True], ids=["general", "lower-triangular"])
def test_matrix_exponential_is_accurate_for_stiff_matrices_and_long_intervals(lower):
    expm_small = _load(generated_source(_toy()))._expm
    rng = np.random.default_rng(0)
    for scale in (1e-3, 1.0, 40.0, 1e3):
        M = rng.normal(size=(5, 5)) - 3 * np.eye(5)
        M[4] = 0.0
        if lower:  # an absorption chain's matrix: the solver uses the triangular products
            M = np.tril(M)
        E, X, T = np.empty((5, 5)), np.empty((5, 5)), np.empty((5, 5))
        expm_small(M, scale, E, X, T, lower)
        ref = expm(M * scale)
        np.testing.assert_allclose(E, ref, rtol=1e-10, atol=1e-12 * np.abs(ref).max())


def test_the_absorption_chain_follows_its_closed_form_whatever_the_steps():
    c = compiled("dupilumab")
    pop = sample(c.model, np.arange(3), seed=2)
    P = c.parameter_matrix(pop.values, 3)
    times = np.array([0.0, 0.02, 0.1, 0.5, 3.0, 20.0])
    tr = solve(c, P, c.initial(P), times, np.array([0.0]), np.full((1, 3), 600.0))
    assert tr.ok.all()
    k = 4.0 / P[c.model.parameter_names.index("pk_MTT")]
    dose = 600.0 * P[c.model.parameter_names.index("pk_F")]
    tau = times[1:, None]
    depot = tr.states[1:, c.model.state_names.index("sc_depot")]
    transit2 = tr.states[1:, c.model.state_names.index("sc_transit2")]
    np.testing.assert_allclose(depot, dose * np.exp(-k * tau), rtol=1e-11, atol=1e-300)
    np.testing.assert_allclose(transit2, dose * (k * tau) ** 2 / 2 * np.exp(-k * tau), rtol=1e-10, atol=1e-300)
