"""Drugs as data: the shipped records, users' own records from files, and what a record's numbers do."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from adqsp.assembly import build_model
from adqsp.drugs.registry import load_record, resolve, shipped, shipped_text
from adqsp.errors import InputError
from adqsp.faces.cli import main
from adqsp.pk.regimen import LABEL_DOSES, Regimen
from adqsp.trial.course import population_course
from adqsp.trial.job import run_trial
from adqsp.trial.scenario import load_scenario

#: a one-arm trial: every eligible candidate of the seed goes to the arm, so two such trials with the same seed
#: and inclusion criteria treat the same patients
ONE_ARM = """
name = "{name}"
weeks = 16
visits = [0, 16]
patients_per_arm = 40
seed = 5
drug_files = {files}

[[arms]]
name = "{name}"
drug = "{drug}"
doses = [{{mg = 600, week = 0}}, {{mg = 300, every_weeks = 2, from_week = 2}}]
"""


M3 = "drug_files[0].pk_models.kovalenko2020_model3"


def _record_file(folder: Path, name: str, kd_factor: float = 1.0) -> Path:
    """Dupilumab's shipped record under another name, its IL-4Ra affinity weakened ``kd_factor``-fold."""
    text = shipped_text("dupilumab").replace('name = "dupilumab"', f'name = "{name}"', 1)
    if kd_factor != 1.0:
        text = text.replace("kd_nM = { value = 0.02,", f"kd_nM = {{ value = {0.02 * kd_factor},", 1)
        assert str(0.02 * kd_factor) in text
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _scenario(folder: Path, name: str, drug: str, files: list[str]) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(ONE_ARM.format(name=name, drug=drug, files=str(files).replace("'", '"')), encoding="utf-8")
    return path


def test_the_shipped_records_are_the_drugs_of_the_model() -> None:
    assert set(shipped()) == {
        "dupilumab",
        "tralokinumab",
        "lebrikizumab",
        "cyclosporine",
        "upadacitinib",
        "abrocitinib",
    }
    for name, record in shipped().items():
        assert tomllib.loads(shipped_text(name))["name"] == name == record.name
        assert list(record.pk_models)[0] == record.default_pk_model
        first_dose_days, _ = Regimen.from_entries(LABEL_DOSES[name]).events(28.0, np.array([75.0]))
        assert first_dose_days[0] == 0.0
    assert set(resolve("dupilumab").pk_models) == {
        "kovalenko2020_model3",
        "kovalenko2020_model1",
        "kovalenko2020_model4",
        "kovalenko2016",
    }


def test_a_copy_under_another_name_matches_dupilumab_patient_for_patient(tmp_path: Path) -> None:
    copy = load_record(_record_file(tmp_path, "dupilumab_copy"))
    regimen = Regimen.from_entries(LABEL_DOSES["dupilumab"])
    outputs = ["easi", "itch_nrs", "les_keratinocyte_il4ra_occupancy"]
    original = population_course("dupilumab", regimen, 8, 12, seed=3, outputs=outputs)
    copied = population_course(copy, regimen, 8, 12, seed=3, outputs=outputs)
    assert copied["dupilumab_copy_serum_mg_L"].to_numpy() == pytest.approx(original["dupilumab_serum_mg_L"], rel=0)
    pd.testing.assert_frame_equal(
        copied[["patient", "time_days", *outputs]], original[["patient", "time_days", *outputs]]
    )


def test_a_drug_file_runs_a_trial_and_a_weaker_affinity_loses_the_effect(tmp_path: Path) -> None:
    """No code change: the same record under another name (from a file, via the scenario's drug_files, from the
    command line) treats the same patients exactly as dupilumab. Weaker IL-4Ra binding loses the effect by degrees:
    1000-fold weaker still occupies most IL-4Ra at the label dose's skin levels (about 80 nM against a KD of 20 nM),
    100,000-fold weaker acts as placebo does."""
    variants = {"exact": 1.0, "weak": 1e3, "weakest": 1e5}
    for variant, factor in variants.items():
        _record_file(tmp_path / variant, "trialdrug", kd_factor=factor)
    reference = run_trial(load_scenario(_scenario(tmp_path, "reference", "dupilumab", [])))
    placebo_file = tmp_path / "placebo.toml"
    placebo_file.write_text(
        _scenario(tmp_path, "reference", "dupilumab", []).read_text(encoding="utf-8").split("drug =")[0],
        encoding="utf-8",
    )
    trials = {"ref": reference.patients, "placebo": run_trial(load_scenario(placebo_file)).patients}
    for variant in variants:
        scenario = _scenario(tmp_path, variant, "trialdrug", [f"{variant}/trialdrug.toml"])
        assert main(["trial", str(scenario), "--out", str(tmp_path / "out" / variant), "--quiet"]) == 0
        trials[variant] = pd.read_parquet(tmp_path / "out" / variant / "patients.parquet")
    columns = ["patient_id", "week", "EASI", "NRS", "IGA", "serum_mg_L", "il4ra_occupancy"]
    frames = {k: f[[c for c in columns if c in f]].reset_index(drop=True) for k, f in trials.items()}
    assert "serum_mg_L" not in frames["placebo"]  # a trial without a drug keeps no drug read-out
    pd.testing.assert_frame_equal(frames["exact"], frames["ref"])
    # the same PK, up to the solver's tolerance (its steps follow all states, the disease's included)
    np.testing.assert_allclose(frames["weakest"].serum_mg_L, frames["ref"].serum_mg_L, rtol=1e-3)
    assert np.array_equal(frames["placebo"].patient_id, frames["ref"].patient_id)  # the same patients
    week16 = {k: f[f.week == 16] for k, f in trials.items()}
    occupancy = {k: f.il4ra_occupancy.median() for k, f in week16.items()}
    change = {k: f.EASI_pct_change.mean() for k, f in week16.items()}
    assert occupancy["weakest"] < 0.05 < occupancy["weak"] < 0.9 < occupancy["ref"], occupancy
    assert change["ref"] < change["weak"] - 5.0 < change["weakest"] - 15.0, change
    assert change["ref"] < -50.0 and abs(change["weakest"] - change["placebo"]) < 3.0, change


