"""The placebo arm's response and the trial's design: entry threshold, topical co-therapy and duration, in the
directions the meta-analyses of placebo arms in systemic AD trials report.

Lee HH et al. J Am Acad Dermatol 2020;82:62 (64 trials): concomitant topical therapy and a study duration of 3
months or more go with a larger placebo response, and so does a mild-to-moderate mean baseline EASI. Silverberg JI,
Ho S, Collazo R. Dermatol Ther (Heidelb) 2023;13:3019 (placebo arms of monotherapy trials, all with EASI >= 16 at
entry): the lower the baseline EASI, the larger the week-16 % reduction of EASI and the less rescue medication.
Regression to the mean from the flare cycle pulls the other way (a higher threshold enrols more patients near a
flare's peak); in the model the fall of the participation effect with severity is the larger of the two, which gives
the direction those trials show (they do not separate the two).
"""

from dataclasses import replace

import pytest

from adqsp.trial.job import run_trial
from adqsp.trial.scenario import load_scenario

SOLO1 = load_scenario()
PLACEBO = replace(SOLO1, arms=SOLO1.arms[:1], patients_per_arm=400, seed=7)


@pytest.fixture(scope="module")
def by_threshold() -> dict[float, dict]:
    """The placebo arm's summary entry at EASI entry thresholds 12 and 32 (the same candidates screened)."""
    out = {}
    for easi_min in (12.0, 32.0):
        scenario = replace(PLACEBO, inclusion=replace(SOLO1.inclusion, easi_min=easi_min))
        out[easi_min] = run_trial(scenario).summary["arms"][0]
    return out


def test_a_higher_threshold_enrols_patients_with_a_higher_baseline_easi(by_threshold):
    low, high = by_threshold[12.0], by_threshold[32.0]
    assert high["baseline"]["EASI_mean"] > low["baseline"]["EASI_mean"] + 4.0


def test_a_higher_threshold_gives_a_smaller_placebo_improvement_and_more_rescue(by_threshold):
    """Silverberg 2023, Lee 2020: more severe at entry, a smaller % improvement on placebo and more rescue."""
    low, high = by_threshold[12.0]["visits"]["16"], by_threshold[32.0]["visits"]["16"]
    assert high["EASI_pct_change"] > low["EASI_pct_change"] + 3.0
    assert high["rescued_fraction"] > low["rescued_fraction"]
    assert high["EASI75"] < low["EASI75"]  # less improvement and more rescue, both count against a responder


def test_the_placebo_improvement_grows_over_the_trial(by_threshold):
    """Lee 2020: trials of 3 months or more have the larger placebo response (enrolment's skin care takes weeks)."""
    visits = by_threshold[12.0]["visits"]
    changes = [visits[w]["EASI_pct_change"] for w in ("2", "4", "8", "16")]
    assert changes == sorted(changes, reverse=True) and changes[-1] < changes[0] - 10.0


def test_topical_co_therapy_raises_the_placebo_response():
    """Lee 2020: concomitant topical therapy goes with a larger placebo response."""
    arms = {a.name: a for a in load_scenario("comparators").arms}
    scenario = replace(PLACEBO, arms=(arms["placebo"], arms["placebo + TCS"]), patients_per_arm=200)
    alone, with_tcs = (a["visits"]["16"] for a in run_trial(scenario).summary["arms"])
    assert with_tcs["EASI_pct_change"] < alone["EASI_pct_change"] - 10.0
    assert with_tcs["EASI75"] > alone["EASI75"] + 0.1
