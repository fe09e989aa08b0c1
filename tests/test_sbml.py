"""SBML export: valid Level 3 with units, and libRoadRunner and COPASI reproduce the project's own engine with their
default integrators and tolerances. libRoadRunner and COPASI (copasi-basico) are test dependencies (pyproject's test
extra): without them this module fails to import rather than skipping."""

import locale

import libsbml
import numpy as np
import pytest
import roadrunner

from adqsp.assembly import build_model, compiled
from adqsp.engine.integrate import Tolerances, integrate
from adqsp.faces.sbml import to_sbml_document, unit_factors, validation_errors, write_sbml
from adqsp.pk.regimen import LABEL_DOSES, Regimen
from adqsp.trial.course import enrolment_state

LOCALE_BEFORE_COPASI = locale.setlocale(locale.LC_CTYPE)


def _import_basico():
    """copasi-basico, with the process's character locale kept: loading COPASI sets LC_CTYPE to "C", after which
    every text file read or written without a named encoding in this process would be ASCII."""
    try:
        import basico
    finally:
        locale.setlocale(locale.LC_CTYPE, LOCALE_BEFORE_COPASI)
    return basico


basico = _import_basico()
LABEL = Regimen.from_entries(LABEL_DOSES["dupilumab"])
#: a patient with severe disease (EASI 38 at enrolment; the typical patient's is under 1)
SEVERE = (("exposure_les", 12.0),)
COMPARED = (
    "dupilumab_serum_mg_L",
    "les_keratinocyte_il4ra_occupancy",
    "les_keratinocyte_type2",
    "les_lymphocyte_type1",
    "les_epidermis_um",
    "itch_nrs",
    "tarc_serum",
    "les_barrier",
)


@pytest.mark.parametrize("drug", [*sorted(LABEL_DOSES), None])
def test_export_validates_without_errors(drug):
    """libSBML's consistency checks, the unit checks included, report no errors for any drug at its label
    regimen."""
    doc = to_sbml_document(build_model(drug), Regimen.from_entries(LABEL_DOSES[drug]) if drug else None)
    assert validation_errors(doc) == []
    model = doc.getModel()
    assert model.getParameter("pk_Vc" if drug else "exposure_les").getUnits() != ""
    if drug == "dupilumab":
        assert model.getParameter("dupilumab_serum_mg_L") is not None
        assert model.getNumEvents() == 9  # week 0 and every 2 weeks to week 16


def _event_assignments(doc: libsbml.SBMLDocument) -> list[dict[str, str]]:
    return [
        {a.getVariable(): libsbml.formulaToL3String(a.getMath()) for a in event.getListOfEventAssignments()}
        for event in doc.getModel().getListOfEvents()
    ]


def test_dose_events_clear_residues_of_the_absorption_chain_only():
    """Each dose event sets the transit states to zero where they hold less than 1e-12 of their scale (100 mg), and
    assigns no other dose input (simultaneous events would otherwise undo each other)."""
    for assigned in _event_assignments(to_sbml_document(build_model("dupilumab"), LABEL)):
        assert set(assigned) == {"sc_depot", "sc_transit1", "sc_transit2", "sc_transit3"}
        assert assigned["sc_transit2"] == "piecewise(0, max(sc_transit2, -sc_transit2) < 1e-10, sc_transit2)"
    upadacitinib = Regimen.from_entries(LABEL_DOSES["upadacitinib"])
    start, end, *_ = _event_assignments(to_sbml_document(build_model("upadacitinib"), upadacitinib, 1.0))
    # the depot's bolus and the zero-order input's start share their time, so one event makes both changes
    assert set(start) == {"gut_depot", "zero_order_input", "central", "peripheral"}
    assert set(end) == {"zero_order_input", "central", "peripheral"}


def test_units_are_declared():
    factors = unit_factors("mg/L/day")
    kinds = {(k, e) for k, e, _, _ in factors}
    assert (libsbml.UNIT_KIND_GRAM, 1) in kinds and (libsbml.UNIT_KIND_LITRE, -1) in kinds
    assert (libsbml.UNIT_KIND_SECOND, -1) in kinds
    with pytest.raises(ValueError, match="unknown symbol"):
        unit_factors("furlongs")