def test_drug_list_and_show_print_the_records(capsys) -> None:
    assert main(["drug", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["drug", "class", "route", "target", "motif"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert set(rows) == set(shipped())
    assert "IL-4Ra" in rows["dupilumab"] and "binds_receptor_chain" in rows["dupilumab"]
    assert "IL-13" in rows["lebrikizumab"] and "il4ra recruitment" in rows["lebrikizumab"]
    assert main(["drug", "show", "dupilumab"]) == 0
    shown = tomllib.loads(capsys.readouterr().out)
    assert shown["mechanism"]["kd_nM"]["value"] == 0.02 and shown["pk_models"]["kovalenko2016"]["parameters"]
    assert main(["drug", "show", "omalizumab"]) == 2
    assert "unknown drug 'omalizumab'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (('route = "subcutaneous"', 'route = "nasal"'), "drug_files[0].route"),
        (("kd_nM = { value = 0.02,", "kd = { value = 0.02,"), "drug_files[0].mechanism"),
        (('MTT = { value = 0.105, unit = "day"', 'MTT = { value = 0.105, unit = "h"'), f"{M3}.parameters.MTT.unit"),
        (("transit_compartments = 3\n", ""), f"{M3}.transit_compartments"),
        (('name = "mydrug"', 'name = "dupilumab"'), "drug_files[0]"),
        (('name = "mydrug"', 'name = "My Drug"'), "drug_files[0].name"),
        (("[mechanism]", "[mechanism\n"), "drug_files[0]"),
    ],
)
def test_bad_records_are_one_line_errors_naming_the_key(tmp_path: Path, capsys, edit, field) -> None:
    path = _record_file(tmp_path, "mydrug")
    path.write_text(path.read_text(encoding="utf-8").replace(*edit, 1), encoding="utf-8")
    scenario = _scenario(tmp_path, "bad", "mydrug", ["mydrug.toml"])
    out = tmp_path / "out"
    assert main(["trial", str(scenario), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"adqsp: error: {field}") and "Traceback" not in err, err
    assert not out.exists()


def test_drug_files_are_read_relative_to_the_scenario_and_must_exist(tmp_path: Path) -> None:
    _record_file(tmp_path / "drugs", "mydrug")
    scenario = load_scenario(_scenario(tmp_path, "ok", "mydrug", ["drugs/mydrug.toml"]))
    assert scenario.arms[0].drug.name == "mydrug"
    with pytest.raises(InputError, match=r"drug_files\[0\]: cannot read"):
        load_scenario(_scenario(tmp_path, "missing", "mydrug", ["nowhere.toml"]))
    with pytest.raises(InputError, match=r"arms\[0\]\.drug: unknown drug 'otherdrug'"):
        load_scenario(_scenario(tmp_path, "unknown", "otherdrug", ["drugs/mydrug.toml"]))


def test_the_record_decides_the_pk_structure() -> None:
    """The vocabulary builds each shipped structure: transit or first-order absorption, rate constants or
    clearances, Michaelis-Menten elimination only where the record lists it."""
    m3 = build_model("dupilumab")
    assert {"sc_transit1", "sc_transit3", "peripheral"} <= set(m3.state_names)
    assert "pk_Vmax" in m3.rates["central"] and "pk_kcp" in m3.rates["central"]
    tralo = build_model("tralokinumab")
    assert "sc_transit1" not in tralo.state_names and "pk_Vmax" not in tralo.rates["central"]
    assert "pk_CL_i / pk_Vc_i" in tralo.rates["central"]
    m4 = build_model("dupilumab", "kovalenko2020_model4")
    ke = next(a.expression for a in m4.assignments if a.name == "pk_ke_i")
    assert "BMI / pk_ke_bmi_ref" in ke and "WHITE - pk_ke_white_ref" in ke
    assert m4.parameter("pk_ke_bmi_exp").value == 0.368


def test_drug_file_on_the_command_line(tmp_path: Path, capsys) -> None:
    """params and assay take a user's record with --drug-file; it acts as the record says, by its own name."""
    path = _record_file(tmp_path, "mine")
    assert main(["params", "--drug-file", str(path), "--format", "csv"]) == 0
    names = {line.split(",")[0] for line in capsys.readouterr().out.splitlines()}
    assert {"rc_mine_kd_nM", "rc_mine_kon", "rc_mine_kint"} <= names and "rc_dupilumab_kd_nM" not in names
    assert main(["assay", "--cytokine", "IL-4", "--drug-file", str(path), "--drug-nM", "10", "--json"]) == 0
    mine = json.loads(capsys.readouterr().out)
    assert main(["assay", "--cytokine", "IL-4", "--drug", "dupilumab", "--drug-nM", "10", "--json"]) == 0
    dupilumab = json.loads(capsys.readouterr().out)
    assert mine["drug"] == "mine" and mine["ec50_pM"] == pytest.approx(dupilumab["ec50_pM"], rel=1e-9)
    for argv, field in (
        (["params", "--drug", "dupilumab", "--drug-file", str(path)], "--drug-file"),
        (["params", "--drug-file", str(tmp_path / "none.toml")], "--drug-file"),
        (["params", "--drug-file", str(path), "--pk-model", "zhu2017"], "--pk-model"),
    ):
        assert main(argv) == 2
        assert capsys.readouterr().err.startswith(f"adqsp: error: {field}: ")
