"""The headline claim: the default trial (``adqsp trial`` with no scenario: SOLO 1, 1000 patients per arm, seed
20161) meets every one of the twenty week-16 endpoints with a published value within 5 points.

The twenty, as ``compare_to`` puts them in summary.json (each arm's ``published["16"]``):
placebo, dupilumab 300 mg q2w and dupilumab 300 mg qw: IGA 0/1, EASI-50, EASI-75, EASI-90, NRS >= 4-point
improvement (SOLO 1) and EASI % change (SOLO 1, LS mean) -- 18; placebo and q2w: NRS % change (SOLO 1+2 pooled,
Silverberg 2020) -- 2. Rates are fractions, so 5 points is 0.05; percent changes are compared in percent points.
"""

from __future__ import annotations

import pytest

from adqsp.trial.job import run_trial
from adqsp.trial.scenario import load_scenario
from adqsp.trial.targets import calibration_targets, value_range

WEEK = "16"
POINTS = 5.0
PCT_CHANGES = ("EASI_pct_change", "NRS_pct_change")
RATES = ("IGA01", "EASI50", "EASI75", "EASI90", "NRS4")
ARMS = ("placebo", "dupilumab 300 mg q2w", "dupilumab 300 mg qw")
TWENTY = {(arm, key) for arm in ARMS for key in RATES + ("EASI_pct_change",)} | {
    ("placebo", "NRS_pct_change"),
    ("dupilumab 300 mg q2w", "NRS_pct_change"),
}
#: arm, endpoint, published value, simulated value (None: missing), distance in points
Row = tuple[str, str, float, float | None, float]


def published_comparisons(summary: dict, week: str = WEEK) -> list[Row]:
    """(arm, endpoint, published, simulated, distance in points) for every published value at ``week``.

    A rate's distance is 100 x the difference of the fractions; a percent change's is the difference itself. A
    simulated value that is missing (None) is infinitely far."""
    rows = []
    for arm in summary["arms"]:
        simulated = arm["visits"].get(week, {})
        for key, published in arm["published"].get(week, {}).items():
            value = simulated.get(key)
            scale = 1.0 if key in PCT_CHANGES else 100.0
            distance = float("inf") if value is None else scale * abs(value - published)
            rows.append((arm["name"], key, published, value, distance))
    return rows


def outside(summary: dict, points: float = POINTS, week: str = WEEK) -> list[Row]:
    """The comparisons further than ``points`` from the published value."""
    return [row for row in published_comparisons(summary, week) if not row[4] <= points]


def table(rows: list[Row]) -> str:
    lines = [f"{'arm':<22} {'endpoint':<16} {'published':>10} {'simulated':>10} {'points':>7}"]
    lines += [
        f"{arm:<22} {key:<16} {published:>10.3f} {'missing' if value is None else f'{value:.3f}':>10} {d:>7.2f}"
        for arm, key, published, value, d in rows
    ]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def default_trial_summary():
    scenario = load_scenario()  # the embedded default, as `adqsp trial` with no file runs it
    assert (scenario.patients_per_arm, scenario.seed) == (1000, 20161)
    return run_trial(scenario).summary


def test_default_trial_meets_all_twenty_solo1_week16_endpoints_within_5_points(default_trial_summary):
    compared = published_comparisons(default_trial_summary)
    assert {(arm, key) for arm, key, *_ in compared} == TWENTY, "the published week-16 values are not the twenty"
    missed = outside(default_trial_summary)
    assert not missed, f"{len(missed)} of 20 SOLO 1 week-16 endpoints more than {POINTS:g} points off:\n" + table(
        missed
    )


def test_default_trial_q2w_arm_mean_week16_trough_is_in_the_label_range(default_trial_summary):
    """The Dupixent label's mean troughs of 300 mg q2w across trials, 60-80 mg/L (calibration_targets.csv, label
    PK), against the arm's mean over 1000 virtual patients (77.7 mg/L)."""
    (row,) = [r for r in calibration_targets() if r["study"] == "label PK" and r["endpoint"] == "serum_trough"]
    low, high = value_range(row["value"])
    (q2w,) = [arm for arm in default_trial_summary["arms"] if arm["name"] == "dupilumab 300 mg q2w"]
    assert low <= q2w["visits"][WEEK]["serum_trough_mg_L"] <= high


def _summary(values: dict[str, dict[str, float | None]], published: dict[str, dict[str, float]]) -> dict:
    return {
        "arms": [
            {"name": arm, "visits": {WEEK: values[arm]}, "published": {WEEK: published[arm]}, "baseline": {}}
            for arm in values
        ]
    }


def test_the_check_reports_each_endpoint_more_than_5_points_off_and_only_those():
    published = {"placebo": {"EASI75": 0.15, "EASI_pct_change": -38.0}, "drug": {"EASI75": 0.51, "NRS4": 0.41}}
    simulated = {
        "placebo": {"EASI75": 0.199, "EASI_pct_change": -43.5},  # 4.9 points: in; 5.5 percent points: out
        "drug": {"EASI75": 0.45, "NRS4": None},  # a weakened drug: 6 points off; a missing value is out
    }
    missed = outside(_summary(simulated, published))
    assert [(arm, key) for arm, key, *_ in missed] == [
        ("placebo", "EASI_pct_change"),
        ("drug", "EASI75"),
        ("drug", "NRS4"),
    ]
    assert [d for *_, d in missed] == pytest.approx([5.5, 6.0, float("inf")])
    text = table(missed)
    assert "EASI_pct_change" in text and "missing" in text and "6.00" in text
    assert outside(_summary(published, published)) == []  # the published values themselves are 0 points off