def _roadrunner(doc: libsbml.SBMLDocument) -> roadrunner.RoadRunner:
    """libRoadRunner on ``doc`` with its default integrator (CVODE, BDF) and default tolerances, untouched."""
    roadrunner.Logger.setLevel(roadrunner.Logger.LOG_CRITICAL)
    options = roadrunner.LoadSBMLOptions()  # skip steady-state selections and moiety analysis: load in seconds
    options.loadFlags = options.loadFlags | options.NO_DEFAULT_SELECTIONS | options.NO_DEFAULT_STEADY_STATE_SELECTIONS
    options.conservedMoieties = False
    options.mutableInitialConditions = False
    rr = roadrunner.RoadRunner(write_sbml(doc), options)
    integrator = rr.integrator
    assert integrator.getName() == "cvode" and integrator.stiff
    assert (integrator.relative_tolerance, integrator.absolute_tolerance) == (1e-6, 1e-12)
    return rr


def _own_engine(drug: str, regimen: Regimen, start: dict[str, float], times: np.ndarray, names: list[str]):
    """The reference: adqsp's scipy-BDF engine at tight tolerances from ``start``, ``names`` at ``times``."""
    c = compiled(drug, None, SEVERE)
    P = c.parameter_matrix({}, 1)
    dose_t, dose_mg = regimen.events(times[-1], np.array([75.0]))
    grid = np.concatenate([[0.0], times])  # the engine starts at the first output: day 0, the first dose
    y0 = np.array([[start[name]] for name in c.model.state_names])
    tr = integrate(c, P, y0, grid, dose_t, dose_mg, Tolerances(rtol=1e-10, atol=1e-10))
    observed = c.observe(times, tr.states[1:, :, 0].T, np.repeat(P, len(times), axis=1))
    return np.column_stack([np.ravel(observed[name]) for name in names])


def _copasi(doc: libsbml.SBMLDocument, times: np.ndarray, names: list[str]) -> np.ndarray:
    """COPASI (through basico) on ``doc`` with its default time-course method (LSODA) and default tolerances."""
    model = basico.load_model_from_string(write_sbml(doc))
    try:
        settings = basico.get_task_settings("Time-Course", model=model)["method"]
        assert settings["name"] == "Deterministic (LSODA)"
        assert (settings["Relative Tolerance"], settings["Absolute Tolerance"]) == (1e-6, 1e-12)
        columns = ["Time", *(f"Values[{name}]" for name in names)]
        result = basico.run_time_course_with_output(columns, values=list(times), model=model).to_numpy()
    finally:
        basico.remove_datamodel(model)
    np.testing.assert_allclose(result[:, 0], times, rtol=1e-12)
    return result[:, 1:]


def _check_serum_and_easi(drug: str, weeks: float, also: tuple[str, ...] = ()) -> None:
    """libRoadRunner's and COPASI's defaults on the export against adqsp's engine, every 0.1 day over ``weeks`` of
    the label regimen (on a grid at 0.05 + 0.1 k days: never at a dose time), for a patient with severe disease from
    enrolment: serum drug within 1e-3 relative, EASI within 0.1 points; ``also`` (read-outs) within 1e-4 relative."""
    regimen = Regimen.from_entries(LABEL_DOSES[drug])
    days = np.arange(0.05, 7.0 * weeks, 0.1)
    names = [f"{drug}_serum_mg_L", "easi", *also]
    start = enrolment_state(drug, overrides=SEVERE)
    doc = to_sbml_document(build_model(drug, None, SEVERE), regimen, 7.0 * weeks, initial_state=start)
    ours = _own_engine(drug, regimen, start, days, names)
    assert ours[:, 0].min() > 0 and ours[0, 1] > 30 and np.ptp(ours[:, 1]) > 1  # drug on board; severe; EASI moves
    everywhere = np.concatenate([[0.0], days])
    for tool, theirs in (
        ("libRoadRunner", _roadrunner(doc).simulate(times=everywhere, selections=names)[1:]),
        ("COPASI", _copasi(doc, everywhere, names)[1:]),
    ):
        serum = np.max(np.abs(theirs[:, 0] / ours[:, 0] - 1.0))
        easi = np.max(np.abs(theirs[:, 1] - ours[:, 1]))
        assert serum < 1e-3 and easi < 0.1, (tool, serum, easi)
        rel = np.max(np.abs(theirs[:, 2:] - ours[:, 2:]) / np.maximum(np.abs(ours[:, 2:]), 1e-12), axis=0, initial=0)
        assert np.all(rel < 1e-4), (tool, dict(zip(also, rel, strict=True)))


