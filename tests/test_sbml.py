"""SBML export: valid Level 3 with units, and libRoadRunner reproduces the project's own engine. libRoadRunner is a
test dependency (pyproject's test extra): without it this module fails to import rather than skipping."""

import libsbml
import numpy as np
import pytest
import roadrunner

from adqsp.assembly import build_model, compiled
from adqsp.engine.integrate import Tolerances, integrate
from adqsp.faces.sbml import to_sbml_document, unit_factors, validation_errors, write_sbml
from adqsp.pk.regimen import LABEL_DOSES, Regimen

LABEL = Regimen.from_entries(LABEL_DOSES["dupilumab"])
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


@pytest.mark.parametrize("drug", ["dupilumab", "tralokinumab", "lebrikizumab", None])
def test_export_validates_without_errors(drug):
    doc = to_sbml_document(build_model(drug), LABEL if drug == "dupilumab" else None)
    assert validation_errors(doc) == []
    model = doc.getModel()
    assert model.getParameter("pk_Vc" if drug else "exposure_les").getUnits() != ""
    if drug == "dupilumab":
        assert model.getParameter("dupilumab_serum_mg_L") is not None
        assert model.getNumEvents() == 9  # week 0 and every 2 weeks to week 16


def test_units_are_declared():
    factors = unit_factors("mg/L/day")
    kinds = {(k, e) for k, e, _, _ in factors}
    assert (libsbml.UNIT_KIND_GRAM, 1) in kinds and (libsbml.UNIT_KIND_LITRE, -1) in kinds
    assert (libsbml.UNIT_KIND_SECOND, -1) in kinds
    with pytest.raises(ValueError, match="unknown symbol"):
        unit_factors("furlongs")


def test_roadrunner_matches_own_engine_over_16_weeks():
    roadrunner.Logger.setLevel(roadrunner.Logger.LOG_CRITICAL)
    options = roadrunner.LoadSBMLOptions()  # skip steady-state selections and moiety analysis: load in seconds
    options.loadFlags = options.loadFlags | options.NO_DEFAULT_SELECTIONS | options.NO_DEFAULT_STEADY_STATE_SELECTIONS
    options.conservedMoieties = False
    options.mutableInitialConditions = False
    rr = roadrunner.RoadRunner(write_sbml(to_sbml_document(build_model("dupilumab"), LABEL)), options)
    rr.integrator.stiff = False  # CVODE's BDF/Newton fails after some dose events at tight tolerances; Adams does not
    rr.integrator.relative_tolerance = 1e-10
    rr.integrator.absolute_tolerance = 1e-12
    days = np.arange(0.0, 113.0, 7.0)
    theirs = rr.simulate(times=days, selections=list(COMPARED))

    c = compiled("dupilumab")
    P = c.parameter_matrix({}, 1)
    dose_t, dose_mg = LABEL.events(days[-1], np.array([75.0]))
    tr = integrate(c, P, c.initial(P), days, dose_t, dose_mg, Tolerances(rtol=1e-10, atol=1e-10))
    ours = np.array(
        [[np.ravel(c.observe(t, tr.states[k], P)[name])[0] for name in COMPARED] for k, t in enumerate(days)]
    )
    later = days > 0  # at day 0 the serum concentration is exactly zero in both
    rel = np.abs(ours[later] - theirs[later]) / np.maximum(np.abs(theirs[later]), 1e-12)
    assert rel.max() < 1e-4, dict(zip(COMPARED, rel.max(axis=0), strict=True))


def test_a_zero_order_input_is_exported_as_start_and_end_events_that_roadrunner_follows():
    regimen = Regimen.from_entries(LABEL_DOSES["upadacitinib"])
    doc = to_sbml_document(build_model("upadacitinib"), regimen, horizon_days=3.0)
    assert validation_errors(doc) == []
    assert doc.getModel().getNumEvents() == 3 * 4  # days 0-3: depot bolus, zero-order start and end per dose
    roadrunner.Logger.setLevel(roadrunner.Logger.LOG_CRITICAL)
    options = roadrunner.LoadSBMLOptions()
    options.loadFlags = options.loadFlags | options.NO_DEFAULT_SELECTIONS | options.NO_DEFAULT_STEADY_STATE_SELECTIONS
    options.conservedMoieties = False
    options.mutableInitialConditions = False
    rr = roadrunner.RoadRunner(write_sbml(doc), options)
    rr.integrator.stiff = False
    rr.integrator.relative_tolerance = 1e-10
    rr.integrator.absolute_tolerance = 1e-12
    hours = np.arange(0.0, 72.0, 1.0) / 24.0
    theirs = rr.simulate(times=hours, selections=["upadacitinib_serum_mg_L"])[:, 0]

    c = compiled("upadacitinib")
    P = c.parameter_matrix({}, 1)
    dose_t, dose_mg = regimen.events(hours[-1], np.array([75.0]))
    tr = integrate(c, P, c.initial(P), hours, dose_t, dose_mg, Tolerances(rtol=1e-10, atol=1e-10))
    ours = c.observe(hours, tr.states[:, :, 0].T, np.repeat(P, len(hours), axis=1))["upadacitinib_serum_mg_L"]
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-7)
    assert ours.max() > 0.02
