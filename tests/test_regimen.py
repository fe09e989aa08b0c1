"""Dosing regimens: expansion to dose events, weight tiers, NONMEM records, and validation (InputError)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adqsp.errors import InputError
from adqsp.pk.regimen import LABEL_DOSES, Regimen
from adqsp.schema import MAX_DOSE_MG, MAX_WEEK

ADOLESCENT = [
    {"mg": 400, "week": 0, "weight_below_kg": 60},
    {"mg": 200, "every_weeks": 2, "from_week": 2, "weight_below_kg": 60},
    {"mg": 600, "week": 0, "weight_at_least_kg": 60},
    {"mg": 300, "every_weeks": 2, "from_week": 2, "weight_at_least_kg": 60},
]


def _events(regimen: Regimen, horizon_days: float, weights=(70.0,)):
    times, amounts = regimen.events(horizon_days, np.array(weights, dtype=float))
    return times.tolist(), amounts


# --- expansion -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("horizon_days", "last_day"),
    [(112.0, 112.0), (111.9, 98.0), (113.0, 112.0), (125.9, 112.0), (126.0, 126.0), (14.0, 14.0), (13.0, 0.0)],
)
def test_label_dupilumab_q2w_dose_days_inclusive_horizon(horizon_days, last_day):
    times, amounts = _events(Regimen.from_entries(LABEL_DOSES["dupilumab"]), horizon_days)
    assert times == [float(d) for d in range(0, int(last_day) + 1, 14)]
    assert amounts.shape == (len(times), 1)
    assert amounts[0, 0] == 600.0
    assert np.all(amounts[1:, 0] == 300.0)


def test_label_dupilumab_16_weeks_has_nine_doses_totalling_3000_mg():
    times, amounts = _events(Regimen.from_entries(LABEL_DOSES["dupilumab"]), 16 * 7.0)
    assert len(times) == 9
    assert amounts.sum() == pytest.approx(600 + 8 * 300)


def test_weekly_regimen():
    regimen = Regimen.from_entries([{"mg": 600, "week": 0}, {"mg": 300, "every_weeks": 1, "from_week": 1}])
    times, amounts = _events(regimen, 16 * 7.0)
    assert times == [7.0 * w for w in range(17)]
    assert amounts[:, 0].tolist() == [600.0] + [300.0] * 16


def test_lebrikizumab_label_loading_then_q2w():
    times, amounts = _events(Regimen.from_entries(LABEL_DOSES["lebrikizumab"]), 8 * 7.0)
    assert times == [0.0, 14.0, 28.0, 42.0, 56.0]
    assert amounts[:, 0].tolist() == [500.0, 500.0, 250.0, 250.0, 250.0]


@pytest.mark.parametrize(
    ("until_week", "expected_weeks"),
    [(8, [2, 4, 6, 8]), (7, [2, 4, 6]), (7.99, [2, 4, 6]), (2, [2]), (100, [2, 4, 6, 8, 10, 12, 14, 16])],
)
def test_until_week_stops_dosing(until_week, expected_weeks):
    regimen = Regimen.from_entries([{"mg": 300, "every_weeks": 2, "from_week": 2, "until_week": until_week}])
    times, amounts = _events(regimen, 16 * 7.0)
    assert times == [7.0 * w for w in expected_weeks]
    assert np.all(amounts == 300.0)


def test_from_week_defaults_to_zero():
    times, _ = _events(Regimen.from_entries([{"mg": 100, "every_weeks": 4}]), 12 * 7.0)
    assert times == [0.0, 28.0, 56.0, 84.0]


def test_single_dose_beyond_horizon_is_dropped():
    times, amounts = _events(Regimen.from_entries([{"mg": 100, "week": 0}, {"mg": 100, "week": 20}]), 16 * 7.0)
    assert times == [0.0]
    assert amounts.shape == (1, 1)


def test_placebo_regimen_has_no_events():
    times, amounts = _events(Regimen(), 112.0, weights=(50.0, 70.0, 90.0))
    assert times == []
    assert amounts.shape == (0, 3)


def test_from_entries_empty_is_placebo():
    assert Regimen.from_entries([]) == Regimen()


def test_weight_tiers_give_per_patient_amounts():
    regimen = Regimen.from_entries(ADOLESCENT)
    times, amounts = _events(regimen, 16 * 7.0, weights=(50.0, 70.0, 60.0, 59.999))
    assert times == [14.0 * k for k in range(9)]
    assert amounts.shape == (9, 4)
    assert amounts[0].tolist() == [400.0, 600.0, 600.0, 400.0]  # 60 kg exactly is in the "at least 60" tier
    assert np.all(amounts[1:] == np.array([200.0, 300.0, 300.0, 200.0]))


def test_weight_scalar_is_one_patient():
    times, amounts = Regimen.from_entries(ADOLESCENT).events(28.0, 50.0)
    assert times.tolist() == [0.0, 14.0, 28.0]
    assert amounts.tolist() == [[400.0], [200.0], [200.0]]


def test_weight_tier_excluding_everyone_gives_zero_amounts():
    regimen = Regimen.from_entries([{"mg": 300, "week": 0, "weight_at_least_kg": 200}])
    times, amounts = _events(regimen, 7.0, weights=(50.0, 70.0))
    assert times == [0.0]
    assert amounts.tolist() == [[0.0, 0.0]]


def test_a_weight_band_no_patient_falls_in_is_an_error():
    with pytest.raises(InputError) as info:
        Regimen.from_entries(
            [{"mg": 300, "week": 0}, {"mg": 300, "week": 2, "weight_below_kg": 60, "weight_at_least_kg": 80}]
        )
    assert info.value.field == "doses[1]" and "no patient" in info.value.problem


# --- NONMEM records ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("records", "entries"),
    [
        (
            [{"amt": 600, "time": 0}, {"amt": 300, "time": 14, "ii": 14, "addl": 7}],
            [{"mg": 600, "week": 0}, {"mg": 300, "every_weeks": 2, "from_week": 2, "until_week": 16}],
        ),
        (
            [{"amt": 600}, {"amt": 300, "time": 7, "ii": 7, "addl": 15}],
            [{"mg": 600, "week": 0}, {"mg": 300, "every_weeks": 1, "from_week": 1, "until_week": 16}],
        ),
        (
            [{"amt": 500, "time": 0}, {"amt": 500, "time": 14}, {"amt": 250, "time": 28, "ii": 14, "addl": 3}],
            [
                {"mg": 500, "week": 0},
                {"mg": 500, "week": 2},
                {"mg": 250, "every_weeks": 2, "from_week": 4, "until_week": 10},
            ],
        ),
        ([{"amt": 100, "time": 3.5, "addl": 0}], [{"mg": 100, "week": 0.5}]),
        ([{"amt": 100, "time": 0, "ii": 10, "addl": 4}], [{"mg": 100, "every_weeks": 10 / 7, "until_week": 40 / 7}]),
    ],
)
@pytest.mark.parametrize("horizon_days", [20.0, 112.0, 400.0])
def test_records_equal_equivalent_entries(records, entries, horizon_days):
    weights = (45.0, 80.0)
    t_rec, a_rec = _events(Regimen.from_records(records), horizon_days, weights)
    t_ent, a_ent = _events(Regimen.from_entries(entries), horizon_days, weights)
    assert t_rec == pytest.approx(t_ent)
    np.testing.assert_allclose(a_rec, a_ent)


def test_records_stop_after_addl_doses():
    times, _ = _events(Regimen.from_records([{"amt": 300, "time": 14, "ii": 14, "addl": 7}]), 1000.0)
    assert times == [14.0 * k for k in range(1, 9)]


def test_records_with_non_integer_interval_land_on_exact_days():
    times, amounts = _events(Regimen.from_records([{"amt": 100, "time": 0, "ii": 10, "addl": 4}]), 1000.0)
    assert times == [0.0, 10.0, 20.0, 30.0, 40.0]
    assert amounts[:, 0].tolist() == [100.0] * 5


def test_label_records_match_label_entries_over_16_weeks():
    records = Regimen.from_records([{"amt": 600, "time": 0}, {"amt": 300, "time": 14, "ii": 14, "addl": 7}])
    t_rec, a_rec = _events(records, 112.0)
    t_lab, a_lab = _events(Regimen.from_entries(LABEL_DOSES["dupilumab"]), 112.0)
    assert t_rec == t_lab
    np.testing.assert_array_equal(a_rec, a_lab)


# --- validation of entries ---------------------------------------------------------------------------------------

_BAD_ENTRIES = [
    ([{"mg": 0, "week": 0}], "doses[0].mg"),
    ([{"mg": -300, "week": 0}], "doses[0].mg"),
    ([{"mg": -0.0, "week": 0}], "doses[0].mg"),
    ([{"mg": MAX_DOSE_MG + 1, "week": 0}], "doses[0].mg"),
    ([{"week": 0}], "doses[0].mg"),
    ([{"mg": "300", "week": 0}], "doses[0].mg"),
    ([{"mg": None, "week": 0}], "doses[0].mg"),
    ([{"mg": True, "week": 0}], "doses[0].mg"),
    ([{"mg": False, "week": 0}], "doses[0].mg"),
    ([{"mg": [300], "week": 0}], "doses[0].mg"),
    ([{"mg": math.nan, "week": 0}], "doses[0].mg"),
    ([{"mg": math.inf, "week": 0}], "doses[0].mg"),
    ([{"mg": 300, "every_weeks": 0}], "doses[0].every_weeks"),
    ([{"mg": 300, "every_weeks": -2}], "doses[0].every_weeks"),
    ([{"mg": 300, "every_weeks": math.nan}], "doses[0].every_weeks"),
    ([{"mg": 300, "every_weeks": True}], "doses[0].every_weeks"),
    ([{"mg": 300, "week": -1}], "doses[0].week"),
    ([{"mg": 300, "week": math.nan}], "doses[0].week"),
    ([{"mg": 300, "week": "0"}], "doses[0].week"),
    ([{"mg": 300, "every_weeks": 2, "from_week": -1}], "doses[0].from_week"),
    ([{"mg": 300, "every_weeks": 2, "from_week": 4, "until_week": 2}], "doses[0].until_week"),
    ([{"mg": 300, "every_weeks": 2, "until_week": -1}], "doses[0].until_week"),
    ([{"mg": 300, "week": 0, "every_weeks": 2}], "doses[0].every_weeks"),
    ([{"mg": 300, "week": 0, "from_week": 0}], "doses[0].from_week"),
    ([{"mg": 300, "week": 0, "until_week": 4}], "doses[0].until_week"),
    ([{"mg": 300}], "doses[0]"),
    ([{"mg": 300, "week": 0, "dose": 1}], "doses[0].dose"),
    ([{"mg": 300, "week": 0, "Week": 1}], "doses[0].Week"),
    ([{"mg": 300, "week": 0, "weight_below_kg": 0}], "doses[0].weight_below_kg"),
    ([{"mg": 300, "week": 0, "weight_at_least_kg": -60}], "doses[0].weight_at_least_kg"),
    ([{"mg": 300, "week": 0, "weight_at_least_kg": "60"}], "doses[0].weight_at_least_kg"),
    ([5], "doses[0]"),
    (["mg=300"], "doses[0]"),
    ([{"mg": 600, "week": 0}, {"mg": -1, "week": 2}], "doses[1].mg"),
    # overlapping doses for the same weight
    ([{"mg": 600, "week": 0}, {"mg": 300, "every_weeks": 2, "from_week": 0}], "doses[1]"),
    ([{"mg": 300, "every_weeks": 2, "from_week": 2}, {"mg": 150, "week": 4}], "doses[1]"),
    ([{"mg": 300, "every_weeks": 1, "until_week": 4}, {"mg": 300, "every_weeks": 2, "from_week": 4}], "doses[1]"),
    ([{"mg": 300, "week": 3}, {"mg": 300, "week": 3}], "doses[1]"),
    ([{"mg": 400, "week": 0, "weight_below_kg": 60}, {"mg": 600, "week": 0, "weight_below_kg": 80}], "doses[1]"),
    ([{"mg": 400, "week": 0, "weight_below_kg": 60}, {"mg": 600, "week": 0, "weight_at_least_kg": 50}], "doses[1]"),
    ([{"mg": 400, "week": 0}, {"mg": 600, "week": 0, "weight_at_least_kg": 50}], "doses[1]"),
    # entries out of order of week
    ([{"mg": 300, "every_weeks": 2, "from_week": 2}, {"mg": 600, "week": 0}], "doses[1]"),
    ([{"mg": 300, "week": 4}, {"mg": 300, "week": 2}], "doses[1]"),
    ([{"mg": 300, "week": 1}, {"mg": 300, "week": 5}, {"mg": 300, "week": 3}], "doses[2]"),
]


@pytest.mark.parametrize(("entries", "field"), _BAD_ENTRIES)
def test_bad_entries_raise_input_error_naming_the_field(entries, field):
    with pytest.raises(InputError) as info:
        Regimen.from_entries(entries)
    assert info.value.field == field
    assert info.value.problem
    assert str(info.value).startswith(f"{field}: ")


def test_field_prefix_is_passed_through():
    with pytest.raises(InputError) as info:
        Regimen.from_entries([{"mg": 600, "week": 0}, {"mg": 0, "week": 2}], field="arms[2].doses")
    assert info.value.field == "arms[2].doses[1].mg"


def test_input_error_is_a_value_error():
    with pytest.raises(ValueError):
        Regimen.from_entries([{"mg": -1, "week": 0}])


@pytest.mark.parametrize(
    "entries",
    [
        ADOLESCENT,
        [{"mg": 600, "week": 0, "weight_below_kg": 60}, {"mg": 600, "week": 0, "weight_at_least_kg": 60}],
        [{"mg": 300, "every_weeks": 2, "until_week": 4}, {"mg": 300, "every_weeks": 2, "from_week": 5}],
        [{"mg": 300, "every_weeks": 2}, {"mg": 100, "week": 3}],  # odd week never hits the q2w schedule
        [{"mg": MAX_DOSE_MG, "week": 0}],
        [{"mg": 1e-3, "week": 0.5}],
    ],
)
def test_valid_edge_cases_build(entries):
    regimen = Regimen.from_entries(entries)
    assert len(regimen.entries) == len(entries)


# --- validation of records ---------------------------------------------------------------------------------------

_BAD_RECORDS = [
    ([{"amt": 300, "time": 0, "ii": 14, "addl": -1}], "records[0].addl"),
    ([{"amt": 300, "time": 0, "ii": 14, "addl": 1.5}], "records[0].addl"),
    ([{"amt": 300, "time": 0, "ii": 14, "addl": 2.0}], "records[0].addl"),
    ([{"amt": 300, "time": 0, "ii": 14, "addl": True}], "records[0].addl"),
    ([{"amt": 300, "time": 0, "ii": 14, "addl": "3"}], "records[0].addl"),
    ([{"amt": 300, "time": 0, "addl": 3}], "records[0].ii"),
    ([{"amt": 300, "time": 0, "ii": 0, "addl": 3}], "records[0].ii"),
    ([{"amt": 300, "time": 0, "ii": -14, "addl": 3}], "records[0].ii"),
    ([{"amt": 300, "time": 0, "ii": math.nan, "addl": 3}], "records[0].ii"),
    ([{"time": 0}], "records[0].amt"),
    ([{"amt": 0}], "records[0].amt"),
    ([{"amt": -5}], "records[0].amt"),
    ([{"amt": True}], "records[0].amt"),
    ([{"amt": math.nan}], "records[0].amt"),
    ([{"amt": 300, "time": -1}], "records[0].time"),
    ([{"amt": 300, "time": math.inf}], "records[0].time"),
    ([{"amt": 300, "cmt": 1}], "records[0].cmt"),
    ([{"amt": 600, "time": 0}, {"amt": 300, "time": 0}], "records[1]"),
    ([{"amt": 300, "time": 0, "ii": 7, "addl": 4}, {"amt": 300, "time": 28}], "records[1]"),
    ([{"amt": 300, "time": 14}, {"amt": 600, "time": 0}], "records[1]"),
]


@pytest.mark.parametrize(("records", "field"), _BAD_RECORDS)
def test_bad_records_raise_input_error_naming_the_field(records, field):
    with pytest.raises(InputError) as info:
        Regimen.from_records(records)
    assert info.value.field == field


def test_record_errors_give_times_in_days_as_records_do():
    with pytest.raises(InputError, match=r"^records\[1\]: overlaps an earlier entry at day 14$"):
        Regimen.from_records([{"amt": 600, "time": 0, "ii": 14, "addl": 2}, {"amt": 300, "time": 14}])


def test_record_with_addl_zero_needs_no_interval():
    times, _ = _events(Regimen.from_records([{"amt": 300, "time": 7, "addl": 0}]), 100.0)
    assert times == [7.0]


# --- known bugs: other exception types than InputError ---------------------------------------------------------


@pytest.mark.parametrize("key", ["mg", "week"])
def test_huge_integer_raises_input_error(key):
    # regimen.py _number: math.isfinite(10**400) raises OverflowError before the InputError check
    entry = {"mg": 300, "week": 0, key: 10**400}
    with pytest.raises(InputError):
        Regimen.from_entries([entry])


def test_tiny_every_weeks_raises_input_error():
    # Regimen.check: floor(520 / 5e-324) -> OverflowError (and e.g. 1e-7 builds a 5e9-element list instead)
    with pytest.raises(InputError):
        Regimen.from_entries([{"mg": 300, "every_weeks": 5e-324}])


def test_huge_until_week_raises_input_error():
    # Regimen.check: floor((1e308 - 0) / 0.05) -> OverflowError (and e.g. until_week=1e9 builds a huge list)
    with pytest.raises(InputError):
        Regimen.from_entries([{"mg": 300, "every_weeks": 0.05, "until_week": 1e308}])


def test_record_with_huge_interval_raises_input_error():
    # from_records: until_week = (time + addl * ii) / 7 = inf; check() then does floor(inf) -> OverflowError
    with pytest.raises(InputError):
        Regimen.from_records([{"amt": 300, "time": 0, "ii": 1e308, "addl": 10}])


def test_non_mapping_record_raises_input_error():
    # from_records does set(rec) without checking rec is a mapping (from_entries does check)
    with pytest.raises(InputError) as info:
        Regimen.from_records([5])
    assert info.value.field == "records[0]"


def test_records_accept_numpy_scalars():
    rec = {"amt": np.float64(300), "time": np.int64(14), "ii": np.int64(14), "addl": np.int64(3)}
    times, _ = _events(Regimen.from_records([rec]), 100.0)
    assert times == [14.0, 28.0, 42.0, 56.0]


# --- properties ---------------------------------------------------------------------------------------------------

_EVERY = st.sampled_from([0.25, 0.5, 1, 1.5, 2, 3, 4, 8, 12])


@st.composite
def valid_entries(draw):
    """Sorted, non-overlapping entries: each entry's doses end before the next entry starts."""
    n = draw(st.integers(0, 6))
    start = draw(st.one_of(st.integers(0, 10), st.integers(0, 40).map(lambda k: k / 4)))
    entries = []
    for i in range(n):
        if start > MAX_WEEK:  # every dose of a valid regimen falls within the allowed 520 weeks
            break
        mg = draw(st.one_of(st.integers(1, int(MAX_DOSE_MG)), st.floats(0.01, MAX_DOSE_MG)))
        if draw(st.booleans()):
            entries.append({"mg": mg, "week": start})
            last = start
        else:
            every = draw(_EVERY)
            open_ended = i == n - 1 and draw(st.booleans())
            entry = {"mg": mg, "every_weeks": every, "from_week": start}
            if open_ended:
                last = start
            else:
                count = draw(st.integers(0, min(20, int((MAX_WEEK - start) // every))))
                last = start + every * count
                entry["until_week"] = last
            entries.append(entry)
        start = last + draw(st.sampled_from([0.5, 1, 2, 3.5, 7]))
    return entries


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    entries=valid_entries(),
    horizon_days=st.floats(0, 600),
    weights=st.lists(st.floats(30, 200), min_size=1, max_size=4),
)
def test_valid_entries_build_and_events_are_sorted_and_within_horizon(entries, horizon_days, weights):
    regimen = Regimen.from_entries(entries)
    times, amounts = regimen.events(horizon_days, np.array(weights))
    assert amounts.shape == (len(times), len(weights))
    assert np.all(np.diff(times) > 0)
    assert np.all(times >= 0)
    assert np.all(times <= horizon_days + 1e-6)
    assert np.all(amounts > 0)  # no weight tiers here: every patient gets every dose
    expected = []
    for e in regimen.entries:
        expected += [(round(d, 6), e.mg) for d in e.days(horizon_days)]
    expected.sort()
    assert [round(t, 6) for t in times] == [t for t, _ in expected]
    np.testing.assert_allclose(amounts[:, 0], [mg for _, mg in expected])
    np.testing.assert_allclose(amounts, np.repeat(amounts[:, :1], len(weights), axis=1))


@settings(max_examples=150, deadline=None)
@given(entries=valid_entries(), horizon_days=st.floats(0, 600))
def test_records_of_valid_entries_give_the_same_events(entries, horizon_days):
    """Each entry written as a NONMEM record (days) expands to the same events."""
    if any("every_weeks" in e and "until_week" not in e for e in entries):
        entries = [e for e in entries if "week" in e or "until_week" in e]
    records = []
    for e in entries:
        if "week" in e:
            records.append({"amt": e["mg"], "time": e["week"] * 7.0})
        else:
            n = round((e["until_week"] - e["from_week"]) / e["every_weeks"])
            rec = {"amt": e["mg"], "time": e["from_week"] * 7.0, "addl": n}
            if n:
                rec["ii"] = e["every_weeks"] * 7.0
            records.append(rec)
    t_ent, a_ent = Regimen.from_entries(entries).events(horizon_days, np.array([70.0]))
    t_rec, a_rec = Regimen.from_records(records).events(horizon_days, np.array([70.0]))
    np.testing.assert_allclose(t_rec, t_ent, atol=1e-6)
    np.testing.assert_allclose(a_rec, a_ent)


_KEYS = ("mg", "week", "every_weeks", "from_week", "until_week", "weight_below_kg", "weight_at_least_kg")
_NOT_A_NUMBER = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=5),
    st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(0, 3), max_size=1),
    st.sampled_from([math.nan, math.inf, -math.inf]),
)
_NON_POSITIVE = st.one_of(st.integers(-(10**9), 0), st.floats(max_value=0.0, allow_nan=False))
_NEGATIVE = st.one_of(st.integers(-(10**9), -1), st.floats(max_value=-1e-9, allow_nan=False))
_INVALID_CASES = st.one_of(
    st.tuples(st.just("mg"), st.one_of(_NOT_A_NUMBER, _NON_POSITIVE, st.floats(MAX_DOSE_MG * 1.0001, 1e300))),
    st.tuples(st.just("week"), st.one_of(_NOT_A_NUMBER, _NEGATIVE)),
    st.tuples(st.just("every_weeks"), st.one_of(_NOT_A_NUMBER, _NON_POSITIVE, st.floats(520.001, 1e300))),
    st.tuples(st.just("from_week"), st.one_of(_NOT_A_NUMBER, _NEGATIVE)),
    st.tuples(
        st.just("until_week"),  # None means "no until_week"
        st.one_of(_NOT_A_NUMBER.filter(lambda v: v is not None), _NEGATIVE, st.floats(0, 1.999)),
    ),
    st.tuples(st.just("weight_below_kg"), st.one_of(_NOT_A_NUMBER, _NON_POSITIVE, st.floats(500.001, 1e300))),
    st.tuples(st.just("weight_at_least_kg"), st.one_of(_NOT_A_NUMBER, _NON_POSITIVE)),
    st.tuples(st.text(min_size=1, max_size=8).filter(lambda k: k not in _KEYS), st.integers(0, 5)),
)


