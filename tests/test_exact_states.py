"""The closed linear part the engine integrates exactly: which states, its matrix, and its solution; and the
states it feeds, integrated less the amount fed."""

import dataclasses

import numpy as np
import pytest
from scipy.linalg import expm

from adqsp.assembly import build_model, compiled
from adqsp.engine import kernels
from adqsp.engine.cache import load as _load
from adqsp.engine.fast import DEFAULT_TOLERANCES, fast_model, integrate_fast
from adqsp.engine.generate import generated_source
from adqsp.engine.integrate import Tolerances
from adqsp.engine.linear import exact_states, fed_states
from adqsp.engine.solve import solve
from adqsp.model.codegen import compile_model
from adqsp.model.declaration import Assignment, Model, Parameter, State
from adqsp.pk.regimen import Regimen
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


def test_the_exact_part_is_among_the_leading_states():
    toy = _toy()
    later = dataclasses.replace(toy, states=(toy.states[2], *toy.states[:2], *toy.states[3:])).check()  # b first
    assert exact_states(later) == ()  # a and e follow a state the method integrates: integrated as the others
    chain = dataclasses.replace(toy, states=(toy.states[0], toy.states[2], *toy.states[1:2], *toy.states[3:])).check()
    assert exact_states(chain) == ("a",)  # e after b: left to the method; a alone is still a closed part


@pytest.mark.parametrize("model", [_toy(), build_model("dupilumab")], ids=["toy", "dupilumab"])
def test_the_matrix_is_the_jacobian_block_and_the_rates_at_zero(model):
    module = _load(generated_source(model))
    c = compiled("dupilumab") if model.name != "toy" else None
    p = c.parameter_matrix({}, 1)[:, 0] if c else np.array([prm.value for prm in model.parameters])
    exact = [model.state_names.index(s) for s in exact_states(model)]
    m = len(exact)
    M = np.zeros((m + 1, m + 1))
    module.lin(p, M)  # the generated source, run by Python
    n = len(model.states)
    y = np.linspace(0.5, 2.0, n)
    f, J, ft = np.empty(n), np.zeros((n, n)), np.empty(n)
    fast_model(c or compile_model(model)).jac(0.3, y, p, f, J, ft)  # its machine code
    np.testing.assert_allclose(M[:m, :m], J[np.ix_(exact, exact)], rtol=1e-14)
    np.testing.assert_allclose(M[:m, :m] @ y[exact] + M[:m, m], f[exact], rtol=1e-13)
    assert not M[m].any()


@pytest.mark.parametrize("lower", [False, True], ids=["general", "lower-triangular"])
def test_matrix_exponential_is_accurate_for_stiff_matrices_and_long_intervals(lower):
    expm_small = _load(kernels.source())._expm
    rng = np.random.default_rng(0)
    for scale in (1e-3, 1.0, 40.0, 1e3):
        M = rng.normal(size=(5, 5)) - 3 * np.eye(5)
        M[4] = 0.0
        if lower:  # an absorption chain's matrix: the solver uses the triangular products
            M = np.tril(M)
        E, X, T = np.empty((5, 5)), np.empty((4, 5, 5)), np.empty((5, 5))
        expm_small(M, scale, E, X, T, lower)
        ref = expm(M * scale)
        np.testing.assert_allclose(E, ref, rtol=1e-10, atol=1e-12 * np.abs(ref).max())


def test_steps_on_the_grid_have_a_table_slot_and_others_none():
    # the solver keeps the chain's exponential per grid step; a step off the grid must never share a slot
    module = _load(kernels.source())
    steps = np.geomspace(1e-3, 1e3, 2000)
    grid = [module._on_grid(h) for h in steps]
    half = 2.0 ** (0.5 / module.STEP_GRID)  # half a grid spacing, as a factor
    assert all(g / half <= h < g * half for g, h in zip(grid, steps, strict=True))
    slots = {g: module._grid_slot(g) for g in grid}
    assert min(slots.values()) >= 0 and len(set(slots.values())) == len(slots) == 8 * 20 + 1  # 2^-10 .. 2^10
    for h in (0.3, 0.03, 1.0 + 1e-12, 0.0, np.inf, np.nan, 2.0**20, 2.0**-20):
        assert module._grid_slot(h) == -1


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


