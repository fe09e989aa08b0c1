"""Estimands: how a patient counts after rescue or dropout, on hand-made arrays and in a trial."""

from dataclasses import replace

import numpy as np
import pytest

from adqsp.assembly import compiled
from adqsp.conduct.rescue import rescued
from adqsp.errors import InputError
from adqsp.population.sampling import rescue_draws
from adqsp.schema import ESTIMANDS
from adqsp.trial.estimand import carried_forward, under_estimand
from adqsp.trial.job import run_trial
from adqsp.trial.scenario import load_scenario, parse_scenario
from adqsp.trial.summary import RESPONDER_KEYS, VISIT_KEYS, per_patient

nan = np.nan
F, T = False, True
# four visits (rows) of five patients (columns), a change from baseline and a responder flag (change <= -25):
# patient 0 stays to the end; patient 1 is rescued after visit 1; patient 2 drops out after the baseline visit;
# patient 3 drops out after visit 2; patient 4 is rescued after visit 2 and is not in the responder endpoint's
# population (NaN, as NRS4 for a baseline NRS below 4)
CHANGE = np.array([[0, 0, 0, 0, 0], [-10, -30, -30, -40, -5], [-20, -10, -60, -60, -10], [-30, -40, -90, -70, -15]])
FLAG = np.array([[0, 0, 0, 0, nan], [0, 1, 1, 1, nan], [0, 0, 1, 1, nan], [1, 1, 1, 1, nan]])
RESCUED = np.array([[F, F, F, F, F], [F, F, F, F, F], [F, T, F, F, F], [F, T, F, F, T]])
DROPPED = np.array([[F, F, F, F, F], [F, F, T, F, F], [F, F, T, F, F], [F, F, T, T, F]])


def _hand_made(estimand: str) -> dict[str, np.ndarray]:
    derived = {"change": CHANGE.astype(float), "flag": FLAG}
    return under_estimand(derived, ("flag",), RESCUED, DROPPED, estimand)


def test_rescue_nonresponder_imputes_non_response_and_keeps_continuous_values_without_rescue():
    out = _hand_made("rescue-nonresponder")
    flags = [[0, 0, 0, 0, nan], [0, 1, 0, 1, nan], [0, 0, 0, 1, nan], [1, 0, 0, 0, nan]]
    np.testing.assert_array_equal(out["flag"], flags)
    # rescued patients 1 and 4: their values without rescue; dropped patients 2 and 3: their last observed value
    change = [[0, 0, 0, 0, 0], [-10, -30, 0, -40, -5], [-20, -10, 0, -60, -10], [-30, -40, 0, -60, -15]]
    np.testing.assert_array_equal(out["change"], change)
    assert np.nanmean(out["flag"][3]) == 1 / 4  # every patient in the endpoint's population counts


def test_locf_carries_the_last_observation_before_rescue_or_dropout_for_rates_and_means():
    out = _hand_made("locf")
    flags = [[0, 0, 0, 0, nan], [0, 1, 0, 1, nan], [0, 1, 0, 1, nan], [1, 1, 0, 1, nan]]
    np.testing.assert_array_equal(out["flag"], flags)
    change = [[0, 0, 0, 0, 0], [-10, -30, 0, -40, -5], [-20, -30, 0, -60, -10], [-30, -30, 0, -60, -10]]
    np.testing.assert_array_equal(out["change"], change)
    assert np.nanmean(out["flag"][3]) == 3 / 4


def test_observed_leaves_out_patients_rescued_or_gone():
    out = _hand_made("observed")
    flags = [[0, 0, 0, 0, nan], [0, 1, nan, 1, nan], [0, nan, nan, 1, nan], [1, nan, nan, nan, nan]]
    np.testing.assert_array_equal(out["flag"], flags)
    change = [[0, 0, 0, 0, 0], [-10, -30, nan, -40, -5], [-20, nan, nan, -60, -10], [-30, nan, nan, nan, nan]]
    np.testing.assert_array_equal(out["change"], change)
    assert np.nanmean(out["flag"][3]) == 1.0  # only patient 0 is still observed and not rescued


def test_carried_forward_leaves_arrays_without_events_alone():
    values = np.arange(12.0).reshape(3, 4)
    assert carried_forward(values, np.zeros((3, 4), dtype=bool)) is values


def test_an_unknown_estimand_is_an_input_error_naming_the_field():
    with pytest.raises(InputError) as info:
        _hand_made("worst-case")
    assert info.value.field == "estimand"
    data = {"name": "x", "weeks": 4, "arms": [{"name": "placebo"}]}
    for bad in ("LOCF", "", 1, ["locf"]):
        with pytest.raises(InputError) as info:
            parse_scenario({**data, "estimand": bad})
        assert info.value.field == "estimand"
    assert parse_scenario(data).estimand == "rescue-nonresponder"
    assert [parse_scenario({**data, "estimand": e}).estimand for e in ESTIMANDS] == list(ESTIMANDS)
    with pytest.raises(InputError, match="^estimand: "):  # a Python caller's scenario, before anything runs
        run_trial(replace(load_scenario(), estimand="worst-case"))


SMALL = replace(load_scenario(), patients_per_arm=200, seed=3)


@pytest.fixture(scope="module")
def default_trial():
    return run_trial(SMALL)


