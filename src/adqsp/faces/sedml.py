"""The simulation experiment beside the SBML export: SED-ML Level 1 Version 4 (python-libsedml) in a COMBINE archive
(python-libcombine), so a SED-ML tool reruns what ``adqsp simulate`` runs: the exported model (its regimen as
events) over the course's days, one output per day, with the read-outs a reader of the course looks at.

Every quantity of the export is an SBML parameter (states and read-outs alike, :mod:`adqsp.faces.sbml`), so each
output is an XPath to a parameter. The algorithm is CVODE (KiSAO:0000019) at the simulator's defaults.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import libcombine
import libsedml

SEDML_LEVEL, SEDML_VERSION = 1, 4
#: KiSAO term of CVODE, the integrator libRoadRunner and COPASI offer for SBML with events
CVODE = "KISAO:0000019"
MODEL_FILE, SEDML_FILE = "model.xml", "simulation.sedml"
#: the read-outs written beside the drug's serum concentration
OUTPUTS = ("easi", "itch_nrs", "iga_latent", "tarc_serum", "ige_serum")
_FORMATS = {
    MODEL_FILE: "http://identifiers.org/combine.specifications/sbml.level-3.version-2",
    SEDML_FILE: "http://identifiers.org/combine.specifications/sed-ml.level-1.version-4",
}
TIME_SYMBOL = "urn:sedml:symbol:time"


def parameter_target(name: str) -> str:
    """The XPath of an SBML parameter of the model."""
    return f"/sbml:sbml/sbml:model/sbml:listOfParameters/sbml:parameter[@id='{name}']"


def simulation_experiment(days: float, outputs: Sequence[str], title: str) -> str:
    """SED-ML text: the model file over ``days`` (day 0 to ``days``, one point a day), time and each of
    ``outputs`` (SBML parameter ids) in a report and plotted against time."""
    doc = libsedml.SedDocument(SEDML_LEVEL, SEDML_VERSION)
    model = doc.createModel()
    model.setId("model")
    model.setLanguage("urn:sedml:language:sbml.level-3.version-2")
    model.setSource(MODEL_FILE)
    sim = doc.createUniformTimeCourse()
    sim.setId("course")
    sim.setInitialTime(0.0)
    sim.setOutputStartTime(0.0)
    sim.setOutputEndTime(float(days))
    sim.setNumberOfSteps(max(int(round(days)), 1))
    sim.createAlgorithm().setKisaoID(CVODE)
    task = doc.createTask()
    task.setId("task")
    task.setModelReference("model")
    task.setSimulationReference("course")
    report = doc.createReport()
    report.setId("report")
    report.setName(title)
    plot = doc.createPlot2D()
    plot.setId("plot")
    plot.setName(title)
    for name in ("time", *outputs):
        generator = doc.createDataGenerator()
        generator.setId(f"dg_{name}")
        generator.setName(name)
        variable = generator.createVariable()
        variable.setId(f"v_{name}")
        variable.setTaskReference("task")
        if name == "time":
            variable.setSymbol(TIME_SYMBOL)
        else:
            variable.setTarget(parameter_target(name))
        generator.setMath(libsedml.parseL3Formula(f"v_{name}"))
        dataset = report.createDataSet()
        dataset.setId(f"ds_{name}")
        dataset.setLabel(name)
        dataset.setDataReference(f"dg_{name}")
        if name != "time":
            curve = plot.createCurve()
            curve.setId(f"curve_{name}")
            curve.setXDataReference("dg_time")
            curve.setYDataReference(f"dg_{name}")
    return libsedml.writeSedMLToString(doc)


def sedml_errors(text: str) -> list[str]:
    """Errors (not warnings) libSEDML reports on reading ``text`` (its schema and required-attribute checks), and
    every reference that does not resolve (a task's model or simulation, a variable's task, a data set's or
    curve's data generator)."""
    doc = libsedml.readSedMLFromString(text)
    errors = [
        doc.getError(i).getMessage()
        for i in range(doc.getNumErrors())
        if doc.getError(i).getSeverity() >= libsedml.LIBSEDML_SEV_ERROR
    ]
    models = {doc.getModel(i).getId() for i in range(doc.getNumModels())}
    simulations = {doc.getSimulation(i).getId() for i in range(doc.getNumSimulations())}
    tasks = {doc.getTask(i).getId() for i in range(doc.getNumTasks())}
    generators = {doc.getDataGenerator(i).getId() for i in range(doc.getNumDataGenerators())}
    for i in range(doc.getNumTasks()):
        task = doc.getTask(i)
        if task.getModelReference() not in models or task.getSimulationReference() not in simulations:
            errors.append(f"task {task.getId()!r}: unknown model or simulation")
    for i in range(doc.getNumDataGenerators()):
        generator = doc.getDataGenerator(i)
        for j in range(generator.getNumVariables()):
            if generator.getVariable(j).getTaskReference() not in tasks:
                errors.append(f"data generator {generator.getId()!r}: unknown task")
    for i in range(doc.getNumOutputs()):
        output = doc.getOutput(i)
        if isinstance(output, libsedml.SedReport):
            references = [output.getDataSet(j).getDataReference() for j in range(output.getNumDataSets())]
        else:
            curves = [output.getCurve(j) for j in range(output.getNumCurves())]
            references = [r for c in curves for r in (c.getXDataReference(), c.getYDataReference())]
        unknown = [r for r in references if r not in generators]
        errors += [f"output {output.getId()!r}: unknown data generator {r!r}" for r in unknown]
    return errors


def write_archive(path: Path, sbml_text: str, sedml_text: str) -> None:
    """A COMBINE archive (OMEX) at ``path`` holding the model, the experiment (the master file) and a manifest."""
    archive = libcombine.CombineArchive()
    for name, text in ((MODEL_FILE, sbml_text), (SEDML_FILE, sedml_text)):
        if not archive.addFileFromString(text, name, _FORMATS[name], name == SEDML_FILE):
            raise RuntimeError(f"COMBINE archive: could not add {name}")
    if not archive.writeToFile(str(path)):
        raise RuntimeError(f"COMBINE archive: could not write {path}")
    archive.cleanUp()