#: weeks compared in the normal suite: 16 for the antibodies (without the exporter's residue clearing, CVODE's BDF
#: fails on dupilumab at day 98), 4 for the daily and twice-daily small molecules (their hundreds of dose stops make
#: the reference slow); all 52 weeks in the slow test
WEEKS = {
    "dupilumab": 16.0,
    "tralokinumab": 16.0,
    "lebrikizumab": 16.0,
    "upadacitinib": 4.0,
    "abrocitinib": 4.0,
    "cyclosporine": 4.0,
}


@pytest.mark.parametrize("drug", sorted(LABEL_DOSES))
def test_roadrunner_and_copasi_defaults_match_own_engine(drug):
    _check_serum_and_easi(drug, WEEKS[drug], COMPARED[1:] if drug == "dupilumab" else ())


@pytest.mark.slow
@pytest.mark.parametrize("drug", sorted(LABEL_DOSES))
def test_roadrunner_and_copasi_defaults_match_own_engine_over_52_weeks(drug):
    _check_serum_and_easi(drug, 52.0, COMPARED[1:] if drug == "dupilumab" else ())


def test_a_zero_order_input_is_exported_as_start_and_end_events_that_roadrunner_follows():
    regimen = Regimen.from_entries(LABEL_DOSES["upadacitinib"])
    doc = to_sbml_document(build_model("upadacitinib"), regimen, horizon_days=3.0)
    assert validation_errors(doc) == []
    assert doc.getModel().getNumEvents() == 2 * 4  # days 0-3: depot bolus with the zero-order start; its end
    rr = _roadrunner(doc)
    hours = np.arange(0.0, 72.0, 1.0) / 24.0
    theirs = rr.simulate(times=hours, selections=["upadacitinib_serum_mg_L"])[:, 0]

    c = compiled("upadacitinib")
    P = c.parameter_matrix({}, 1)
    dose_t, dose_mg = regimen.events(hours[-1], np.array([75.0]))
    tr = integrate(c, P, c.initial(P), hours, dose_t, dose_mg, Tolerances(rtol=1e-10, atol=1e-10))
    ours = c.observe(hours, tr.states[:, :, 0].T, np.repeat(P, len(hours), axis=1))["upadacitinib_serum_mg_L"]
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-7)
    assert ours.max() > 0.02


def test_loading_copasi_leaves_the_process_locale_as_it_was():
    assert locale.setlocale(locale.LC_CTYPE) == LOCALE_BEFORE_COPASI


def test_changes_at_one_time_are_one_event_so_none_is_lost():
    """A zero-order input as long as the dosing interval ends as the next one starts: one event lowers the rate by
    the old input and raises it by the new one (two events would each start from the value before them)."""
    overrides = (("pk_D", 1.0),)
    regimen = Regimen.from_entries(LABEL_DOSES["upadacitinib"])
    doc = to_sbml_document(build_model("upadacitinib", None, overrides), regimen, horizon_days=3.0)
    assert doc.getModel().getNumEvents() == 5  # the first start, three end-and-start, the last end
    rr = _roadrunner(doc)
    hours = np.arange(0.0, 96.0, 2.0) / 24.0
    theirs = rr.simulate(times=hours, selections=["zero_order_input", "upadacitinib_serum_mg_L"])
    c = compiled("upadacitinib", None, overrides)
    P = c.parameter_matrix({}, 1)
    dose_t, dose_mg = regimen.events(3.0, np.array([75.0]))
    tr = integrate(c, P, c.initial(P), hours, dose_t, dose_mg, Tolerances(rtol=1e-10, atol=1e-10))
    ours = c.observe(hours, tr.states[:, :, 0].T, np.repeat(P, len(hours), axis=1))["upadacitinib_serum_mg_L"]
    np.testing.assert_allclose(ours, theirs[:, 1], rtol=1e-4, atol=1e-7)
    # a constant input from the first lag to the last dose's end: never twice the rate, never zero in between
    rate = theirs[:, 0][(hours > 0.01) & (hours < 3.9)]
    np.testing.assert_allclose(rate, rate[0], rtol=1e-9)
