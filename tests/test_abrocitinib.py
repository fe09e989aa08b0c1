"""Abrocitinib, a JAK1 inhibitor from its record: the published population PK (Wojciechowski 2022; a PK model per
label dose), the typical steady-state exposure the paper reports, JAK-pair inhibition as its potencies say (active
metabolites carried as a scaling of the parent's potency), 200 mg inhibiting more than 100 mg, and the pathways it
dampens within days."""

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from adqsp.drugs.registry import resolve
from adqsp.pk.regimen import Regimen
from adqsp.trial.course import time_course

DAYS = 8
WEIGHT = 80.0  # kg: the paper's typical White adult patient with atopic dermatitis (Results 3.4)
MODELS = {100: "wojciechowski2022_100mg", 200: "wojciechowski2022_200mg"}
PAIRS = ("jak1_jak2", "jak1_jak3", "jak1_tyk2")


def _daily(mg: float) -> Regimen:
    return Regimen.from_entries([{"mg": mg, "every_days": 1.0, "from_day": 0}])


@pytest.fixture(scope="module")
def courses() -> dict:
    """The typical 80 kg patient's first days under 100 and 200 mg once daily, every 5 minutes."""
    return {
        mg: time_course("abrocitinib", _daily(mg), 2, pk_model=model, values={"WT": WEIGHT}, step_days=1 / 288)
        for mg, model in MODELS.items()
    }


@pytest.fixture(scope="module")
def week(severe) -> dict:
    """One moderate-to-severe patient's first week under placebo and 200 mg once daily, hourly."""
    return {
        name: time_course(drug, regimen, 1, pk_model=model, values=severe, step_days=1 / 24)
        for name, drug, regimen, model in (
            ("placebo", None, Regimen(), None),
            ("abrocitinib", "abrocitinib", _daily(200.0), MODELS[200]),
        )
    }


def _published(t_days: np.ndarray, dose_mg: float, weight_kg: float) -> np.ndarray:
    """Wojciechowski 2022's model written out in hours from Table 2 and its control stream, with what the record
    cannot carry: clearance falling with time on treatment, and the first dose's lower bioavailability (plasma, mg/L).
    A White adult man with atopic dermatitis taking the phase III tablet once daily, fasted."""
    logit_f = math.log(0.5977 / 0.4023) - 0.766 + 0.489  # phase III tablet, atopic dermatitis

    def bioavailability(multiple: bool) -> float:
        return 1.0 / (1.0 + math.exp(-(logit_f + (0.241 if multiple else 0.0))))

    vc, vp = 87.8 * (weight_kg / 70.0) ** 0.52, 8.25 * (weight_kg / 70.0) ** 0.52
    q, ka, k0, cap, lag = 1.16 * (weight_kg / 70.0) ** 0.453, 4.01, 75.3, 121.0, 0.183
    first_order = min(1.0, cap / dose_mg)
    starts = np.arange(0.0, DAYS) * 24.0 + lag
    fractions = [bioavailability(k > 0) for k in range(len(starts))]
    ends = [s + f * (1.0 - first_order) * dose_mg / k0 for s, f in zip(starts, fractions, strict=True)]

    def clearance(h: float) -> float:
        time_decline = 1.0 - 0.186 * (1.0 - math.exp(-math.log(2.0) / 21.6 * h))
        effective_dose = bioavailability(h >= 24.0) * dose_mg / 200.0
        return 22.0 * (weight_kg / 70.0) ** 0.453 * time_decline * effective_dose**-0.169

    def rates(h, y):
        zero = sum(k0 for s, e in zip(starts, ends, strict=True) if s <= h < e)
        depot, central, peripheral = y
        return [
            -ka * depot,
            ka * depot + zero - (clearance(h) + q) / vc * central + q / vp * peripheral,
            q / vc * central - q / vp * peripheral,
        ]

    y, out, hours = np.zeros(3), [], t_days * 24.0
    edges = np.unique(np.concatenate([[0.0], starts, ends, [hours[-1]]]))
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        for s, f in zip(starts, fractions, strict=True):
            if np.isclose(s, a):
                y[0] += f * first_order * dose_mg
        inside = hours[(hours >= a) & (hours < b)]
        sol = solve_ivp(rates, (a, b), y, t_eval=np.append(inside, b), rtol=1e-10, atol=1e-12, method="LSODA")
        out.append(sol.y[1, :-1] / vc)
        y = sol.y[:, -1]
    return np.concatenate(out + [[y[1] / vc]])[: len(t_days)]


def _interval(course, day: float):
    """The dosing interval [day, day + 1)."""
    return course[(course.time_days >= day - 1e-9) & (course.time_days < day + 1 - 1e-9)]