def _fed_toy(accumulating: bool) -> Model:
    p = [Parameter(n, v, "1/day", "test") for n, v in (("k", 8.0), ("k2", 0.5), ("q", 1.5))]
    rates = {
        "a": "-k * a",
        "s": "k * a" if accumulating else "k * a - k2 * s",  # accumulating: the part's matrix is singular
        "r": "q * s - r * r",  # fed linearly by the part: split
        "z": "0.1 * s * z - z",  # the input's coefficient depends on a state: not split
        "w": "where(s > 1.0, 1.0, 0.0) - w",  # a switch on the part: not split
    }
    states = tuple(State(s, v, "mg") for s, v in zip(rates, (5.0, 0.0, 1.0, 1.0, 0.0), strict=True))
    return Model("fedtoy", tuple(p), states, (), rates).check()


def test_states_fed_linearly_by_the_exact_part_are_found():
    assert fed_states(_fed_toy(False), exact_states(_fed_toy(False))) == ("r",)
    dupilumab = build_model("dupilumab")
    assert fed_states(dupilumab, exact_states(dupilumab)) == ("central",)
    assert fed_states(build_model("tralokinumab"), exact_states(build_model("tralokinumab"))) == ()


@pytest.mark.parametrize("accumulating", [False, True], ids=["invertible", "singular"])
def test_a_fed_state_is_integrated_accurately_and_a_singular_part_falls_back(accumulating):
    c = compile_model(_fed_toy(accumulating))
    P = c.parameter_matrix({}, 1)
    times = np.array([0.0, 0.02, 0.1, 0.3, 1.0, 3.0])
    ref = solve(c, P, c.initial(P), times, tol=Tolerances(1e-10, 1e-10), method="scipy-bdf").states
    fast = fast_model(c)
    split = integrate_fast(fast, P, c.initial(P), times).states
    unsplit = integrate_fast(
        dataclasses.replace(fast, native=dataclasses.replace(fast.native, fed=np.zeros(0, dtype=np.int64))),
        P,
        c.initial(P),
        times,
    )
    smooth = slice(0, 4)  # w's rate jumps where s crosses 1: no method without event location follows it closely
    np.testing.assert_allclose(split[:, smooth], ref[:, smooth], rtol=2e-3, atol=1e-5)
    if accumulating:  # no closed form for the amount fed: the state is integrated as any other
        np.testing.assert_array_equal(split, unsplit.states)
    else:
        assert not np.array_equal(split, unsplit.states)


@pytest.mark.parametrize(("first_week", "empty_band"), [(0, False), (4, False), (4, True)])
def test_serum_follows_the_reference_in_the_days_after_each_dose(first_week, empty_band):
    # the absorption pulse reaches the central compartment within hours of a dose; integrated as u = central - X
    # the method does not have to resolve it. A first dose after a drug-free month starts from the step the
    # drug-free dynamics allowed: the solver restarts with its first step there, also when a weight band no
    # patient is in puts a dose event of 0 mg before it
    c = compiled("dupilumab")
    pop = sample(c.model, np.arange(8), seed=11)
    P = c.parameter_matrix(pop.values, 8)
    after = np.array([0.0, 0.05, 0.25, 0.5, 1.0, 2.0, 5.0, 14.0, 14.05, 14.25, 14.5, 15.0, 16.0, 21.0, 28.0])
    days = np.concatenate([[0.0], 7 * first_week + after]) if first_week else after
    entries = [{"mg": 600, "week": first_week}, {"mg": 300, "every_weeks": 2, "from_week": first_week + 2}]
    if empty_band:
        entries.insert(0, {"mg": 600, "week": 0, "weight_at_least_kg": 400})
    dose_t, dose_mg = Regimen.from_entries(entries).events(days[-1], pop.values["WT"])
    fast = solve(c, P, c.initial(P), days, dose_t, dose_mg)
    ref = solve(c, P, c.initial(P), days, dose_t, dose_mg, Tolerances(1e-10, 1e-10), method="scipy-bdf")
    central = c.model.state_names.index("central")
    # an hour after the first dose there is 0.5 mg: within the absolute tolerance (0.05 mg); then within 0.1%
    # (integrating the central compartment itself: 0.2% off 6 hours after the first dose)
    atol = DEFAULT_TOLERANCES.absolute(c)[central]
    first = np.searchsorted(days, 7 * first_week) + 1
    np.testing.assert_allclose(fast.states[first, central], ref.states[first, central], rtol=0.0, atol=atol)
    np.testing.assert_allclose(fast.states[first + 1 :, central], ref.states[first + 1 :, central], rtol=1e-3)
