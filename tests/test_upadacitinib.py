"""Upadacitinib, a JAK1 inhibitor from its record: the published extended-release PK (parallel zero- and first-order
absorption after a lag), JAK-pair inhibition as its potencies say, and the pathways it dampens within days."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from adqsp.assembly import build_model
from adqsp.drugs.registry import resolve
from adqsp.pk.regimen import LABEL_DOSES, Regimen
from adqsp.trial.course import time_course

DAYS = 8


@pytest.fixture(scope="module")
def first_days():
    return time_course("upadacitinib", Regimen.from_entries(LABEL_DOSES["upadacitinib"]), 2, step_days=1 / 96)


@pytest.fixture(scope="module")
def courses(severe):
    return {
        drug or "placebo": time_course(
            drug, Regimen.from_entries(LABEL_DOSES[drug]) if drug else Regimen(), 1, step_days=1 / 24, values=severe
        )
        for drug in (None, "dupilumab", "upadacitinib")
    }


def _published(t: np.ndarray, dose_mg: float, weight_kg: float) -> np.ndarray:
    """Klunder 2019's extended-release model written out in hours, as the paper gives it (plasma, mg/L)."""
    cl = 40.9 * (weight_kg / 74.0) ** 0.132 / 1.18  # L/h, reference CrCL; AUC 18% higher in AD
    vc, q, vp = 156.0 * (weight_kg / 74.0) ** 0.804, 3.22, 68.0
    ka, fz, d, lag, f = 0.0523, 0.745, 3.29, 0.154, 0.762
    doses = np.arange(0.0, DAYS) * 24.0 + lag

    def rates(h, y):
        zero = sum(f * fz * dose_mg / d for t0 in doses if t0 <= h < t0 + d)
        depot, central, peripheral = y
        return [
            -ka * depot,
            ka * depot + zero - cl / vc * central - q / vc * central + q / vp * peripheral,
            q / vc * central - q / vp * peripheral,
        ]

    y, out, hours = np.zeros(3), [], t * 24.0
    edges = np.unique(np.concatenate([[0.0], doses, doses + d, [hours[-1]]]))
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        if np.any(np.isclose(doses, a)):
            y[0] += f * (1.0 - fz) * dose_mg
        inside = hours[(hours >= a) & (hours < b)]
        sol = solve_ivp(rates, (a, b), y, t_eval=np.append(inside, b), rtol=1e-10, atol=1e-12, method="LSODA")
        out.append(sol.y[1, :-1] / vc)
        y = sol.y[:, -1]
    return np.concatenate(out + [[y[1] / vc]])[: len(t)]


def test_plasma_levels_follow_the_published_extended_release_model(first_days):
    course = first_days[first_days.time_days <= DAYS]
    weight = build_model("upadacitinib").parameter("WT").value  # the typical patient's
    expected = _published(course.time_days.to_numpy(), 15.0, weight)
    simulated = course.upadacitinib_serum_mg_L.to_numpy()
    assert 0.02 < simulated.max() < 0.08  # a peak of tens of ng/mL after 15 mg, hours after the dose
    np.testing.assert_allclose(simulated, expected, rtol=0.01, atol=1e-3 * expected.max())


def test_jak_pair_inhibition_is_the_emax_function_of_the_plasma_level(first_days):
    c = first_days.upadacitinib_serum_mg_L.to_numpy()
    for i in resolve("upadacitinib").mechanism.inhibits:
        expected = i.emax.value * c / (c + i.ic50_mg_L.value)
        column = f"upadacitinib_{i.pathway}_inhibition"
        np.testing.assert_allclose(first_days[column], expected, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(first_days[f"{i.pathway}_activity"], 1.0 - expected, rtol=1e-9, atol=1e-12)
    # at steady state the JAK1/JAK2 inhibition swings with each dose: above half at the peak, low at the trough
    last = first_days[(first_days.time_days >= DAYS - 1) & (first_days.time_days <= DAYS)]
    jak2 = last.upadacitinib_jak1_jak2_inhibition
    assert jak2.max() > 0.5 > 0.3 > jak2.min()


def test_types_1_2_and_22_fall_within_days_type_17_does_not(courses):
    upa, placebo, dup = courses["upadacitinib"], courses["placebo"], courses["dupilumab"]

    def day_7(course, column):  # the mean over the seventh dosing interval
        return float(course.loc[(course.time_days >= 6) & (course.time_days < 7), column].mean())

    for column in ("les_type1_activity", "les_type22_activity", "les_keratinocyte_pstat6"):
        ratio = day_7(upa, column) / day_7(placebo, column)
        assert ratio < 0.85, (column, ratio)
    # the type 2 activity (STAT6-driven transcription) saturates in severe disease (spare receptors), so it falls
    # less than its pSTAT6 signal
    assert day_7(upa, "les_type2_activity") < 0.95 * day_7(placebo, "les_type2_activity")
    # IL-17 signals without JAKs
    assert day_7(upa, "les_type17_activity") / day_7(placebo, "les_type17_activity") > 0.95
    # type 1 is spared by dupilumab and hit by the JAK inhibitor
    assert day_7(upa, "les_type1_activity") < 0.85 * day_7(dup, "les_type1_activity")
    # itch falls within days: IL-31 signals through JAK1/JAK2 on sensory neurons
    assert day_7(upa, "itch_nrs") < 0.95 * day_7(placebo, "itch_nrs")
