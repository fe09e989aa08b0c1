"""Dosing units: intervals and times in days beside weeks, doses per kg of body weight beside mg, and the one-line
InputError for each bad combination."""

from __future__ import annotations

import numpy as np
import pytest

from adqsp.errors import InputError
from adqsp.pk.regimen import LABEL_DOSES, Regimen
from adqsp.trial.course import time_course
from adqsp.trial.job import run_trial
from adqsp.trial.scenario import parse_scenario

#: tralokinumab's PK is linear; with its weight exponents at 0 the body weight changes nothing but the dose
WEIGHT_FREE = {f"pk_{p}_wt_exp": 0.0 for p in ("CL", "Vc", "Vp", "Q")}


def _events(entries, horizon_days, weights=(70.0,)):
    times, amounts = Regimen.from_entries(entries).events(horizon_days, np.array(weights))
    return times.tolist(), amounts


def test_a_daily_regimen_over_two_weeks_gives_14_doses_one_a_day():
    times, amounts = _events([{"mg": 10, "every_days": 1, "until_day": 13}], 28.0)
    assert times == [float(d) for d in range(14)]
    assert amounts[:, 0].tolist() == [10.0] * 14


def test_every_half_day_is_twice_daily():
    times, _ = _events([{"mg": 5, "every_days": 0.5, "from_day": 1, "until_day": 4}], 28.0)
    assert times == [1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0]


def test_days_and_weeks_give_the_same_events():
    in_days = [{"mg": 600, "day": 0}, {"mg": 300, "every_days": 14, "from_day": 14, "until_day": 84}]
    in_weeks = [{"mg": 600, "week": 0}, {"mg": 300, "every_weeks": 2, "from_week": 2, "until_week": 12}]
    assert _events(in_days, 112.0)[0] == _events(in_weeks, 112.0)[0] == [14.0 * k for k in range(7)]
    mixed = [{"mg": 300, "every_days": 7, "from_week": 1, "until_week": 3}]
    assert _events(mixed, 112.0)[0] == [7.0, 14.0, 21.0]


def test_the_label_regimens_still_expand_as_before():
    times, amounts = _events(LABEL_DOSES["dupilumab"], 112.0, weights=(50.0, 120.0))
    assert times == [14.0 * k for k in range(9)]
    assert amounts.tolist() == [[600.0, 600.0]] + [[300.0, 300.0]] * 8


def test_a_dose_per_kg_is_per_patient():
    times, amounts = _events(
        [{"mg_per_kg": 2, "week": 0}, {"mg_per_kg": 1, "every_weeks": 1, "from_week": 1, "until_week": 2}],
        28.0,
        weights=(50.0, 75.0, 100.0),
    )
    assert times == [0.0, 7.0, 14.0]
    assert amounts.tolist() == [[100.0, 150.0, 200.0], [50.0, 75.0, 100.0], [50.0, 75.0, 100.0]]


def test_a_dose_per_kg_within_a_weight_tier():
    _, amounts = _events([{"mg_per_kg": 3, "week": 0, "weight_below_kg": 60}], 7.0, weights=(40.0, 80.0))
    assert amounts.tolist() == [[120.0, 0.0]]


def test_a_dose_per_kg_gives_a_patient_twice_as_heavy_twice_the_exposure():
    regimen = Regimen.from_entries([{"mg_per_kg": 4, "week": 0}, {"mg_per_kg": 4, "every_days": 7, "from_day": 7}])
    serum = {
        wt: time_course("tralokinumab", regimen, 4, values={"WT": wt}, overrides=WEIGHT_FREE)["tralokinumab_serum_mg_L"]
        for wt in (50.0, 100.0)
    }
    assert serum[50.0].iloc[-1] > 10.0
    np.testing.assert_allclose(serum[100.0].iloc[1:], 2.0 * serum[50.0].iloc[1:], rtol=1e-4)


