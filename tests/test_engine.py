"""The compiled per-patient Rosenbrock engine against scipy's BDF, chunking, and per-patient failures."""

import numpy as np
import pytest

from adqsp.assembly import compiled
from adqsp.engine.fast import fast_model, integrate_fast
from adqsp.engine.integrate import Relaxed, Tolerances, integrate
from adqsp.engine.solve import solve
from adqsp.errors import InputError
from adqsp.pk.regimen import LABEL_DOSES, Regimen
from adqsp.population.sampling import sample
from adqsp.trial.run import ARM_RELAXED, arm_initial_states, enrolment_states

DAYS = np.array([0.0, 7.0, 28.0, 56.0, 112.0])


@pytest.fixture(scope="module")
def population():
    c = compiled("dupilumab")
    pop = sample(c.model, np.arange(12), seed=5)
    y_enrol, ok = enrolment_states(pop)
    assert ok.all()
    P = c.parameter_matrix(pop.values, len(pop))
    y0 = arm_initial_states(c, y_enrol, P)
    dose_t, dose_mg = Regimen.from_entries(LABEL_DOSES["dupilumab"]).events(DAYS[-1], pop.values["WT"])
    return c, P, y0, dose_t, dose_mg


def _easi_and_serum(c, states, P):
    obs = [c.observe(t, states[k], P) for k, t in enumerate(DAYS)]
    return np.array([o["easi"] for o in obs]), np.array([o["dupilumab_serum_mg_L"] for o in obs])


def test_compiled_engine_matches_scipy_reference(population):
    c, P, y0, dose_t, dose_mg = population
    fast = solve(c, P, y0, DAYS, dose_t, dose_mg)
    ref = integrate(c, P, y0, DAYS, dose_t, dose_mg, Tolerances(rtol=1e-9, atol=1e-9))
    assert fast.ok.all() and ref.ok.all()
    easi_fast, serum_fast = _easi_and_serum(c, fast.states, P)
    easi_ref, serum_ref = _easi_and_serum(c, ref.states, P)
    assert np.abs(easi_fast - easi_ref).max() < 0.05
    assert (np.abs(serum_fast - serum_ref)[1:] / serum_ref[1:]).max() < 1e-3


def test_later_doses_cap_the_step_carried_into_them(population):
    # a step of days carried into a dose was rejected about twice at each one; the cap avoids that
    c, P, y0, dose_t, dose_mg = population
    fast = fast_model(c)
    capped = integrate_fast(fast, P, y0, DAYS, dose_t, dose_mg)
    uncapped = integrate_fast(fast, P, y0, DAYS, dose_t, dose_mg, h_later=np.inf)
    assert capped.rejected.sum() * 5 < uncapped.rejected.sum()
    assert capped.steps.sum() + capped.rejected.sum() < uncapped.steps.sum() + uncapped.rejected.sum()


def test_results_do_not_depend_on_batch_composition(population):
    c, P, y0, dose_t, dose_mg = population
    whole = solve(c, P, y0, DAYS, dose_t, dose_mg).states
    part = solve(c, P[:, 3:7], y0[:, 3:7], DAYS, dose_t, dose_mg[:, 3:7]).states
    np.testing.assert_array_equal(whole[:, :, 3:7], part)


def test_a_failing_patient_is_reported_not_propagated(population):
    c, P, y0, dose_t, dose_mg = population
    broken = P.copy()
    broken[c.model.parameter_names.index("exposure_les"), 2] = np.nan
    tr = solve(c, broken, y0, DAYS, dose_t, dose_mg)
    assert not tr.ok[2] and tr.message[2] != "ok"
    assert tr.ok[np.arange(12) != 2].all()
    np.testing.assert_array_equal(tr.states[:, :, 5], solve(c, P, y0, DAYS, dose_t, dose_mg).states[:, :, 5])


def test_enrolment_state_is_on_the_flare_cycle_of_a_steady_disease():
    c = compiled(None)
    pop = sample(c.model, np.arange(4), seed=9)
    y, ok = enrolment_states(pop)
    assert ok.all() and np.isfinite(y).all()
    # a drug-free patient one flare period later is back near the same state (periodic orbit reached)
    P = c.parameter_matrix(pop.values, 4)
    P_free = P.copy()
    P_free[c.model.parameter_names.index("trial_effect")] = 0.0
    period = pop.values.get("flare_period", np.full(4, c.model.parameter("flare_period").value))
    for i in range(4):
        tr = solve(c, P_free[:, [i]], y[:, [i]], np.array([0.0, period[i]]))
        np.testing.assert_allclose(tr.states[-1][:, 0], y[:, i], rtol=0.02, atol=1e-3)


