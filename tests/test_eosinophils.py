"""Blood eosinophils under dupilumab against their calibration target: a transient rise of the mean, back to
baseline by week 24 (adqsp.trial.eosinophils fits eos_il5_gain and il5_other to it)."""

import re

import numpy as np
import pytest

from adqsp.assembly import build_model
from adqsp.trial.eosinophils import (
    BASELINE_CELLS,
    BASELINE_HALF,
    KEYS,
    TARGET_TEXT,
    WEEK4_CELLS,
    WEEK4_HALF,
    WEEK24_MEDIAN_PCT,
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
    assert TARGET_TEXT in row["value"] and row["arm"] == "dupilumab" and row["week"] == "4"
    low0, high0, low4, high4 = map(float, re.search(r"(\d+)-(\d+) -> (\d+)-(\d+)", row["value"]).groups())
    assert (BASELINE_CELLS, BASELINE_HALF) == ((low0 + high0) / 2, (high0 - low0) / 2)
    assert (WEEK4_CELLS, WEEK4_HALF) == ((low4 + high4) / 2, (high4 - low4) / 2)
    assert "back to baseline by week 24; median change 0%" in row["value"] and WEEK24_MEDIAN_PCT == 0.0


@pytest.fixture(scope="module")
def shipped_course() -> dict[str, float]:
    return course(_shipped(), scenario(patients=400, seed=11))


def test_eosinophils_rise_for_weeks_and_return_to_baseline_by_week_24(shipped_course):
    c = shipped_course
    assert 434.0 <= c["week0_mean"] <= 600.0
    assert 410.0 <= c["week4_mean"] <= 710.0
    assert c["week1_mean"] > 1.1 * c["week0_mean"] and c["week4_mean"] > c["week0_mean"]  # the transient rise
    assert c["week1_mean"] > c["week4_mean"] > c["week16_mean"]  # and its decline
    assert abs(c["week24_median_pct_change"]) < 5.0
    assert np.all(np.abs(residuals(c)) < 0.5)  # on patients the fit did not see


def test_without_the_il5_the_skin_does_not_set_eosinophils_fall_under_dupilumab():
    """The target needs il5_other: with IL-5 from the skin's type 2 cells alone the count falls by about 30%."""
    c = course({**_shipped(), "il5_other": 0.0}, scenario(patients=200, seed=11))
    assert c["week24_median_pct_change"] < -25.0


@pytest.mark.slow
def test_the_fit_reproduces_the_shipped_values():
    result = fit()
    for key, value in _shipped().items():
        low, high = result["interval_95"][key]
        assert low < value < high and result["values"][key] == pytest.approx(value, rel=0.02)
