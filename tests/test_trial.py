"""The main job: summary shape, per-patient table, report, reproducibility, safe results folders."""

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from adqsp.errors import FailureWarning
from adqsp.faces.cli import main
from adqsp.trial.job import parameter_set_hash, run_trial
from adqsp.trial.run import screen
from adqsp.trial.scenario import load_scenario
from adqsp.trial.summary import PATHWAY_KEYS, VISIT_KEYS
from adqsp.trial.targets import number, value_range

SMALL = replace(load_scenario(), patients_per_arm=6, seed=11)


@pytest.fixture(scope="module")
def result():
    return run_trial(SMALL)


def test_summary_has_the_documented_shape(result):
    s = result.summary
    assert s["scenario"] == "solo1" and s["seed"] == 11 and s["parameter_overrides"] == {}
    assert [a["name"] for a in s["arms"]] == [a.name for a in SMALL.arms]
    for arm in s["arms"]:
        assert arm["n"] + arm["excluded"] == 6
        assert set(arm["baseline"]) == {"EASI_mean", "IGA4_fraction", "NRS_mean", "BSA_mean"}
        assert set(arm["visits"]) == {"0", "1", "2", "4", "8", "12", "16"}
        week16 = arm["visits"]["16"]
        assert set(week16) == {*VISIT_KEYS, *PATHWAY_KEYS}
        for key in ("EASI50", "EASI75", "EASI90", "IGA01"):
            assert 0.0 <= week16[key] <= 1.0
    placebo, q2w = s["arms"][0], s["arms"][1]
    assert placebo["visits"]["16"]["serum_trough_mg_L"] is None
    # a mean of 6 patients (76.5 mg/L here) scatters widely: the label range 60-80 mg/L is checked on the
    # 1000-patient default trial (test_solo1_contract.py)
    assert 30.0 < q2w["visits"]["16"]["serum_trough_mg_L"] < 150.0
    assert q2w["published"]["16"]["EASI75"] == pytest.approx(0.51)
    json.dumps(s, allow_nan=False)  # strict JSON: no NaN anywhere


def test_the_parameter_set_recorded_includes_the_overrides():
    overridden = replace(SMALL, parameters=(("pk_Vc", 5.52),))
    assert parameter_set_hash(overridden) != parameter_set_hash(SMALL)
    assert parameter_set_hash(overridden) == parameter_set_hash(replace(SMALL, parameters=(("pk_Vc", 5.52),)))


def test_the_endpoint_table_holds_every_visit_entry_of_the_summary(result):
    table = result.endpoints()
    arms = result.summary["arms"]
    flat = [
        len(v) if isinstance(v, dict) else 1
        for arm in arms
        for entries in arm["visits"].values()
        for v in entries.values()
    ]
    assert len(table) == sum(flat)
    q2w = table[(table.arm == arms[1]["name"]) & (table.week == 16.0)].set_index("endpoint")
    assert q2w.loc["EASI75", "value"] == arms[1]["visits"]["16"]["EASI75"]
    assert q2w.loc["EASI75", "published"] == pytest.approx(0.51)


def test_baseline_meets_inclusion_criteria(result):
    for arm in result.arms:
        base = {k: v[0] for k, v in arm.scores.items()}
        assert (base["EASI"] >= 16).all() and (base["IGA"] >= 3).all() and (base["BSA"] >= 10).all()


def test_patient_table_has_one_row_per_patient_per_visit(result):
    p = result.patients
    assert len(p) == 3 * 6 * 7
    assert p.groupby(["arm", "patient_id"]).size().eq(7).all()
    assert {"WT", "parameter_set", "EASI", "IGA", "NRS", "BSA", "serum_mg_L", "il4ra_occupancy"} <= set(p.columns)
    on_drug = p[(p.arm == "dupilumab 300 mg q2w") & (p.week == 16)]
    assert (on_drug.il4ra_occupancy > 0.8).all()


def test_same_seed_same_numbers_and_arms_randomised_from_one_screen(result):
    again = run_trial(SMALL)
    assert json.dumps(again.summary) == json.dumps(result.summary)
    ids = [set(a.patients.index) for a in result.arms]
    assert not (ids[0] & ids[1]) and not (ids[1] & ids[2])
    other = run_trial(replace(SMALL, seed=12))
    assert json.dumps(other.summary) != json.dumps(result.summary)