def test_the_default_estimand_without_dropout_gives_the_solo_statistics(default_trial):
    """The statistics as they were before estimands and dropout existed, recomputed here from the arm arrays:
    responders 0 after rescue, continuous values without rescue, nobody dropped out, rescue as its rule draws it."""
    assert default_trial.summary["estimand"] == "rescue-nonresponder"
    assert default_trial.summary["dropout_per_week"] == 0.0
    for arm, entry in zip(default_trial.arms, default_trial.summary["arms"], strict=True):
        assert not arm.dropped.any()
        model = compiled(arm.arm.drug, arm.arm.pk_model).model
        expected_rescue = rescued(
            arm.scores["EASI"],
            arm.weeks,
            rescue_draws(arm.patients.index, SMALL.seed, len(arm.weeks)),
            model.parameter("rescue_improvement_pct").value,
            model.parameter("rescue_rate").value,
        )
        np.testing.assert_array_equal(arm.rescued, expected_rescue)
        derived = per_patient(arm)
        for k, week in enumerate(arm.weeks):
            visit = entry["visits"][f"{week:g}"]
            assert visit["dropout_fraction"] == 0.0
            for key, values in derived.items():
                v = values[k][arm.ok]
                if key in RESPONDER_KEYS:
                    v = np.where(arm.rescued[k][arm.ok] & ~np.isnan(v), 0.0, v)
                v = v[np.isfinite(v)]
                assert visit[key] == (float(v.mean()) if v.size else None), (arm.arm.name, week, key)
    assert set(VISIT_KEYS) - set(derived) == {"serum_trough_mg_L", "rescued_fraction", "dropout_fraction"}


def test_observed_responder_rate_is_higher_than_under_non_responder_imputation():
    placebo = replace(SMALL, arms=SMALL.arms[:1], patients_per_arm=400, seed=8, dropout_per_week=0.02)
    summaries = {e: run_trial(replace(placebo, estimand=e)).summary["arms"][0]["visits"]["16"] for e in ESTIMANDS}
    imputed, observed, locf = (summaries[e] for e in ("rescue-nonresponder", "observed", "locf"))
    assert imputed["rescued_fraction"] > 0.2 and imputed["dropout_fraction"] > 0.1
    for key in ("EASI50", "EASI75", "IGA01"):
        assert observed[key] > imputed[key], key
        # a patient rescued had improved by less than 25%: carried forward, it is no EASI-50 responder either
        assert locf[key] >= imputed[key], key
    # the patients who stay and are not rescued improve the most
    assert observed["EASI_pct_change"] < imputed["EASI_pct_change"]
    # carried forward from before rescue, rescued non-improvers keep their small change
    assert locf["EASI_pct_change"] > imputed["EASI_pct_change"]


def test_treatment_policy_counts_rescued_patients_as_observed_and_imputes_dropout_only():
    out = _hand_made("treatment-policy")
    flags = [[0, 0, 0, 0, nan], [0, 1, 0, 1, nan], [0, 0, 0, 1, nan], [1, 1, 0, 0, nan]]
    np.testing.assert_array_equal(out["flag"], flags)
    # the values of rescued patients 1 and 4 are those of their courses on rescue therapy (the trial simulates them)
    change = [[0, 0, 0, 0, 0], [-10, -30, 0, -40, -5], [-20, -10, 0, -60, -10], [-30, -40, 0, -60, -15]]
    np.testing.assert_array_equal(out["change"], change)


def test_treatment_policy_simulates_the_rescued_on_topical_corticosteroids_from_their_rescue():
    """Same patients, same rescue decisions: under treatment-policy a rescued patient's course after its rescue is
    simulated again with rescue TCS and improves more; the course before, and every patient not rescued, are the
    same as without rescue therapy."""
    placebo = replace(SMALL, arms=SMALL.arms[:1], patients_per_arm=300, seed=11)
    hypothetical, policy = (run_trial(replace(placebo, estimand=e)).arms[0] for e in ("observed", "treatment-policy"))
    np.testing.assert_array_equal(hypothetical.rescued, policy.rescued)
    rescued = policy.rescued.any(axis=0)
    assert 30 < rescued.sum() < 200
    before = ~policy.rescued
    np.testing.assert_allclose(policy.scores["EASI"][before], hypothetical.scores["EASI"][before], rtol=1e-9)
    after = policy.rescued
    assert np.mean(policy.scores["EASI"][after]) < 0.85 * np.mean(hypothetical.scores["EASI"][after])
    # and more of the rescued reach EASI-50 at the end than would have without rescue TCS
    last = {
        k: arm.scores["EASI"][-1, rescued] / arm.scores["EASI"][0, rescued]
        for k, arm in (("hypothetical", hypothetical), ("policy", policy))
    }
    assert np.mean(last["policy"] <= 0.5) > np.mean(last["hypothetical"] <= 0.5) + 0.05


def test_treatment_policy_is_refused_in_a_multi_period_trial_and_its_rescue_day_in_a_scenario():
    data = {
        "name": "x",
        "periods": [
            {"name": "induction", "weeks": 4, "arms": [{"name": "placebo"}]},
            {
                "name": "maintenance",
                "weeks": 4,
                "arms": [{"name": "withdrawn", "ratio": 1}],
                "estimand": "treatment-policy",
            },
        ],
    }
    with pytest.raises(InputError) as info:
        parse_scenario(data)
    assert info.value.field == "periods[1].estimand"
    data["periods"][1]["rescue"] = False  # whatever the later period's rescue says
    with pytest.raises(InputError) as info:
        parse_scenario(data)
    assert info.value.field == "periods[1].estimand"
    with pytest.raises(InputError) as info:
        parse_scenario({"name": "x", "weeks": 4, "arms": [{"name": "placebo"}], "parameters": {"rescue_tcs_day": 0}})
    assert info.value.field == "parameters.rescue_tcs_day"
