"""The faces over the API: simulate, params, export-sbml and assay write what they promise."""

import csv
import io
import json
import re

import libsbml
import pandas as pd
import pytest

from adqsp.assembly import build_model
from adqsp.drugs.registry import shipped
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


#: reference tables whose rows the sources quote (reference/*.csv; calibration_targets.csv ships in adqsp/data)
REFERENCE_FILES = ("calibration_targets.csv", "receptor_parameters.csv", "pk_parameters.csv")
MODELS = [(None, None)] + [(drug, pk) for drug, record in shipped().items() for pk in record.pk_models]


def source_problem(source: str) -> str | None:
    """Why ``source`` is not an acceptable parameter source (None if it is). The forms:

    - ``calibrated: <targets>``, naming calibration_targets.csv (what the value was fitted to);
    - ``fitted: <targets>``, naming the adqsp function that fits it;
    - ``assumed: <reason>`` or ``assumed (<reason>)``: a bare "assumed" is not enough;
    - ``covariate...`` (a patient covariate's reference value) or ``sampled ... per patient`` (drawn per patient);
    - otherwise a citation: it contains a year (19xx, 20xx) or names one of :data:`REFERENCE_FILES`.
    """
    if source.startswith("calibrated"):
        ok = re.match(r"calibrated: \S", source) and "calibration_targets.csv" in source
        return None if ok else "calibrated: must name its targets in calibration_targets.csv"
    if source.startswith("fitted"):
        return None if re.match(r"fitted: \S.*\badqsp\.\w", source) else "fitted: must name its targets and fit"
    if source.startswith("assumed"):
        return None if re.match(r"assumed(: | \()\w", source) else "assumed without a reason"
    if re.match(r"covariate\b.*\w", source) or re.match(r"sampled \S.* per patient$", source):
        return None
    if re.search(r"\b(19|20)\d\d\b", source) or any(name in source for name in REFERENCE_FILES):
        return None
    return "neither a citation (year or reference file) nor calibrated/fitted/assumed/covariate"


@pytest.mark.parametrize(("drug", "pk_model"), MODELS)
def test_params_table_gives_every_parameter_a_unit_and_a_source_that_says_where_it_comes_from(drug, pk_model, capsys):
    argv = ["params", "--format", "csv", "--drug", drug or "placebo"] + (["--pk-model", pk_model] if pk_model else [])
    assert main(argv) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [row["name"] for row in rows] == [p.name for p in build_model(drug, pk_model).parameters]
    bad = [
        f"{row['name']}: unit {row['unit']!r}, source {row['source']!r}: {problem}"
        for row in rows
        for problem in [("no unit" if not row["unit"].strip() else None), source_problem(row["source"])]
        if problem
    ]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize(
    ("source", "ok"),
    [
        ("Kovalenko P et al. Clin Pharmacol Drug Dev 2020;9:756 (model 3)", True),
        ("IgG4 molecular weight (reference/pk_parameters.csv)", True),
        ("calibrated: SOLO 1 week-16 endpoints (reference/calibration_targets.csv)", True),
        ("assumed: typical antibody association rate", True),
        ("covariate; reference weight of the PK models", True),
        ("assumed", False),
        ("assumed: ", False),
        ("calibrated", False),
        ("calibrated: by eye", False),
        ("fitted: to something", False),
        ("a textbook", False),
        ("", False),
    ],
)
def test_the_source_rule_rejects_sources_that_do_not_say_where_a_value_comes_from(source, ok):
    assert (source_problem(source) is None) == ok


@pytest.mark.parametrize("fmt", ["csv", "markdown", "table"])
def test_params_table_prints_in_each_format(fmt, capsys):
    assert main(["params", "--format", fmt]) == 0
    text = capsys.readouterr().out
    assert "pk_Vc" in text and "Kovalenko" in text and "exposure_les" in text
    columns = ["name", "value", "interval_95", "unit", "log_sd", "log_sd_interval_95", "calibrated", "source"]
    if fmt == "csv":
        rows = [line.split(",") for line in text.splitlines()]
        assert rows[0] == [*columns, "description"]
    elif fmt == "markdown":
        assert text.startswith("| " + " | ".join([*columns, "description"]) + " |")


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
    exported = {name: _initial_value(sbml, name) for name in states}
    declared = {name: value for name, value in states.items() if not isinstance(value, str)}
    if initial == "declared":
        assert {name: exported[name] for name in declared} == declared
    else:
        day0 = time_course("dupilumab", Regimen.from_entries(LABEL_DOSES["dupilumab"]), 1).iloc[0]
        assert exported == pytest.approx({name: day0[name] for name in states}, rel=1e-12, abs=1e-15)
        assert exported["les_th2"] != pytest.approx(declared["les_th2"])  # the disease is not at its declared start


def _initial_value(sbml, name: str) -> float:
    """A state's value at the start: a species' initial amount or concentration, or a parameter's value."""
    species = sbml.getSpecies(name)
    if species is None:
        return sbml.getParameter(name).getValue()
    return species.getInitialAmount() if species.getHasOnlySubstanceUnits() else species.getInitialConcentration()


def test_assay_json(capsys):
    assert main(["assay", "--cytokine", "IL-13", "--drug", "dupilumab", "--drug-nM", "70", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"cytokine", "cell", "drug", "drug_nM", "ec50_pM", "max_response", "curve"}
    assert data["drug"] == "dupilumab" and data["ec50_pM"] > 0 and len(data["curve"]) > 10
