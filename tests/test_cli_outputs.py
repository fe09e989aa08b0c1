"""The faces over the API: simulate, params, export-sbml and assay write what they promise."""

import json

import libsbml
import pandas as pd
import pytest

from adqsp.assembly import build_model
from adqsp.faces.cli import main
from adqsp.pk.regimen import LABEL_DOSES, Regimen
from adqsp.trial.course import time_course


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_simulate_writes_a_time_course(tmp_path, suffix):
    out = tmp_path / f"course{suffix}"
    assert main(["simulate", "--weeks", "4", "--out", str(out)]) == 0
    frame = pd.read_csv(out) if suffix == ".csv" else pd.read_parquet(out)
    for column in (
        "time_days",
        "dupilumab_serum_mg_L",
        "skin_drug_nM",
        "les_keratinocyte_il4ra_occupancy",
        "les_keratinocyte_type1",
        "les_keratinocyte_type2",
        "easi",
        "itch_nrs",
        "tarc_serum",
    ):
        assert column in frame.columns
    assert frame.time_days.iloc[-1] == 28.0 and len(frame) == 29
    assert frame.dupilumab_serum_mg_L.iloc[0] == 0.0 and frame.dupilumab_serum_mg_L.max() > 40.0
    assert frame.les_keratinocyte_il4ra_occupancy.iloc[-1] > 0.9
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary files left


def test_simulate_placebo_has_no_drug(tmp_path):
    out = tmp_path / "placebo.csv"
    assert main(["simulate", "--drug", "placebo", "--weeks", "2", "--out", str(out)]) == 0
    frame = pd.read_csv(out)
    assert (frame.skin_drug_nM == 0).all() and (frame.les_keratinocyte_il4ra_occupancy == 0).all()


@pytest.mark.parametrize("fmt", ["csv", "markdown", "table"])
def test_params_table_lists_every_parameter_with_unit_and_source(fmt, capsys):
    assert main(["params", "--format", fmt]) == 0
    text = capsys.readouterr().out
    assert "pk_Vc" in text and "Kovalenko" in text and "exposure_les" in text
    if fmt == "csv":
        rows = [line.split(",") for line in text.splitlines()]
        assert rows[0][:4] == ["name", "value", "unit", "log_sd"]


def test_export_sbml_writes_a_valid_document(tmp_path):
    out = tmp_path / "model.xml"
    assert main(["export-sbml", "--out", str(out)]) == 0
    doc = libsbml.readSBMLFromFile(str(out))
    assert doc.getNumErrors(libsbml.LIBSBML_SEV_ERROR) == 0
    assert doc.getModel().getParameter("dupilumab_serum_mg_L") is not None


@pytest.mark.parametrize("initial", ["enrolment", "declared"])
def test_export_sbml_starts_where_simulate_starts_or_from_the_declared_values(tmp_path, initial):
    out = tmp_path / "model.xml"
    assert main(["export-sbml", "--out", str(out), "--initial", initial]) == 0
    sbml = libsbml.readSBMLFromFile(str(out)).getModel()
    states = {s.name: s.initial for s in build_model("dupilumab").states}
    exported = {name: sbml.getParameter(name).getValue() for name in states}
    declared = {name: value for name, value in states.items() if not isinstance(value, str)}
    if initial == "declared":
        assert {name: exported[name] for name in declared} == declared
    else:
        day0 = time_course("dupilumab", Regimen.from_entries(LABEL_DOSES["dupilumab"]), 1).iloc[0]
        assert exported == pytest.approx({name: day0[name] for name in states}, rel=1e-12, abs=1e-15)
        assert exported["les_th2"] != pytest.approx(declared["les_th2"])  # the disease is not at its declared start


def test_assay_json(capsys):
    assert main(["assay", "--cytokine", "IL-13", "--drug", "dupilumab", "--drug-nM", "70", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"cytokine", "cell", "drug", "drug_nM", "ec50_pM", "max_response", "curve"}
    assert data["drug"] == "dupilumab" and data["ec50_pM"] > 0 and len(data["curve"]) > 10
