"""Blood eosinophils under dupilumab against their calibration target: a transient rise of the mean, back to
baseline by week 24 (adqsp.trial.eosinophils fits eos_il5_gain and il5_other to it)."""

import numpy as np
import pytest

from adqsp.assembly import build_model
from adqsp.trial.eosinophils import (
    BASELINE_CELLS,
    KEYS,
    TARGET_TEXT,
    WEEK4_CELLS,
    course,
    fit,
    residuals,
    scenario,
)
from adqsp.trial.targets import calibration_targets


def _shipped() -> dict[str, float]:
    return {p.name: p.value for p in build_model("dupilumab").parameters if p.name in KEYS}


def test_the_fit_reads_the_shipped_calibration_target():
    (row,) = (r for r in calibration_targets() if r["endpoint"] == "blood_eosinophils")
    assert TARGET_TEXT in row["value"] and row["arm"] == "dupilumab"
    assert 434.0 < BASELINE_CELLS < 600.0 and 410.0 < WEEK4_CELLS < 710.0


@pytest.fixture(scope="module")
def shipped_course() -> dict[str, float]:
    return course(_shipped(), scenario(patients=400, seed=11))


def test_eosinophils_rise_for_weeks_and_return_to_baseline_by_week_24(shipped_course):
    c = shipped_course
    assert 434.0 <= c["baseline_mean"] <= 600.0
    assert 410.0 <= c["week4_mean"] <= 710.0
    assert c["week1_mean"] > 1.1 * c["baseline_mean"] and c["week4_mean"] > c["baseline_mean"]  # the transient rise
    assert c["week1_mean"] > c["week4_mean"] > c["week16_mean"]  # and its decline
    assert abs(c["week24_median_pct_change"]) < 5.0
    assert np.all(np.abs(residuals(c)) < 0.5)  # on patients the fit did not see


def test_without_the_il5_the_skin_does_not_set_eosinophils_fall_under_dupilumab():
    """The target needs il5_other: with IL-5 from the skin's type 2 cells alone the count falls by half."""
    c = course({**_shipped(), "il5_other": 0.0}, scenario(patients=200, seed=11))
    assert c["week24_median_pct_change"] < -25.0


@pytest.mark.slow
def test_the_fit_reproduces_the_shipped_values():
    result = fit()
    for key, value in _shipped().items():
        low, high = result["interval_95"][key]
        assert low < value < high and result["values"][key] == pytest.approx(value, rel=0.02)
