"""Multi-period scenarios: bad period definitions, re-randomisation counts, PK continuity across the boundary, and
period-1 patients that do not depend on whether later periods exist."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from adqsp.errors import InputError
from adqsp.faces.report import write_report
from adqsp.faces.table import period_table
from adqsp.schema import ESTIMANDS, RESPONSE_CRITERIA
from adqsp.trial.job import run_trial
from adqsp.trial.periods import allocate, shares
from adqsp.trial.scenario import load_scenario, parse_scenario
from adqsp.trial.summary import RESPONDER_KEYS

Q2W = [{"mg": 600, "week": 0}, {"mg": 300, "every_weeks": 2, "from_week": 2}]
MAINTAIN = [{"mg": 300, "every_weeks": 2, "from_week": 0}]
POPULATION = {"preset": "adult", "easi_min": 16, "iga_min": 3, "bsa_min_pct": 10}
TWO = {
    "name": "two periods",
    "patients_per_arm": 6,
    "seed": 7,
    "population": POPULATION,
    "periods": [
        {
            "name": "induction",
            "weeks": 16,
            "visits": [4, 8],
            "arms": [{"name": "placebo"}, {"name": "q2w", "drug": "dupilumab", "doses": Q2W}],
        },
        {
            "name": "maintenance",
            "weeks": 36,
            "visits": [4, 12],
            "entry": {"who": "responders", "criteria": ["EASI50"], "non_responders": "open label"},
            "arms": [
                {"name": "q2w kept", "drug": "dupilumab", "from_arms": ["q2w"], "ratio": 0.5, "doses": MAINTAIN},
                {"name": "withdrawn", "from_arms": ["q2w"], "ratio": 0.5},
                {"name": "open label", "drug": "dupilumab", "doses": MAINTAIN},
            ],
        },
    ],
}


def _two() -> dict:
    return copy.deepcopy(TWO)


def _error(data: dict) -> str:
    with pytest.raises(InputError) as info:
        parse_scenario(data)
    message = str(info.value)
    assert "\n" not in message
    return message


# --- parsing and bad period definitions ---------------------------------------------------------------------------


def test_a_two_period_scenario_parses_with_trial_weeks():
    s = parse_scenario(_two())
    assert [p.name for p in s.periods] == ["induction", "maintenance"]
    assert s.weeks == 16 and s.total_weeks == 52 and [a.name for a in s.arms] == ["placebo", "q2w"]
    later = s.periods[1]
    assert later.start_week == 16 and later.visits == (20.0, 28.0, 52.0)
    assert [a.ratio for a in later.arms] == [0.5, 0.5, None]
    assert [a.course_drug.name for a in later.arms] == ["dupilumab"] * 3  # withdrawal carries the drug's washout
    assert later.entry.non_responders == "open label"


def test_the_embedded_designs_parse_and_are_listed():
    for name in ("maintenance", "spacing"):
        s = load_scenario(name)
        assert len(s.periods) >= 2 and s.total_weeks == 52


def test_the_criteria_are_the_responder_rules():
    assert RESPONSE_CRITERIA == RESPONDER_KEYS


def _set(data: dict, path: tuple, value) -> dict:
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


_DELETE = object()
MAINT_ARMS = ("periods", 1, "arms")


@pytest.mark.parametrize(
    ("path", "value", "field", "words"),
    [
        ((*MAINT_ARMS, 1, "ratio"), 0.4, "periods[1].arms", "must sum to 1, got 0.9"),
        (("arms",), [{"name": "placebo"}], "arms", "not allowed with periods"),
        (("weeks",), 52, "weeks", "not allowed with periods"),
        (("periods", 1, "entry", "criteria"), ["EASI80"], "periods[1].entry.criteria[0]", "unknown response crit"),
        (("periods", 1, "entry", "criteria"), [], "periods[1].entry.criteria", "needs at least one criterion"),
        (("periods", 1, "entry", "non_responders"), "nowhere", "periods[1].entry.non_responders", "'nowhere'"),
        ((*MAINT_ARMS, 0, "from_arms"), ["q4w"], "periods[1].arms[0].from_arms[0]", "no arm 'q4w'"),
        ((*MAINT_ARMS, 0, "ratio"), _DELETE, "periods[1].arms[0].ratio", "is required"),
        ((*MAINT_ARMS, 2, "ratio"), 0.5, "periods[1].arms[2].ratio", "non-responders' arm"),
        (("periods", 0, "entry"), {"who": "all"}, "periods[0].entry", "first period has no entry rule"),
        (("periods", 0, "arms", 1, "ratio"), 1.0, "periods[0].arms[1].ratio", "only in later periods"),
        ((*MAINT_ARMS, 1, "name"), "q2w", "periods", "unique across periods"),
        (("periods", 1, "name"), "induction", "periods", "period names must be unique"),
        ((*MAINT_ARMS, 2, "drug"), "tralokinumab", "periods[1].arms[2].drug", "switching to tralokinumab"),
        (("periods", 1, "entry"), {"who": "all", "non_responders": "open label"}, "", "only with who = responders"),
        (("periods", 1, "visits"), [40], "periods[1].visits[0]", "must be <= weeks (36)"),
        (("periods", 1, "estimand"), "imputed", "periods[1].estimand", "'imputed'"),
    ],
)
def test_a_bad_period_definition_is_one_line_naming_the_field(path, value, field, words):
    message = _error(_set(_two(), path, value))
    assert message.startswith(field) and words in message, message


def test_an_arm_nobody_can_enter_and_periods_without_arms_are_errors():
    data = _two()
    data["periods"][1]["entry"] = {"who": "all"}
    data["periods"][1]["arms"] = [{"name": "open label", "drug": "dupilumab", "doses": MAINTAIN}]
    assert "ratio: is required" in _error(data)
    data["periods"][1]["arms"] = []
    assert _error(data).startswith("periods[1].arms")
    data = _two()
    del data["periods"]
    assert _error(data).startswith("weeks: is required")


# --- re-randomisation -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "ratios", "counts"), [(10, [0.4, 0.2, 0.2, 0.2], [4, 2, 2, 2]), (7, [0.5, 0.5], [4, 3])])
def test_shares_are_exact_with_largest_remainders(n, ratios, counts):
    assert shares(n, ratios).tolist() == counts
    draws = np.random.default_rng(0).random(n)
    where = allocate(draws, ratios)
    assert np.bincount(where, minlength=len(ratios)).tolist() == counts
    assert (np.diff(where[np.argsort(draws)]) >= 0).all()  # by their own draw: the lowest draws to the first arm


# --- trials ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two():
    return run_trial(parse_scenario(_two()))


def test_rerandomisation_counts_follow_the_ratios(two):
    flow = two.summary["periods"][1]["flow"]
    q2w = flow["q2w"]
    assert q2w["present"] == 6 and q2w["responders"] >= 2
    half = shares(q2w["responders"], [0.5, 0.5]).tolist()
    assert [q2w["to"]["q2w kept"], q2w["to"]["withdrawn"]] == half
    assert q2w["to"]["open label"] == q2w["present"] - q2w["responders"] and q2w["left"] == 0
    placebo = flow["placebo"]  # its non-responders go open label; no arm randomises its responders: they leave
    assert placebo["to"] == {"open label": placebo["present"] - placebo["responders"]}
    assert placebo["left"] == placebo["responders"]
    arms = {a["name"]: a for a in two.summary["periods"][1]["arms"]}
    assert arms["q2w kept"]["from"] == {"q2w": half[0]}
    assert arms["open label"]["maintenance"]["responders"] == 0
    assert arms["withdrawn"]["maintenance"]["responders"] == half[1]


def test_the_period_table_and_maintenance_endpoints(two):
    rows = two.patients
    later = rows[rows["period"] == "maintenance"]
    assert set(later["week"]) == {20.0, 28.0, 52.0}
    kept = next(a for a in two.summary["periods"][1]["arms"] if a["name"] == "q2w kept")["maintenance"]
    assert 0.0 <= kept["response_kept"] <= kept["response_maintained"] <= 1.0
    curve = kept["loss_of_response"]
    assert curve[0] == {"week": 16.0, "kept": 1.0}
    assert all(b["kept"] <= a["kept"] and b["week"] > a["week"] for a, b in zip(curve, curve[1:], strict=False))
    assert kept["trough_week"] == 52.0 and kept["trough_mg_L"] > 10.0


def test_each_period_counts_under_its_own_estimand(two, monkeypatch):
    """A period's estimand defaults to the scenario's; the first period's sets the trial's arms; a later one's counts
    that period's arms (observed: a rescued patient is left out, not counted a non-responder)."""
    data = _set(_two(), ("estimand",), "locf")
    parsed = parse_scenario(_set(data, ("periods", 1, "estimand"), "observed"))
    assert parsed.estimand == "locf" and [p.estimand for p in parsed.periods] == ["locf", "observed"]
    first = parse_scenario(_set(_two(), ("periods", 0, "estimand"), "observed"))
    assert first.estimand == "observed" and first.periods[1].estimand == "rescue-nonresponder"
    assert [p["estimand"] for p in two.summary["periods"]] == ["rescue-nonresponder", "rescue-nonresponder"]
    # every later-period summary (the arm's and its maintenance endpoints) is counted under the period's estimand
    import adqsp.trial.period_summary as period_summary

    used = []
    for name in ("arm_summary", "maintenance_endpoints"):
        original = getattr(period_summary, name)

        def recording(*args, _original=original, **kwargs):
            used.append(next(a for a in args if isinstance(a, str) and a in ESTIMANDS))
            return _original(*args, **kwargs)

        monkeypatch.setattr(period_summary, name, recording)
    observed = run_trial(parse_scenario(_set(_two(), ("periods", 1, "estimand"), "observed"))).summary
    assert [p["estimand"] for p in observed["periods"]] == ["rescue-nonresponder", "observed"]
    assert used and set(used) == {"observed"}
    assert observed["arms"] == two.summary["arms"]  # the first period's arms are counted as before


