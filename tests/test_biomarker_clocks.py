"""Biomarker clocks from their biology: serum IgE from short- and long-lived plasma cells (a fast fall by the
short-lived share, then months), serum TARC at quasi-steady state with the skin's production (checked against the
full kinetics of a chemokine cleared within hours)."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from adqsp.assembly import build_model
from adqsp.pk.regimen import LABEL_DOSES, Regimen
from adqsp.trial.course import time_course

WEEKS = 7


@pytest.fixture(scope="module")
def courses(severe):
    return {
        drug or "placebo": time_course(
            drug, Regimen.from_entries(LABEL_DOSES[drug]) if drug else Regimen(), 52, step_days=1.0, values=severe
        ).set_index("time_days")
        for drug in (None, "dupilumab")
    }


def _disease_ige(course, day: float) -> float:
    """Serum IgE above the healthy level on ``day`` (IU/mL)."""
    return course.loc[day, "ige"] - build_model(None).parameter("ige_healthy").value


def test_ige_falls_in_two_phases_under_dupilumab(courses):
    """IL-4Ra blockade stops the class switch: IgE falls within days by about the short-lived cells' share, and
    then over months as the long-lived plasma cells die."""
    dup = courses["dupilumab"]
    model = build_model(None)
    short = 1.0 - model.parameter("llpc_share").value
    llpc_rate = model.parameter("llpc_rate").value
    base = _disease_ige(dup, 0.0)
    at = {week: _disease_ige(dup, WEEKS * week) / base for week in (2, 16, 52)}
    # by week 2 at most the short-lived share and two weeks of long-lived loss are gone
    assert 1.0 - at[2] < short + (1.0 - short) * (1.0 - np.exp(-llpc_rate * 14.0))
    assert 1.0 - at[2] > 0.5 * short
    # what remains at week 16 keeps falling at about the long-lived cells' rate
    assert at[16] > 0.3
    assert at[52] / at[16] == pytest.approx(np.exp(-llpc_rate * 36 * WEEKS), rel=0.25)
    # the serum level follows its cells within days (half-life about 2 days)
    assert dup.loc[WEEKS * 16, "ige"] == pytest.approx(
        model.parameter("ige_healthy").value + dup.loc[WEEKS * 16, "ige_slpc"] + dup.loc[WEEKS * 16, "ige_llpc"],
        rel=0.02,
    )


def test_ige_under_placebo_moves_less_than_under_dupilumab(courses):
    fall = {name: 1.0 - c.loc[WEEKS * 16, "ige"] / c.loc[0.0, "ige"] for name, c in courses.items()}
    assert abs(fall["placebo"]) < 0.25 * fall["dupilumab"]


def test_tarc_at_quasi_steady_state_matches_its_kinetics(courses):
    """Serum TARC read at quasi-steady state with the skin's production: a chemokine cleared with a 3-hour half-life
    (the slow end of renal clearance of small proteins) follows it within 1% at the weekly visits of the first month
    of dupilumab, when the skin's production changes fastest (on the first day, when it halves, the lag is hours)."""
    dup = courses["dupilumab"]
    days = dup.index.to_numpy()[: 4 * WEEKS + 1]
    qss = dup["tarc_serum"].to_numpy()[: len(days)]
    rate = np.log(2.0) / (3.0 / 24.0)
    kinetic = solve_ivp(
        lambda t, y: rate * (np.interp(t, days, qss) - y),
        (days[0], days[-1]),
        [qss[0]],
        t_eval=days,
        max_step=0.02,
        rtol=1e-8,
        atol=1e-6,
    ).y[0]
    visits = np.arange(WEEKS, len(days), WEEKS)
    assert np.max(np.abs(kinetic - qss)[visits] / qss[visits]) < 0.01
    assert qss[2 * WEEKS] < 0.5 * qss[0]  # and the production does change within these weeks
