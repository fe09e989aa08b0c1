"""Bad input on the command line: exit code 2, one line on stderr naming the field, nothing written.

Every test runs in an empty working folder, so a default ``results/`` folder would be seen, and with the
simulation entry points replaced by a guard: an error that is not raised before simulating fails the test at
once instead of running a trial.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

import adqsp.trial.course
import adqsp.trial.job
from adqsp.errors import InputError
from adqsp.faces.cli import main
from adqsp.trial.scenario import default_scenario_text
from conftest import SimulationStarted, files_under


def _scenario(folder: Path, name: str = "small.toml", append: str = "", **replace: str) -> Path:
    text = default_scenario_text().replace("patients_per_arm = 1000", "patients_per_arm = 1") + append
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new, 1)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _assert_input_error(capsys, work: Path, argv: list[str], field: str | None) -> str:
    before = files_under(work)
    rc = main(argv)
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert rc == 2, err
    assert len(lines) == 1, err
    line = lines[0]
    assert line.startswith("adqsp: error: ") and line.strip() != "adqsp: error:"
    assert "Traceback" not in err
    if field is not None:
        assert line.startswith(f"adqsp: error: {field}: "), line
    assert out == ""
    assert not (work / "results").exists()
    assert files_under(work) == before  # nothing created, removed or changed
    return line


_CASES = [
    ("simulate unknown drug", ["simulate", "--drug", "omalizumab", "--out", "ts.csv"], "--drug"),
    ("simulate .txt", ["simulate", "--out", "ts.txt"], "--out"),
    ("simulate no extension", ["simulate", "--out", "ts"], "--out"),
    ("simulate missing folder", ["simulate", "--out", "nowhere/ts.csv"], "--out"),
    ("simulate missing folder parquet", ["simulate", "--out", "a/b/ts.parquet"], "--out"),
    ("simulate negative weeks", ["simulate", "--weeks", "-1", "--out", "ts.csv"], "--weeks"),
    ("simulate too many weeks", ["simulate", "--weeks", "521", "--out", "ts.csv"], "--weeks"),
    ("simulate nan weeks", ["simulate", "--weeks", "nan", "--out", "ts.csv"], "--weeks"),
    ("simulate weeks not a number", ["simulate", "--weeks", "four", "--out", "ts.csv"], "arguments"),
    ("simulate without --out", ["simulate"], "arguments"),
    ("simulate missing scenario", ["simulate", "--scenario", "missing.toml", "--out", "ts.csv"], "scenario"),
    ("params unknown drug", ["params", "--drug", "omalizumab"], None),
    ("params bad format", ["params", "--format", "html"], "arguments"),
    ("trial missing scenario", ["trial", "missing.toml"], "scenario"),
    ("trial patients 0", ["trial", "--patients-per-arm", "0"], "--patients-per-arm"),
    ("trial patients negative", ["trial", "--patients-per-arm", "-5"], "--patients-per-arm"),
    ("trial patients too many", ["trial", "--patients-per-arm", "1000001"], "--patients-per-arm"),
    ("trial patients not a number", ["trial", "--patients-per-arm", "ten"], "arguments"),
    ("trial seed -1", ["trial", "--seed", "-1"], "--seed"),
    ("trial unknown option", ["trial", "--frobnicate"], "arguments"),
    ("trial seed too large", ["trial", "--seed", str(2**63)], "--seed"),
    ("trial workers 0", ["trial", "--workers", "0"], "--workers"),
    ("trial workers without dask", ["trial", "--workers", "3"], "--workers"),
    ("trial scheduler without dask", ["trial", "--scheduler", "tcp://127.0.0.1:1"], "--scheduler"),
    (
        "trial workers with a scheduler",
        ["trial", "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1", "--workers", "2"],
        "--workers",
    ),
    ("simulate PK model of another drug", ["simulate", "--pk-model", "zhu2017", "--out", "ts.csv"], "--pk-model"),
    (
        "simulate PK model for placebo",
        ["simulate", "--drug", "placebo", "--pk-model", "zhu2017", "--out", "t.csv"],
        "--pk-model",
    ),
    ("params unknown PK model", ["params", "--pk-model", "one_compartment"], "--pk-model"),
    ("calibrate patients 5", ["calibrate", "--patients-per-arm", "5"], "--patients-per-arm"),
    ("calibrate seed -1", ["calibrate", "--seed", "-1"], "--seed"),
    ("calibrate no evaluations", ["calibrate", "--max-evaluations", "0"], "--max-evaluations"),
    ("calibrate only an unfitted name", ["calibrate", "--only", "itch_half,pk_Vc"], "--only[1]"),
    ("unknown subcommand", ["frobnicate"], "arguments"),
    ("no subcommand", [], "arguments"),
    ("assay IL-5", ["assay", "--cytokine", "IL-5"], "arguments"),
    ("assay without cytokine", ["assay"], "arguments"),
    ("assay negative drug", ["assay", "--cytokine", "IL-4", "--drug-nM", "-1", "--drug", "dupilumab"], "--drug-nM"),
    ("assay concentration without drug", ["assay", "--cytokine", "IL-4", "--drug-nM", "5"], "--drug-nM"),
    ("assay unknown drug", ["assay", "--cytokine", "IL-13", "--drug", "omalizumab", "--drug-nM", "5"], "--drug"),
    ("assay unknown cell", ["assay", "--cytokine", "IL-13", "--cell", "neuron"], "--cell"),
]


@pytest.mark.parametrize(("argv", "field"), [c[1:] for c in _CASES], ids=[c[0] for c in _CASES])
def test_bad_arguments_exit_2_with_one_line(capsys, work, argv, field):
    _assert_input_error(capsys, work, argv, field)


def test_params_unknown_drug_names_the_drug(capsys, work):
    line = _assert_input_error(capsys, work, ["params", "--drug", "omalizumab"], None)
    assert "drug" in line and "omalizumab" in line


def test_simulate_missing_folder_is_not_created(capsys, work):
    _assert_input_error(capsys, work, ["simulate", "--out", "nowhere/ts.csv"], "--out")
    assert not (work / "nowhere").exists()


def test_simulate_out_below_a_file(capsys, work):
    (work / "afile").write_text("not a folder", encoding="utf-8")
    line = _assert_input_error(capsys, work, ["simulate", "--out", "afile/ts.csv"], "--out")
    assert "afile is a file" in line


def test_simulate_out_is_a_folder(capsys, work):
    (work / "ts.csv").mkdir()
    _assert_input_error(capsys, work, ["simulate", "--out", "ts.csv"], "--out")


def test_trial_malformed_toml(capsys, work):
    path = work / "broken.toml"
    path.write_text('name = "broken"\nweeks = \n[[arms]\n', encoding="utf-8")
    line = _assert_input_error(capsys, work, ["trial", str(path)], "scenario")
    assert "broken.toml" in line


def test_trial_scenario_with_negative_dose(capsys, work):
    path = _scenario(work, **{"{mg = 600, week = 0}": "{mg = -600, week = 0}"})
    _assert_input_error(capsys, work, ["trial", str(path)], "arms[1].doses[0].mg")


@pytest.mark.parametrize(
    ("replace", "append", "field"),
    [
        ({'drug = "dupilumab"': 'drug = "omalizumab"'}, "", "arms[1].drug"),
        ({"weeks = 16": "weeks = 0"}, "", "weeks"),
        ({'name = "solo1"': 'name = "../escape"'}, "", "name"),
        ({"seed = 20161": "seed = -3"}, "", "seed"),
        ({'preset = "adult"': 'preset = "toddler"'}, "", "population.preset"),
        ({"seed = 20161": "seed = 1\ncolour = 'blue'"}, "", "colour"),
        ({}, "\n[parameters]\nnot_a_parameter = 1.0\n", "parameters.not_a_parameter"),
        ({}, "\n[parameters]\nth2_drive = -1.0\n", "parameters.th2_drive"),
        ({}, '\n[[arms]]\nname = "placebo"\n', "arms"),
    ],
)
def test_trial_invalid_scenario_file(capsys, work, replace, append, field):
    path = _scenario(work, append=append, **replace)
    _assert_input_error(capsys, work, ["trial", str(path)], field)


def test_trial_scenario_file_with_patients_override_0(capsys, work):
    path = _scenario(work)
    _assert_input_error(capsys, work, ["trial", str(path), "--patients-per-arm", "0"], "--patients-per-arm")


@pytest.mark.parametrize(
    ("option", "line", "value"), [("--patients-per-arm", "patients_per_arm = 1", "0"), ("--seed", "seed = 20161", "-2")]
)
def test_option_and_scenario_key_give_the_same_message(capsys, work, option, line, value):
    from_option = _assert_input_error(capsys, work, ["trial", option, value], option)
    path = _scenario(work, **{line: f"{line.split(' = ')[0]} = {value}"})
    from_file = _assert_input_error(capsys, work, ["trial", str(path)], line.split(" = ")[0])
    assert from_option.split(": ", 3)[3] == from_file.split(": ", 3)[3]


def test_trial_out_is_a_file(capsys, work):
    (work / "out").write_text("not a folder", encoding="utf-8")
    path = _scenario(work)
    _assert_input_error(capsys, work, ["trial", str(path), "--out", "out"], "--out")
    assert (work / "out").read_text(encoding="utf-8") == "not a folder"


def test_trial_non_empty_out_needs_force(capsys, work):
    out = work / "existing"
    out.mkdir()
    (out / "keep.txt").write_text("precious", encoding="utf-8")
    path = _scenario(work)
    line = _assert_input_error(capsys, work, ["trial", str(path), "--out", str(out), "--quiet"], "--out")
    assert "--force" in line
    assert (out / "keep.txt").read_text(encoding="utf-8") == "precious"
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def test_trial_resume_replaces_no_folder_it_has_no_unfinished_run_for(capsys, work):
    out = work / "existing"
    out.mkdir()
    (out / "keep.txt").write_text("precious", encoding="utf-8")
    path = _scenario(work)
    line = _assert_input_error(capsys, work, ["trial", str(path), "--out", str(out), "--resume", "--quiet"], "--out")
    assert "no unfinished run" in line and (out / "keep.txt").read_text(encoding="utf-8") == "precious"


def test_trial_out_below_a_file(capsys, work):
    (work / "afile").write_text("not a folder", encoding="utf-8")
    path = _scenario(work)
    line = _assert_input_error(capsys, work, ["trial", str(path), "--out", "afile/sub/results"], "--out")
    assert "afile is a file" in line


def test_trial_unreachable_scheduler_is_bad_input(capsys, work):
    path = _scenario(work)
    argv = ["trial", str(path), "--executor", "dask", "--scheduler", "bogus://nowhere", "--out", "out", "--quiet"]
    line = _assert_input_error(capsys, work, argv, "--scheduler")
    assert "bogus://nowhere" in line


def test_bad_input_found_during_a_run_leaves_no_unfinished_run(capsys, work, monkeypatch):
    """Bad input found only after chunks were saved (no candidate meets the entry criteria): a rerun of the same
    command would fail the same way, so the partial folder goes too (an interrupted run keeps it for --resume)."""

    def no_one_eligible(scenario, progress, executor, store):
        store.save("screen_0000000000", {"index": np.arange(3)})
        raise InputError("population", "only 0 of 1024 screened virtual patients meet the entry criteria")

    monkeypatch.setattr(adqsp.trial.job, "run_trial", no_one_eligible)
    path = _scenario(work)
    _assert_input_error(capsys, work, ["trial", str(path), "--out", "out", "--quiet"], "population")


def test_an_override_that_makes_the_model_non_finite_is_bad_input(capsys, tmp_path, monkeypatch):
    """Checked as the run starts (so not with the guarded entry points of ``work``): nothing is left behind, not even
    the default ``results/`` folder the run had created for its results."""
    monkeypatch.chdir(tmp_path)
    path = _scenario(tmp_path, append="\n[parameters]\npk_Vc = 0\n")
    _assert_input_error(capsys, tmp_path, ["trial", str(path), "--quiet"], "parameters.pk_Vc")
    _assert_input_error(capsys, tmp_path, ["simulate", "--scenario", str(path), "--out", "ts.csv"], "parameters.pk_Vc")


def test_an_internal_error_prints_one_line_and_logs_the_traceback(capsys, work, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("something broke")

    monkeypatch.setattr(adqsp.trial.course, "time_course", broken)
    assert main(["simulate", "--drug", "placebo", "--weeks", "2", "--out", "ts.csv"]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("adqsp: internal error: RuntimeError: something broke (traceback in ")
    log = Path(line.split("(traceback in ")[1].rstrip(")"))
    assert "Traceback" in log.read_text(encoding="utf-8") and "something broke" in log.read_text(encoding="utf-8")
    monkeypatch.setattr(tempfile, "tempdir", str(work / "no such folder"))  # the log cannot be written: still one line
    assert main(["simulate", "--drug", "placebo", "--weeks", "2", "--out", "ts.csv"]) == 1
    assert capsys.readouterr().err == "adqsp: internal error: RuntimeError: something broke\n"


def test_a_closed_output_pipe_ends_quietly(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "adqsp", "params", "--format", "csv"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()  # the reader is gone before the first line (as `adqsp params | head -0`)
    assert proc.wait(timeout=120) == 141
    assert proc.stderr.read() == b""


def test_trial_force_reaches_the_simulation_and_keeps_old_results_when_it_fails(capsys, work):
    """Checks the guard itself: with --force the input is fine, the run starts and is interrupted by the guard;
    the staging folder is discarded and the existing folder is left as it was."""
    out = work / "existing"
    out.mkdir()
    (out / "keep.txt").write_text("precious", encoding="utf-8")
    path = _scenario(work)
    before = files_under(work)
    with pytest.raises(SimulationStarted):
        main(["trial", str(path), "--out", str(out), "--force", "--quiet"])
    assert files_under(work) == before


def test_simulate_guard_is_reached_with_good_input(work):
    with pytest.raises(SimulationStarted):
        main(["simulate", "--drug", "placebo", "--weeks", "2", "--out", "ts.csv"])
    assert not (work / "ts.csv").exists()


def test_simulate_zero_weeks_is_an_error(capsys, work):
    # cli.py _drug_and_regimen: `args.weeks or 16.0` turns an explicit 0 into 16, so _check_weeks never sees it
    _assert_input_error(capsys, work, ["simulate", "--weeks", "0", "--out", "ts.csv"], "--weeks")


def test_trial_scenario_with_huge_integer(capsys, work):
    # tomllib accepts integers of any size; scenario._number calls math.isfinite(int) -> OverflowError
    path = _scenario(work, **{"weeks = 16": "weeks = 1" + "0" * 400})
    _assert_input_error(capsys, work, ["trial", str(path)], "weeks")


def test_module_entry_point_bad_option_in_subprocess(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "adqsp", "trial", "--no-such-option"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("adqsp: error: arguments: ")
    assert "--no-such-option" in lines[0]
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
    assert list(tmp_path.iterdir()) == []