@pytest.mark.parametrize("method", ["rosenbrock", "scipy-bdf"])
def test_a_switch_at_a_stop_acts_only_after_it(method):
    # the trial effect starts at day 0: a run ending at day 0 must not see it, one starting there must
    c = compiled(None)
    pop = sample(c.model, np.arange(3), seed=2)
    P = c.parameter_matrix(pop.values, 3)
    without = P.copy()
    without[c.model.parameter_names.index("trial_effect")] = 0.0
    y0, _ = enrolment_states(pop)
    before = [solve(c, p, y0, np.array([-7.0, 0.0]), method=method).states[-1] for p in (P, without)]
    np.testing.assert_array_equal(before[0], before[1])
    after = [solve(c, p, y0, np.array([0.0, 7.0]), method=method).states[-1] for p in (P, without)]
    assert np.abs(after[0] - after[1]).max() > 1e-3 * np.abs(after[1]).max()


def test_relaxed_tolerances_apply_far_before_the_next_output():
    times = np.array([0.0, 7.0, 112.0, 140.0, 364.0])
    relaxed = Relaxed(84.0, 10.0)
    switches = relaxed.switches(times)
    np.testing.assert_array_equal(switches, [28.0, 280.0])  # outputs closer together than 84 days: none between
    stops = np.array([0.0, 7.0, 14.0, 28.0, 42.0, 112.0, 140.0, 154.0, 280.0, 294.0, 364.0])
    factors = relaxed.factors(stops, times)  # per stop, for the segment that ends there
    np.testing.assert_array_equal(factors, [1, 1, 10, 10, 1, 1, 1, 10, 10, 1, 1])
    assert (Relaxed(84.0, 10.0).switches(DAYS)).size == 0


@pytest.mark.parametrize("method", ["rosenbrock", "scipy-bdf"])
def test_relaxed_far_from_outputs_keeps_the_outputs_accurate(population, method):
    c, P, y0, _, _ = population
    days = np.array([0.0, 112.0, 364.0])
    dose_t, dose_mg = Regimen.from_entries(LABEL_DOSES["dupilumab"]).events(
        days[-1], P[c.model.parameter_names.index("WT")]
    )
    # the arms' setting; BDF's error control is looser at an equal tolerance
    relaxed = ARM_RELAXED if method == "rosenbrock" else Relaxed(ARM_RELAXED.days, 100.0)  # 1e-4 for BDF
    run = solve(c, P, y0, days, dose_t, dose_mg, method=method, relaxed=relaxed)
    ref = integrate_fast(fast_model(c), P, y0, days, dose_t, dose_mg, Tolerances(1e-9, 1e-9))
    assert run.ok.all() and run.message == ("ok",) * P.shape[1]
    np.testing.assert_array_equal(run.states[0], y0)
    for k, t in enumerate(days[1:], 1):
        got, want = c.observe(t, run.states[k], P), c.observe(t, ref.states[k], P)
        assert np.abs(got["easi"] - want["easi"]).max() < 0.01
        assert (np.abs(got["dupilumab_serum_mg_L"] / want["dupilumab_serum_mg_L"] - 1)).max() < 1e-3
    if method == "rosenbrock":  # fewer steps than at the full tolerance throughout
        uniform = solve(c, P, y0, days, dose_t, dose_mg)
        assert (run.steps + run.rejected).sum() < 0.9 * (uniform.steps + uniform.rejected).sum()


def test_relaxed_reports_a_failing_patient(population):
    c, P, y0, dose_t, dose_mg = population
    broken = P.copy()
    broken[c.model.parameter_names.index("exposure_les"), 2] = np.nan
    days = np.array([0.0, 112.0])
    tr = solve(c, broken, y0, days, dose_t, dose_mg, relaxed=Relaxed(84.0, 10.0))
    assert tr.ok.tolist() == [i != 2 for i in range(12)] and tr.message[2] != "ok"


def test_relaxed_without_a_long_gap_is_bitwise_the_plain_run(population):
    c, P, y0, dose_t, dose_mg = population
    plain = solve(c, P, y0, DAYS, dose_t, dose_mg)
    relaxed = solve(c, P, y0, DAYS, dose_t, dose_mg, relaxed=Relaxed(84.0, 10.0))
    np.testing.assert_array_equal(plain.states, relaxed.states)


@pytest.mark.parametrize("method", ["rosenbrock", "scipy-bdf"])
def test_arrays_of_the_wrong_shape_or_order_are_named_not_integrated(population, method):
    """The compiled engine reads memory by these shapes: a mismatch must stop before it (it had crashed the process,
    or returned results read from outside the parameter array as if they were fine)."""
    c, P, y0, dose_t, dose_mg = population
    drug_free_states = y0[: len(compiled(None).model.states)]  # enrolment states not yet placed in the arm model
    cases = [
        ("y0", (P, drug_free_states, DAYS, dose_t, dose_mg)),
        ("P", (P[:-5], y0, DAYS, dose_t, dose_mg)),
        ("times", (P, y0, DAYS[[0, 2, 1, 3]], dose_t, dose_mg)),
        ("dose_times", (P, y0, DAYS, dose_t[::-1], dose_mg)),
        ("dose_amounts", (P, y0, DAYS, dose_t, dose_mg[:, 0])),
        ("dose_amounts", (P, y0, DAYS, dose_t, None)),
    ]
    for field, args in cases:
        with pytest.raises(InputError) as info:
            solve(c, *args, method=method)
        assert info.value.field == field