def test_a_patients_arm_does_not_depend_on_who_else_is_included():
    # each candidate's arm is its own draw: stricter entry criteria drop patients but move none between arms
    loose = screen(SMALL).arms
    strict = screen(replace(SMALL, inclusion=replace(SMALL.inclusion, easi_min=24.0))).arms
    assert [len(indices) for indices, _ in loose] == [len(indices) for indices, _ in strict] == [6, 6, 6]
    arm_of = [{int(i): k for k, (indices, _) in enumerate(arms) for i in indices} for arms in (loose, strict)]
    common = arm_of[0].keys() & arm_of[1].keys()
    assert len(common) >= 4 and all(arm_of[0][i] == arm_of[1][i] for i in common)


def test_a_patient_does_not_depend_on_how_many_others_are_simulated(result):
    bigger = run_trial(replace(SMALL, patients_per_arm=9))
    small_arm, big_arm = result.arms[1], bigger.arms[1]
    common = np.intersect1d(small_arm.patients.index, big_arm.patients.index)
    assert len(common) >= 5
    a = small_arm.readouts["EASI_latent"][:, np.searchsorted(small_arm.patients.index, common)]
    b = big_arm.readouts["EASI_latent"][:, np.searchsorted(big_arm.patients.index, common)]
    np.testing.assert_allclose(a, b, rtol=1e-12)


def test_cli_trial_writes_results_and_can_run_twice(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(
        'name = "tiny"\nweeks = 4\npatients_per_arm = 30\nseed = 2\n'
        '[[arms]]\nname = "placebo"\n'
        '[[arms]]\nname = "dupilumab"\ndrug = "dupilumab"\n'
        "doses = [{mg = 600, week = 0}, {mg = 300, every_weeks = 2, from_week = 2}]\n",
        encoding="utf-8",
    )
    for _ in range(2):
        assert main(["trial", str(scenario)]) == 0
    out = tmp_path / "results" / "tiny"
    assert sorted(f.name for f in out.iterdir()) == ["patients.parquet", "report.html", "summary.json"]
    assert [p.name for p in (tmp_path / "results").iterdir()] == ["tiny"]  # no staging folders left behind
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    # 30 patients per arm: enough for the drug's mean improvement at week 4 to exceed the placebo arm's
    assert summary["arms"][1]["visits"]["4"]["EASI_pct_change"] < summary["arms"][0]["visits"]["4"]["EASI_pct_change"]
    assert len(pd.read_parquet(out / "patients.parquet")) == 2 * 30 * 2
    assert "week 4" in capsys.readouterr().out


def test_failed_and_negative_patients_are_excluded_and_counted_by_reason(monkeypatch):
    """A solver failure and a negative amount are excluded from every statistic and reported with their reason."""
    from adqsp.trial import run as run_module

    solve = run_module.solve

    def sabotaged(c, P, y0, times, *args, **kwargs):
        tr = solve(c, P, y0, times, *args, **kwargs)
        if times[0] < 0:  # screening: leave alone
            return tr
        ok = tr.ok.copy()
        ok[0] = False
        states = tr.states.copy()
        states[-1, 0, 1] = -1e3
        message = ("step size too small", *tr.message[1:])
        return replace(tr, ok=ok, states=states, message=message)

    monkeypatch.setattr(run_module, "solve", sabotaged)
    scenario = replace(SMALL, arms=SMALL.arms[1:2], patients_per_arm=4)
    with pytest.warns(FailureWarning, match="arm 'dupilumab 300 mg q2w': 2 of 4 patients"):
        result = run_trial(scenario)
    arm = result.summary["arms"][0]
    assert arm["n"] == 2 and arm["excluded"] == 2
    assert arm["excluded_reasons"] == {"negative amount": 1, "step size too small": 1}
    rows = result.patients[result.patients.week == 0]
    assert sorted(rows.status) == ["negative amount", "ok", "ok", "step size too small"]
    healthy = result.arms[0].readouts["EASI_latent"][:, 2:]
    assert np.isfinite(healthy).all()


def test_target_values_are_read_as_numbers_and_ranges():
    assert [number(v) for v in ("-38", "0.51", "60-80", "47.2 -> 23.6")] == [-38.0, 0.51, None, None]
    assert [value_range(v) for v in ("60-80", "-38", "0.51")] == [(60.0, 80.0), None, None]
