"""Cyclosporine, a pathway inhibitor from its record: oral one-compartment PK, calcineurin inhibition as the
potencies say, and broad T-cell suppression where dupilumab leaves type 1 immunity alone."""

import numpy as np
import pytest

from adqsp.assembly import build_model
from adqsp.drugs.registry import resolve
from adqsp.errors import InputError
from adqsp.pk.regimen import LABEL_DOSES, Regimen
from adqsp.receptor.assay import run_assay
from adqsp.trial.course import time_course

WEEKS = 16


@pytest.fixture(scope="module")
def courses():
    return {
        drug or "placebo": time_course(drug, Regimen.from_entries(LABEL_DOSES[drug]) if drug else Regimen(), WEEKS)
        for drug in (None, "dupilumab", "cyclosporine")
    }


@pytest.fixture(scope="module")
def first_days():
    return time_course("cyclosporine", Regimen.from_entries(LABEL_DOSES["cyclosporine"]), 1, step_days=1 / 48)


def _at(frame, day, column):
    return float(frame.loc[np.isclose(frame.time_days, day), column].iloc[0])


def test_blood_levels_follow_the_published_one_compartment_model(first_days):
    pk = resolve("cyclosporine").pk_models["wu2005"].parameters
    cl, v, ka = pk["CL"].value, pk["Vc"].value, pk["ka"].value
    ke = cl / v
    weight = build_model("cyclosporine").parameter("WT").value  # the typical patient's
    dose = 2.0 * weight  # mg_per_kg 2 every 12 h
    t = first_days.time_days.to_numpy()
    expected = sum(
        np.where(t > t0, dose * ka / (v * (ka - ke)) * (np.exp(-ke * (t - t0)) - np.exp(-ka * (t - t0))), 0.0)
        for t0 in np.arange(0.0, t[-1], 0.5)  # every 12 h for the week
    )
    simulated = first_days.cyclosporine_serum_mg_L.to_numpy()
    assert simulated.max() > 0.3  # a peak of several hundred ug/L after 150 mg
    np.testing.assert_allclose(simulated, expected, rtol=0.01, atol=1e-3 * expected.max())


def test_calcineurin_inhibition_is_the_emax_function_of_the_blood_level(first_days):
    inhibits = resolve("cyclosporine").mechanism.inhibits[0]
    c = first_days.cyclosporine_serum_mg_L.to_numpy()
    expected = inhibits.emax.value * c / (c + inhibits.ic50_mg_L.value)
    np.testing.assert_allclose(first_days.cyclosporine_calcineurin_inhibition, expected, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(first_days.tcell_activation, 1.0 - expected, rtol=1e-9, atol=1e-12)
    peak = float(c.max())
    assert 0.7 < inhibits.emax.value * peak / (peak + inhibits.ic50_mg_L.value) < 0.95


def test_cyclosporine_suppresses_every_t_helper_pathway_where_dupilumab_spares_type_1(courses):
    csa, dup = courses["cyclosporine"], courses["dupilumab"]
    day = WEEKS * 7.0
    for column in ("les_IFNg", "les_IL17", "les_IL22", "les_IL13_pM"):
        assert _at(csa, day, column) < 0.3 * _at(csa, 0.0, column), column
    # T-cell responsiveness: Th1 cells primed per DC in the lymph node fall under cyclosporine (calcineurin, over
    # the dosing intervals the pool integrates); under dupilumab the Th1 fate's only factor, IL-4's restraint, lifts
    per_dc = (_at(csa, day, "th1_pool") / _at(csa, day, "node_dc")) / (
        _at(csa, 0.0, "th1_pool") / _at(csa, 0.0, "node_dc")
    )
    assert per_dc < 0.6
    assert _at(dup, day, "node_th_restraint") > _at(dup, 0.0, "node_th_restraint")


def test_within_two_weeks_cyclosporine_acts_on_inflammation(courses):
    csa, placebo = courses["cyclosporine"], courses["placebo"]
    assert _at(csa, 14.0, "easi") < 0.75 * _at(placebo, 14.0, "easi")


def test_a_drug_model_without_a_pathway_inhibitor_has_no_activity_factor():
    assert "tcell_activation" not in build_model("dupilumab").assignment_names
    assert "tcell_activation" in build_model("cyclosporine").assignment_names


def test_a_receptor_assay_of_a_pathway_inhibitor_is_a_one_line_error():
    with pytest.raises(InputError, match="drug: cyclosporine binds no receptor chain or cytokine"):
        run_assay("IL-13", drug="cyclosporine", drug_nM=1.0)
