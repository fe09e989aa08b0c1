"""Withdrawal and relapse: after dupilumab stops, the disease comes back at the pace of its biology, after the drug
has washed out, not as soon as serum falls (the existing model, no parameter changed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import adqsp

PATIENTS, SEED, WEEKS, STOP_WEEK = 300, 5, 60, 16


def _course(entries: list[dict]) -> pd.DataFrame:
    frame = adqsp.population_course(
        "dupilumab", adqsp.Regimen.from_entries(entries), weeks=WEEKS, patients=PATIENTS, seed=SEED, outputs=["easi"]
    )
    return frame.assign(week=frame["time_days"] / 7.0)


@pytest.fixture(scope="module")
def placebo() -> tuple[pd.Index, pd.Series]:
    """The moderate-to-severe patients (EASI >= 16 at day 0) and their mean EASI without drug, by week."""
    frame = _course([])
    day0 = frame[frame["week"] == 0].set_index("patient")["easi"]
    severe = day0[day0 >= 16].index
    assert len(severe) > 50
    return severe, frame[frame["patient"].isin(severe)].groupby("week")["easi"].mean()


def _washout(placebo: tuple[pd.Index, pd.Series], every_weeks: int) -> dict[str, float]:
    """Loading dose, 300 mg every ``every_weeks`` up to week 16 (the last dose one interval before), then nothing:
    the weeks after which mean serum falls to 50% and 10% of its week-16 value, and after which the drug's effect
    on mean EASI (placebo minus treated, same patients) falls to half its week-16 value."""
    severe, untreated = placebo
    last = STOP_WEEK - every_weeks
    doses = [{"mg": 600, "week": 0}, {"mg": 300, "every_weeks": every_weeks, "from_week": every_weeks}]
    doses[1]["until_week"] = last
    frame = _course(doses)
    means = frame[frame["patient"].isin(severe)].groupby("week")[["easi", "dupilumab_serum_mg_L"]].mean()
    effect = untreated - means["easi"]
    serum = means["dupilumab_serum_mg_L"]
    after = means.index[means.index >= STOP_WEEK]

    def first(series: pd.Series, fraction: float) -> float:
        below = after[(series.loc[after] <= fraction * series.loc[STOP_WEEK]).to_numpy()]
        return float(below[0])

    return {
        "pk50": first(serum, 0.5),
        "pk10": first(serum, 0.1),
        "relapse50": first(effect, 0.5),
        "effect_at_pk50": float(effect.loc[first(serum, 0.5)] / effect.loc[STOP_WEEK]),
        "effect_at_end": float(effect.iloc[-1] / effect.loc[STOP_WEEK]),
        "effect_at_stop": float(effect.loc[STOP_WEEK]),
    }


def test_relapse_follows_washout_and_is_slower_than_the_pk(placebo):
    q2w, qw = _washout(placebo, 2), _washout(placebo, 1)
    for w in (q2w, qw):
        assert w["effect_at_stop"] > 5.0  # a real drug effect to lose (EASI points)
        assert w["effect_at_pk50"] > 0.9  # serum halved: the skin has not yet moved
        assert w["relapse50"] > w["pk10"] > w["pk50"]  # half the effect is lost only after 90% of the drug is gone
        assert w["effect_at_end"] < 0.5  # and the disease does come back
    # the higher exposure of the weekly regimen washes out later, and relapse comes later with it
    assert qw["pk10"] > q2w["pk10"]
    assert qw["relapse50"] > q2w["relapse50"]
    assert np.isfinite([*q2w.values(), *qw.values()]).all()