@settings(max_examples=300, deadline=None)
@given(case=_INVALID_CASES, index=st.integers(0, 1))
def test_invalid_values_always_raise_input_error(case, index):
    """One invalid value in an otherwise valid regimen: always InputError naming that entry."""
    key, value = case
    entries = [
        {"mg": 600, "every_weeks": 2, "from_week": 2, "until_week": 2},
        {"mg": 300, "every_weeks": 2, "from_week": 4, "until_week": 16},
    ]
    if key == "week":
        entries[index] = {"mg": entries[index]["mg"]}
    entries[index][key] = value
    with pytest.raises(InputError) as info:
        Regimen.from_entries(entries)
    assert info.value.field == f"doses[{index}]" or info.value.field.startswith(f"doses[{index}].")


_ANY = st.one_of(_NOT_A_NUMBER, st.integers(-(10**400), 10**400), st.floats(allow_nan=True, allow_infinity=True))


@settings(max_examples=300, deadline=None)
@given(
    raw=st.lists(
        st.one_of(st.dictionaries(st.sampled_from([*_KEYS, "dose"]), _ANY, max_size=5), _NOT_A_NUMBER),
        max_size=3,
    )
)
def test_arbitrary_entries_build_or_raise_input_error(raw):
    try:
        regimen = Regimen.from_entries(raw)
    except InputError as exc:
        assert exc.field.startswith("doses[")
    else:
        times, amounts = regimen.events(112.0, np.array([55.0, 75.0]))
        assert np.all(np.diff(times) > 0)
        assert np.all((times >= 0) & (times <= 112.0))
        assert amounts.shape == (len(times), 2)


@settings(max_examples=200, deadline=None)
@given(
    raw=st.lists(
        st.dictionaries(
            st.sampled_from(["amt", "time", "ii", "addl", "cmt"]),
            st.one_of(
                _NOT_A_NUMBER, st.integers(-5, 200), st.floats(-1e6, 1e6).filter(lambda x: not 0 < abs(x) < 0.05)
            ),
            max_size=4,
        ),
        max_size=3,
    )
)
def test_arbitrary_records_build_or_raise_input_error(raw):
    try:
        regimen = Regimen.from_records(raw)
    except InputError as exc:
        assert exc.field.startswith("records[")
    else:
        times, _ = regimen.events(200.0, np.array([70.0]))
        assert np.all(np.diff(times) > 0)
        assert np.all(times >= 0)
