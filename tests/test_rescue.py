"""Rescue treatment: who is rescued and when, and the SOLO estimand in the trial statistics."""

from dataclasses import replace

import numpy as np
import pytest

from adqsp.conduct.rescue import rescued
from adqsp.errors import InputError
from adqsp.trial.job import run_trial
from adqsp.trial.scenario import load_scenario, parse_scenario

WEEKS = np.array([0.0, 2.0, 4.0, 8.0, 16.0])


def test_only_patients_not_improving_enough_are_rescued_and_only_after_their_assessment():
    n = 4000
    easi = np.full((5, n), 30.0)
    easi[:, : n // 2] = [[30.0], [10.0], [8.0], [5.0], [30.0]]  # improved until week 8, worse again at week 16
    draws = np.random.default_rng(1).random((5, n))
    after = rescued(easi, WEEKS, draws, improvement_pct=50.0, rate=0.1)
    assert not after[0].any() and not after[1].any()  # nobody before their first post-baseline assessment
    assert not after[:, : n // 2].any()  # the worsening at the last visit comes too late for rescue
    assert np.all(after[1:] >= after[:-1])  # once rescued, always rescued
    expected = 1.0 - np.exp(-0.1 * (WEEKS[1:] - WEEKS[1]))  # hazard from the week-2 assessment on
    np.testing.assert_allclose(after[1:, n // 2 :].mean(axis=1), expected, atol=0.02)


def test_no_rescue_when_the_rate_is_zero_or_every_patient_improved():
    easi = np.array([[30.0, 20.0], [30.0, 2.0], [31.0, 1.0]])
    draws = np.zeros((3, 2))
    assert not rescued(easi, WEEKS[:3], draws, 25.0, 0.0).any()
    assert rescued(easi, WEEKS[:3], draws, 25.0, 1.0).tolist() == [[False, False], [False, False], [True, False]]


@pytest.fixture(scope="module")
def trials():
    base = replace(load_scenario(), patients_per_arm=40, seed=5, parameters=(("rescue_rate", 0.5),))
    return run_trial(base), run_trial(replace(base, rescue=False))


def test_rescued_patients_count_as_non_responders_and_continuous_values_are_unchanged(trials):
    with_rescue, without = trials
    placebo = with_rescue.summary["arms"][0]["visits"]["16"]
    assert placebo["rescued_fraction"] > 0.2
    p = with_rescue.patients
    last = p[(p.week == 16) & (p.arm == "placebo")]
    assert last.rescued.mean() == pytest.approx(placebo["rescued_fraction"])
    observed_easi50 = (last.EASI_pct_change <= -50).mean()
    assert placebo["EASI50"] == pytest.approx(((last.EASI_pct_change <= -50) & ~last.rescued).mean())
    assert placebo["EASI50"] <= observed_easi50
    untouched = without.summary["arms"][0]["visits"]["16"]
    assert untouched["rescued_fraction"] == 0.0 and untouched["EASI50"] == pytest.approx(observed_easi50)
    assert placebo["EASI_pct_change"] == pytest.approx(untouched["EASI_pct_change"])


def test_rescue_must_be_true_or_false():
    data = {"name": "x", "weeks": 4, "arms": [{"name": "placebo"}], "rescue": 1}
    with pytest.raises(InputError, match="rescue"):
        parse_scenario(data)
    assert parse_scenario({**data, "rescue": False}).rescue is False