def test_period_one_patients_do_not_depend_on_later_periods(two):
    data = _two()
    del data["periods"][1]
    alone = run_trial(parse_scenario(data))
    first = two.patients[two.patients["period"] == "induction"].reset_index(drop=True)
    pd.testing.assert_frame_equal(first, alone.patients)
    assert two.summary["arms"] == alone.summary["arms"] and two.summary["screening"] == alone.summary["screening"]
    # and a one-period scenario is the same trial as the plain form of it
    plain = {k: v for k, v in data.items() if k != "periods"}
    plain.update(weeks=16, visits=[4, 8], arms=data["periods"][0]["arms"])
    single = run_trial(parse_scenario(plain))
    pd.testing.assert_frame_equal(alone.patients.drop(columns="period"), single.patients)


def test_pk_continues_across_the_boundary():
    """All continue on the same regimen: the course matches one 52-week period of it; with PK reset (no loading
    dose, empty depots at week 16) serum at week 20 would be far lower."""
    data = {k: v for k, v in _two().items() if k != "periods"}
    induction = {"name": "induction", "weeks": 16, "visits": [8], "arms": [{"name": "q2w", "drug": "dupilumab"}]}
    induction["arms"][0]["doses"] = Q2W
    maintenance = {"name": "on", "weeks": 36, "visits": [4], "entry": {"who": "all"}}
    maintenance["arms"] = [{"name": "q2w on", "drug": "dupilumab", "doses": MAINTAIN, "ratio": 1.0}]
    split = run_trial(parse_scenario({**data, "periods": [induction, maintenance]}))
    whole = run_trial(parse_scenario({**data, "weeks": 52, "visits": [8, 16, 20], "arms": induction["arms"]}))
    a = split.patients.set_index(["patient_id", "week"]).sort_index()
    b = whole.patients.set_index(["patient_id", "week"]).sort_index()
    assert a.index.equals(b.index)
    for column in ("serum_mg_L", "EASI", "IgE_IU_mL"):
        np.testing.assert_allclose(a[column], b[column], rtol=5e-3, atol=1e-3, err_msg=column)
    boundary = a.xs(16.0, level="week")["serum_mg_L"]
    assert (a.xs(20.0, level="week")["serum_mg_L"] > 0.8 * boundary).all()


def test_the_table_and_report_show_the_periods(two, tmp_path):
    text = period_table(two.summary)
    assert "maintenance (weeks 16-52)" in text and "q2w kept" in text and "withdrawn" in text
    write_report(two.summary, two.patients, tmp_path / "report.html")
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<h2>Periods</h2>" in page and "where the patients went" in page
    assert "time to loss of response (Kaplan-Meier)" in page