@pytest.mark.parametrize("mg", MODELS)
def test_plasma_levels_follow_the_published_model(courses, mg):
    course = courses[mg][courses[mg].time_days <= DAYS]
    expected = _published(course.time_days.to_numpy(), float(mg), WEIGHT)
    simulated = course.abrocitinib_serum_mg_L.to_numpy()
    # from day 7 on, once clearance's time decline (half-life 21.6 h) is over, the record is the published model
    late = course.time_days.to_numpy() >= 7.0
    np.testing.assert_allclose(simulated[late], expected[late], rtol=0.01)
    # before that the record's steady-state clearance and bioavailability give more drug, never less, and not by much
    first = course.time_days.to_numpy() < 1.0
    ratio = np.trapezoid(simulated[first]) / np.trapezoid(expected[first])
    assert 1.0 < ratio < 1.45, ratio


def test_steady_state_exposure_is_the_papers_typical_patient(courses):
    """Results 3.4 of the paper: a White adult man with atopic dermatitis, 80 kg, 200 mg once daily, has a
    steady-state Cmax of 1123 ng/mL and a 24-hour AUC of 5662 ng h/mL (AUC = F x dose / CL, the record's values)."""
    t = courses[200].time_days.to_numpy()
    day = courses[200][(t >= DAYS - 1 - 1e-9) & (t <= DAYS + 1e-9)]
    ng_ml = day.abrocitinib_serum_mg_L.to_numpy() * 1000.0
    auc = np.trapezoid(ng_ml, day.time_days.to_numpy() * 24.0)
    assert auc == pytest.approx(5662.0, rel=0.01)
    assert ng_ml.max() == pytest.approx(1123.0, rel=0.05)
    # 100 mg: less than half the exposure, its clearance higher at the lower effective dose (exponent -0.169)
    low = _interval(courses[100], DAYS - 1).abrocitinib_serum_mg_L.to_numpy() * 1000.0
    assert 0.40 < low.mean() / ng_ml.mean() < 0.47


def test_potency_is_the_documented_derivation_with_the_metabolites():
    """Each JAK pair: 29 nM (JAK1 enzyme IC50) / 0.36 unbound x 0.6 (the parent's share of the activity of parent, M1
    and M2) in mg/L of parent; the inhibition is then that of the whole active moiety."""
    record = resolve("abrocitinib")
    mw = record.molecular_weight_kDa.value * 1000.0  # g/mol
    assert {i.pathway for i in record.mechanism.inhibits} == set(PAIRS)
    for i in record.mechanism.inhibits:
        assert i.ic50_mg_L.value * 1e6 / mw == pytest.approx(29.0 / 0.36 * 0.6, rel=1e-4)
        assert i.emax.value == 1.0


@pytest.mark.parametrize("mg", MODELS)
def test_jak_pair_inhibition_is_the_emax_function_of_the_plasma_level(courses, mg):
    course = courses[mg]
    c = course.abrocitinib_serum_mg_L.to_numpy()
    for i in resolve("abrocitinib").mechanism.inhibits:
        expected = i.emax.value * c / (c + i.ic50_mg_L.value)
        np.testing.assert_allclose(course[f"abrocitinib_{i.pathway}_inhibition"], expected, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(course[f"{i.pathway}_activity"], 1.0 - expected, rtol=1e-9, atol=1e-12)


def test_200_mg_inhibits_every_jak_pair_more_than_100_mg(courses):
    low, high = (_interval(courses[mg], DAYS - 1) for mg in (100, 200))
    for pair in PAIRS:
        column = f"abrocitinib_{pair}_inhibition"
        assert high[column].mean() > low[column].mean() + 0.05, pair
        assert high[column].iloc[-1] > low[column].iloc[-1] + 0.05, pair  # at the trough
        # the inhibition swings with each dose: near complete at the peak, far less at the trough
        assert high[column].max() > 0.95 and high[column].min() < 0.8, pair


def test_types_1_2_and_22_fall_within_days_type_17_does_not(week):
    abro, placebo = week["abrocitinib"], week["placebo"]

    def day_7(course, column):  # the mean over the seventh dosing interval
        return float(course.loc[(course.time_days >= 6) & (course.time_days < 7), column].mean())

    for column in ("les_type1_activity", "les_type22_activity", "les_keratinocyte_pstat6"):
        assert day_7(abro, column) < 0.85 * day_7(placebo, column), column
    assert day_7(abro, "les_type2_activity") < 0.95 * day_7(placebo, "les_type2_activity")
    assert day_7(abro, "les_type17_activity") / day_7(placebo, "les_type17_activity") > 0.95  # no JAKs
    assert day_7(abro, "itch_nrs") < 0.95 * day_7(placebo, "itch_nrs")  # IL-31 on sensory neurons: JAK1/JAK2
