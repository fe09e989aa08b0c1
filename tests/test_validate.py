"""``adqsp validate``: published results a targets file describes, compared with virtual trials of their designs."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import pytest

from adqsp.faces.cli import main
from adqsp.trial.job import run_trial
from adqsp.trial.scenario import load_scenario
from adqsp.trial.summary import BASELINE_KEYS, VISIT_KEYS
from adqsp.trial.targets import calibration_targets, number
from adqsp.trial.validate import BUILT_IN_STUDIES
from conftest import SimulationStarted, files_under

SCENARIO = """\
name = "my trial"
weeks = 8
visits = [0, 4, 8]
patients_per_arm = 500
seed = 1
[[arms]]
name = "placebo"
[[arms]]
name = "dupilumab q2w"
drug = "dupilumab"
doses = [{mg = 600, week = 0}, {mg = 300, every_weeks = 2, from_week = 2}]
"""
HEADER = "study,arm,week,endpoint,value,unit\n"
ROWS = """\
My study,placebo,8,EASI75,0.10,fraction
My study,dupilumab q2w,8,EASI_pct_change,-60,%
My study,dupilumab q2w,4,IGA01,0.2,fraction
My study,all arms,0,EASI_mean,30,points
My study,dupilumab q2w,8,serum_trough,60-80,mg/L
My study,dupilumab q2w,8,itch_free_days,3,days
"""


def _files(folder: Path, rows: str = ROWS, header: str = HEADER) -> tuple[Path, Path]:
    targets, scenario = folder / "targets.csv", folder / "my.toml"
    targets.write_text(header + rows, encoding="utf-8")
    scenario.write_text(SCENARIO, encoding="utf-8")
    return targets, scenario


def test_every_comparable_row_is_compared_with_the_scenario_s_trial(tmp_path, capsys):
    targets, scenario = _files(tmp_path)
    out = tmp_path / "out"
    argv = ["validate", str(targets), "--scenario", f"My study={scenario}", "--out", str(out)]
    assert main([*argv, "--patients-per-arm", "40", "--seed", "3"]) == 0
    printed = capsys.readouterr().out
    summary = run_trial(replace(load_scenario(scenario), patients_per_arm=40, seed=3)).summary
    placebo, dupilumab = summary["arms"]
    expected = {
        ("placebo", 8.0, "EASI75"): placebo["visits"]["8"]["EASI75"],
        ("dupilumab q2w", 8.0, "EASI_pct_change"): dupilumab["visits"]["8"]["EASI_pct_change"],
        ("dupilumab q2w", 4.0, "IGA01"): dupilumab["visits"]["4"]["IGA01"],
        ("all arms", 0.0, "EASI_mean"): (
            placebo["n"] * placebo["baseline"]["EASI_mean"] + dupilumab["n"] * dupilumab["baseline"]["EASI_mean"]
        )
        / (placebo["n"] + dupilumab["n"]),
    }
    with (out / "validation.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [r["line"] for r in rows] == ["2", "3", "4", "5"]
    for row in rows:
        simulated = expected[(row["arm"], float(row["week"]), row["endpoint"])]
        assert float(row["simulated"]) == pytest.approx(simulated, rel=1e-12)
        scale = 100.0 if row["kind"] == "rate" else 1.0
        assert float(row["error"]) == pytest.approx(scale * (simulated - float(row["published"])), rel=1e-9)
    report = json.loads((out / "validation.json").read_text(encoding="utf-8"))
    rate_errors = [abs(float(r["error"])) for r in rows if r["kind"] == "rate"]
    assert report["mean_absolute_error"]["rate"] == {
        "n": 2,
        "mae": pytest.approx(sum(rate_errors) / 2),
        "unit": "percentage points",
    }
    assert report["mean_absolute_error"]["% change"]["n"] == 1
    assert report["skipped"] == {"value_not_a_number": 1, "endpoint_not_simulated": 1}
    assert report["runs"] == [
        {
            "scenario": "my trial",
            "source": str(scenario),
            "studies": ["My study"],
            "patients_per_arm": 40,
            "seed": 3,
            "estimand": "rescue-nonresponder",
        }
    ]
    assert "EASI_pct_change" in printed and "mean absolute error" in printed and "percentage points" in printed


def test_without_arguments_the_shipped_targets_are_compared_with_the_built_in_solo_1(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["validate", "--out", str(out), "--patients-per-arm", "30"]) == 0
    capsys.readouterr()
    report = json.loads((out / "validation.json").read_text(encoding="utf-8"))
    comparable = [
        r
        for r in calibration_targets()
        if number(r["value"]) is not None and r["endpoint"] in (*VISIT_KEYS, *BASELINE_KEYS)
    ]
    ours = [r for r in comparable if r["study"] in BUILT_IN_STUDIES]
    assert len(report["comparisons"]) == len(ours) > 20
    assert report["skipped"]["study_without_scenario"] == len(comparable) - len(ours) > 0
    assert {c["study"] for c in report["comparisons"]} == set(BUILT_IN_STUDIES)
    assert report["runs"][0]["source"] == "built-in SOLO 1" and report["runs"][0]["patients_per_arm"] == 30


_BAD = [
    ("missing column", dict(header="study,arm,week,endpoint,published\n"), "targets.csv, column value: missing"),
    ("no comparable row", dict(rows="My study,placebo,8,EASI75,about 0.1,fraction\n"), "targets.csv: no row"),
    (
        "study without scenario",
        dict(rows="My study,placebo,8,EASI75,0.1,\nOther,placebo,8,EASI75,0.1,\n"),
        "targets.csv, line 3: study 'Other' has no scenario",
    ),
    ("arm not in the scenario", dict(rows="My study,q4w,8,EASI75,0.1,\n"), "line 2, column arm: 'q4w'"),
    ("week not a visit", dict(rows="My study,placebo,6,EASI75,0.1,\n"), "line 2, column week: week 6"),
    ("week not a number", dict(rows="My study,placebo,end,EASI75,0.1,\n"), "line 2, column week: not a number"),
    ("baseline at week 8", dict(rows="My study,all arms,8,EASI_mean,30,\n"), "line 2, column week: EASI_mean"),
    ("rate in percent", dict(rows="My study,placebo,8,EASI75,15,%\n"), "line 2, column value: a rate"),
    ("not CSV", dict(rows='My study,placebo,8,"EASI75"x,0.1,\n'), "targets.csv, line 2: not valid CSV"),
]


@pytest.mark.parametrize(("files", "message"), [c[1:] for c in _BAD], ids=[c[0] for c in _BAD])
def test_a_bad_targets_file_is_one_line_naming_the_file_and_nothing_is_written(work, capsys, files, message):
    targets, scenario = _files(work, **files)
    _assert_input_error(capsys, work, ["validate", str(targets), "--scenario", f"My study={scenario}"], message)


def test_unreadable_files_and_bad_options_are_input_errors(work, capsys):
    targets, scenario = _files(work)
    (work / "latin1.csv").write_bytes(HEADER.encode() + "Étude,placebo,8,EASI75,0.1,\n".encode("latin-1"))
    full = work / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine", encoding="utf-8")
    ok = ["--scenario", f"My study={scenario}"]
    cases = [
        (["validate", "missing.csv", *ok], "missing.csv: cannot read it"),
        (["validate", str(work), *ok], f"{work}: cannot read it"),
        (["validate", "latin1.csv"], "latin1.csv: not UTF-8"),
        (["validate", str(targets), "--scenario", "My study"], "--scenario: expected STUDY=FILE"),
        (["validate", str(targets), "--scenario", "Nobody=x.toml"], "--scenario: study 'Nobody' is not in"),
        (["validate", str(targets), "--scenario", "My study=missing.toml"], "missing.toml: scenario: cannot read"),
        (["validate", str(targets), *ok, "--patients-per-arm", "0"], "--patients-per-arm:"),
        (["validate", str(targets), *ok, "--out", str(full)], "--out: "),
    ]
    for argv, message in cases:
        _assert_input_error(capsys, work, argv, message)


def test_a_worsening_signature_is_a_reversal_not_a_bad_rate(work):
    targets, scenario = _files(work, rows="My study,dupilumab q2w,4,signature_reversal,-0.1,fraction\n")
    with pytest.raises(SimulationStarted):  # planned: the trial was about to run
        main(["validate", str(targets), "--scenario", f"My study={scenario}"])


def _assert_input_error(capsys, work: Path, argv: list[str], message: str) -> None:
    before = files_under(work)
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith("adqsp: error: ") and message in err, err
    assert files_under(work) == before  # nothing created, removed or changed, no results/ folder
