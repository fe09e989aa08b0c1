"""The simulation experiment: `adqsp export-sbml --out X.omex` writes a COMBINE archive whose SED-ML, run as it is
written (its time course, its outputs' targets) by libRoadRunner at its defaults, gives adqsp's course."""

import re

import libcombine
import libsedml
import numpy as np
import pytest

from adqsp.faces.cli import main
from adqsp.faces.sedml import MODEL_FILE, SEDML_FILE, sedml_errors
from adqsp.pk.regimen import LABEL_DOSES, Regimen
from adqsp.trial.course import time_course

WEEKS = 8


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("omex") / "dupilumab.omex"
    assert main(["export-sbml", "--drug", "dupilumab", "--weeks", str(WEEKS), "--out", str(path)]) == 0
    combine = libcombine.CombineArchive()
    assert combine.initializeFromArchive(str(path))
    entries = {combine.getEntry(i).getLocation(): combine.getEntry(i) for i in range(combine.getNumEntries())}
    texts = {name: combine.extractEntryToString(name) for name in entries}
    masters = [name for name, entry in entries.items() if entry.getMaster()]
    combine.cleanUp()
    return texts, masters


def test_the_archive_holds_the_model_and_a_valid_experiment(archive):
    texts, masters = archive
    assert set(texts) == {MODEL_FILE, SEDML_FILE} and masters == [SEDML_FILE]
    assert sedml_errors(texts[SEDML_FILE]) == []
    broken = texts[SEDML_FILE].replace('modelReference="model"', 'modelReference="elsewhere"')
    assert sedml_errors(broken) == ["task 'task': unknown model or simulation"]


def test_the_experiment_run_as_written_gives_adqsps_course(archive):
    roadrunner = pytest.importorskip("roadrunner")
    texts, _ = archive
    doc = libsedml.readSedMLFromString(texts[SEDML_FILE])
    course = doc.getSimulation(0)
    times = np.linspace(course.getOutputStartTime(), course.getOutputEndTime(), course.getNumberOfSteps() + 1)
    targets = {}
    for i in range(doc.getNumDataGenerators()):
        variable = doc.getDataGenerator(i).getVariable(0)
        if variable.isSetTarget():
            targets[doc.getDataGenerator(i).getName()] = re.search(r"@id='([^']+)'", variable.getTarget()).group(1)
    assert {"dupilumab_serum_mg_L", "easi", "itch_nrs", "tarc_serum", "ige_serum"} <= set(targets)
    rr = roadrunner.RoadRunner(texts[MODEL_FILE])  # default integrator (CVODE) and tolerances
    out = rr.simulate(times=times.tolist(), selections=["time", *targets.values()])
    theirs = {name: out[:, k + 1] for k, name in enumerate(targets)}
    ours = time_course("dupilumab", Regimen.from_entries(LABEL_DOSES["dupilumab"]), WEEKS)
    ours = ours.set_index("time_days").loc[times]
    serum = ours["dupilumab_serum_mg_L"].to_numpy()
    np.testing.assert_allclose(theirs["dupilumab_serum_mg_L"][1:], serum[1:], rtol=1e-3)
    assert np.abs(theirs["easi"] - ours["easi"].to_numpy()).max() < 0.1  # points (the typical patient's is mild)
    for name in ("tarc_serum", "ige_serum", "itch_nrs"):  # the slower read-outs the disease moves
        np.testing.assert_allclose(theirs[name], ours[name].to_numpy(), rtol=1e-3)