def test_a_trial_doses_each_patient_by_its_own_weight():
    scenario = parse_scenario(
        {
            "name": "per-kg",
            "weeks": 2,
            "patients_per_arm": 5,
            "seed": 3,
            "arms": [
                {
                    "name": "tralokinumab 4 mg/kg",
                    "drug": "tralokinumab",
                    "doses": [{"mg_per_kg": 4, "day": 0}, {"mg_per_kg": 4, "every_days": 7, "from_day": 7}],
                }
            ],
            # every patient the same PK, body weight aside: the serum level is then proportional to the dose
            "parameters": {**WEIGHT_FREE, "pk_CL": {"log_sd": 0.0}, "pk_Vc": {"log_sd": 0.0}},
        }
    )
    patients = run_trial(scenario).patients
    week2 = patients[patients.week == 2]
    assert week2.ok.all() and week2.WT.nunique() == 5
    per_kg = week2.serum_mg_L / week2.WT
    np.testing.assert_allclose(per_kg, per_kg.iloc[0], rtol=1e-3)


_BAD = [
    ([{"mg": 300, "mg_per_kg": 4, "week": 0}], "doses[0].mg_per_kg", "not allowed together with mg"),
    ([{"week": 0}], "doses[0].mg", "needs mg or mg_per_kg"),
    ([{"mg_per_kg": 0, "week": 0}], "doses[0].mg_per_kg", "> 0"),
    ([{"mg_per_kg": -2, "week": 0}], "doses[0].mg_per_kg", "> 0"),
    ([{"mg_per_kg": 1000, "week": 0}], "doses[0].mg_per_kg", "<= 100"),
    ([{"mg": 300, "every_weeks": 2, "every_days": 14}], "doses[0].every_days", "not allowed together with every_weeks"),
    ([{"mg": 300, "every_days": 0}], "doses[0].every_days", ">= 0.04"),
    ([{"mg": 300, "every_days": -1}], "doses[0].every_days", ">= 0.04"),
    ([{"mg": 300, "every_days": True}], "doses[0].every_days", "number"),
    ([{"mg": 300, "week": 0, "day": 0}], "doses[0].day", "not allowed together with week"),
    ([{"mg": 300, "day": -1}], "doses[0].day", ">= 0"),
    ([{"mg": 300, "day": 0, "every_days": 1}], "doses[0].every_days", "not allowed together with day"),
    ([{"mg": 300, "every_days": 1, "from_week": 1, "from_day": 7}], "doses[0].from_day", "together with from_week"),
    ([{"mg": 300, "every_days": 1, "until_week": 1, "until_day": 7}], "doses[0].until_day", "together with until_week"),
    ([{"mg": 300, "every_days": 1, "from_day": 7, "until_day": 6}], "doses[0].until_day", "before from_day (7)"),
    ([{"mg": 300, "every_days": 1, "from_week": 2, "until_day": 13}], "doses[0].until_day", "before from_week (2)"),
    ([{"mg": 300, "from_day": 3}], "doses[0]", "needs week, day, every_weeks or every_days"),
    ([{"mg": 300, "every_days": 1}, {"mg": 300, "day": 3}], "doses[1]", "overlaps an earlier entry at day 3"),
    ([{"mg": 300, "every_days": 1, "from_day": 7}, {"mg": 300, "day": 3}], "doses[1]", "in order of day"),
]


@pytest.mark.parametrize(("entries", "field", "message"), _BAD)
def test_bad_dose_units_raise_one_line_naming_the_field(entries, field, message):
    with pytest.raises(InputError) as info:
        Regimen.from_entries(entries)
    assert info.value.field == field
    assert message in info.value.problem
    assert "\n" not in str(info.value)


def test_a_scenario_names_the_arm_and_entry():
    data = {"name": "x", "weeks": 2, "arms": [{"name": "a", "drug": "dupilumab", "doses": [{"mg": 1, "mg_per_kg": 1}]}]}
    with pytest.raises(InputError, match=r"^arms\[0\]\.doses\[0\]\.mg_per_kg: not allowed together with mg"):
        parse_scenario(data)
