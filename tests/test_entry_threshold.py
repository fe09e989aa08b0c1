"""The placebo arm and the EASI entry threshold: who is enrolled, and how the placebo response moves with it."""

from dataclasses import replace

import pytest

from adqsp.trial.job import run_trial
from adqsp.trial.scenario import load_scenario

SOLO1 = load_scenario()
PLACEBO = replace(SOLO1, arms=SOLO1.arms[:1], patients_per_arm=400, seed=7)


@pytest.fixture(scope="module")
def by_threshold() -> dict[float, dict]:
    """The placebo arm's summary entry at EASI entry thresholds 12 and 24 (the same candidates screened)."""
    out = {}
    for easi_min in (12.0, 24.0):
        scenario = replace(PLACEBO, inclusion=replace(SOLO1.inclusion, easi_min=easi_min))
        out[easi_min] = run_trial(scenario).summary["arms"][0]
    return out


def test_a_higher_threshold_enrols_patients_with_a_higher_baseline_easi(by_threshold):
    low, high = by_threshold[12.0], by_threshold[24.0]
    assert high["baseline"]["EASI_mean"] > low["baseline"]["EASI_mean"] + 4.0


@pytest.mark.xfail(
    strict=True,
    reason="the model's placebo response falls with the entry threshold: week-16 EASI % change -36.0 at easi_min 12"
    " and -31.4 at 24, EASI-75 0.16 and 0.13 (400 per arm, seed 7); the % improvement under placebo falls with"
    " baseline severity (the participation effect), and the rater noise adds no regression to the mean that"
    " outweighs it",
)
def test_a_higher_threshold_gives_a_larger_placebo_improvement(by_threshold):
    """Regression to the mean: the higher the entry threshold, the more of the patients enrolled were at a bad
    moment of a fluctuating disease (or scored high by chance), and the more they improve without a drug."""
    low, high = by_threshold[12.0]["visits"]["16"], by_threshold[24.0]["visits"]["16"]
    assert high["EASI_pct_change"] < low["EASI_pct_change"]
    assert high["EASI75"] > low["EASI75"]
