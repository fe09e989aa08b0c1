"""PK layer: the published models reproduce the label numbers; variability follows the published variances."""

import numpy as np
import pytest

from adqsp.drugs.registry import resolve
from adqsp.engine.integrate import Tolerances, integrate
from adqsp.model.codegen import compile_model
from adqsp.pk.models import pk_block
from adqsp.pk.regimen import LABEL_DOSES, Regimen
from adqsp.population.sampling import sample
from adqsp.trial.targets import calibration_targets, value_range

TIGHT = Tolerances(rtol=1e-8, atol=1e-8)


def label_range(endpoint: str) -> tuple[float, float]:
    """A range the Dupixent label gives (the 'label PK' rows of calibration_targets.csv), e.g. the week-16 trough
    of 300 mg q2w after a 600 mg load, 60-80 mg/L (means across trials)."""
    (value,) = [r["value"] for r in calibration_targets() if r["study"] == "label PK" and r["endpoint"] == endpoint]
    return value_range(value)


def serum(drug, doses, days, pk_model=None, weight=75.0, values=None):
    c = compile_model(pk_block(resolve(drug), pk_model))
    n = np.size(weight)
    P = c.parameter_matrix({"WT": np.atleast_1d(weight), **(values or {})}, n)
    dose_t, dose_mg = Regimen.from_entries(doses).events(days[-1], np.atleast_1d(weight))
    tr = integrate(c, P, c.initial(P), days, dose_t, dose_mg, TIGHT)
    return np.array([c.observe(t, tr.states[k], P)[f"{drug}_serum_mg_L"] for k, t in enumerate(days)])


def test_label_regimen_trough_and_peak():
    days = np.arange(0.0, 113.0, 0.25)
    c = serum("dupilumab", LABEL_DOSES["dupilumab"], days)[:, 0]
    first_two_weeks = days < 14
    t_max = days[first_two_weeks][np.argmax(c[first_two_weeks])]
    assert 64.0 <= c[first_two_weeks].max() <= 70.0
    assert 5.0 <= t_max <= 7.0
    low, high = label_range("serum_trough")
    assert low <= c[days == 112.0][0] <= high  # pre-dose trough at week 16: 71.6 mg/L


def test_weekly_regimen_trough():
    days = np.array([0.0, 112.0])
    doses = [{"mg": 600, "week": 0}, {"mg": 300, "every_weeks": 1, "from_week": 1}]
    assert 165.0 <= serum("dupilumab", doses, days)[-1, 0] <= 190.0


def test_heavier_patients_have_lower_concentrations():
    days = np.array([0.0, 112.0])
    c = serum("dupilumab", LABEL_DOSES["dupilumab"], days, weight=np.array([50.0, 75.0, 120.0]))[-1]
    assert c[0] > c[1] > c[2]


@pytest.mark.parametrize("pk_model", tuple(resolve("dupilumab").pk_models))
def test_every_dupilumab_model_gives_a_week16_trough_in_the_label_range(pk_model):
    """For a typical 75-kg patient: 71.6 (Kovalenko 2020 model 3), 69.4 (model 1), 67.6 (model 4), 66.8 mg/L (2016)."""
    trough = serum("dupilumab", LABEL_DOSES["dupilumab"], np.array([0.0, 112.0]), pk_model)[-1, 0]
    low, high = label_range("serum_trough")
    assert low <= trough <= high


@pytest.mark.parametrize("drug", ["tralokinumab", "lebrikizumab"])
def test_il13_antibodies_reach_the_steady_state_their_published_parameters_give(drug):
    """No label trough of these is in calibration_targets.csv, so the check is against the publication's own model:
    by week 16 the trough is near steady state and below, but within 25% of, the steady-state average
    F * dose / (CL * interval) of a typical 75-kg patient (tralokinumab 93.7 of 109.4 mg/L, lebrikizumab 81.7 of
    91.5 mg/L)."""
    days = np.array([0.0, 84.0, 112.0])
    c = serum(drug, LABEL_DOSES[drug], days)[:, 0]
    assert c[0] == 0.0
    assert abs(c[2] - c[1]) / c[2] < 0.03  # near steady state by week 12-16
    (table,) = resolve(drug).pk_models.values()
    (wt_on_cl,) = [cov for cov in table.covariates if cov.parameter == "CL" and cov.covariate == "WT"]
    clearance = table.parameters["CL"].value * (75.0 / wt_on_cl.reference) ** wt_on_cl.coefficient
    maintenance = LABEL_DOSES[drug][-1]
    average = table.parameters["F"].value * maintenance["mg"] / (clearance * 7.0 * maintenance["every_weeks"])
    assert 0.75 * average <= c[2] <= average


def test_tralokinumab_trough_is_near_the_label_mean():
    """The ADTRALZA/ADBRY product information gives mean (SD) steady-state troughs of 98.0 (41.1) to 101.4 (42.7)
    mg/L at 300 mg q2w (ECZTRA 1-3; not in calibration_targets.csv). The typical patient of Soehoel 2022 is the
    median of a log-normal spread (CV about 31%), about 5% below the mean: 93.7 mg/L; the bound allows 15%."""
    trough = serum("tralokinumab", LABEL_DOSES["tralokinumab"], np.array([0.0, 112.0]))[-1, 0]
    assert 0.85 * 98.0 <= trough <= 1.15 * 101.4


def test_drug_washes_out_within_label_window():
    """The label says concentrations become undetectable 9-13 weeks after the last dose (a median over patients):
    the typical patient still has 3.4 mg/L 9 weeks after the last dose, a concentration any assay detects, and
    less than 0.001 mg/L after 13 weeks."""
    first, last = label_range("time_to_undetectable_after_last_dose")
    days = np.array([0.0, 112.0, 112.0 + 7 * first, 112.0 + 7 * last])
    doses = [{"mg": 600, "week": 0}, {"mg": 300, "every_weeks": 2, "from_week": 2, "until_week": 16}]
    c = serum("dupilumab", doses, days)[:, 0]
    assert c[1] > 50.0
    assert c[2] > 1.0
    assert c[3] < 1e-3


def test_inter_individual_variability_matches_published_sd_and_correlation():
    model = pk_block(resolve("dupilumab"))
    pop = sample(model, np.arange(6000), seed=3)
    log_vc, log_ke = np.log(pop.values["pk_Vc"]), np.log(pop.values["pk_ke"])
    assert np.std(log_vc) == pytest.approx(0.216, rel=0.05)
    assert np.std(log_ke) == pytest.approx(0.301, rel=0.05)
    assert np.corrcoef(log_vc, log_ke)[0, 1] == pytest.approx(-0.373, abs=0.04)
    assert np.mean(pop.values["WT"]) == pytest.approx(75.7, rel=0.03)


@pytest.mark.parametrize(
    ("drug", "sd_cl", "sd_vc", "rho"),
    [
        ("tralokinumab", 0.3057, 0.3861, 0.61),  # Soehoel 2022: CV 31.3% and 40.1%
        ("lebrikizumab", 0.105**0.5, 0.124**0.5, 0.729),  # Zhu 2017: omega^2 0.105 and 0.124, covariance 0.0832
    ],
)
def test_il13_antibodies_vary_between_patients_as_published(drug, sd_cl, sd_vc, rho):
    pop = sample(pk_block(resolve(drug)), np.arange(6000), seed=3)
    log_cl, log_vc = np.log(pop.values["pk_CL"]), np.log(pop.values["pk_Vc"])
    assert np.std(log_cl) == pytest.approx(sd_cl, rel=0.05)
    assert np.std(log_vc) == pytest.approx(sd_vc, rel=0.05)
    assert np.corrcoef(log_cl, log_vc)[0, 1] == pytest.approx(rho, abs=0.04)
    days = np.array([0.0, 112.0])
    c = serum(drug, LABEL_DOSES[drug], days, weight=np.array([50.0, 75.0, 120.0]))[-1]
    assert c[0] > c[1] > c[2]  # heavier patients clear more and spread wider


def test_unknown_pk_model_is_an_input_error():
    from adqsp.errors import InputError

    with pytest.raises(InputError, match="pk_model"):
        pk_block(resolve("dupilumab"), "nonsense")


@pytest.mark.parametrize("drug", ["dupilumab", "tralokinumab", "lebrikizumab"])
def test_drug_mass_balance_without_elimination(drug):
    """With elimination switched off, every milligram absorbed (F x dose) stays in the compartments."""
    c = compile_model(pk_block(resolve(drug)))
    off = {"pk_ke": 0.0, "pk_Vmax": 0.0} if drug == "dupilumab" else {"pk_CL": 0.0}
    P = c.parameter_matrix({k: np.array([v]) for k, v in off.items()}, 1)
    days = np.array([0.0, 3.0, 30.0, 90.0])
    dose_t, dose_mg = Regimen.from_entries(LABEL_DOSES[drug]).events(days[-1], np.array([75.0]))
    tr = integrate(c, P, c.initial(P), days, dose_t, dose_mg, TIGHT)
    given = dose_mg[dose_t < days[-1]].sum() * P[c.model.parameter_names.index("pk_F"), 0]
    assert tr.states[-1, :, 0].sum() == pytest.approx(given, rel=1e-6)
    assert (tr.states >= -1e-6 * given).all()  # no compartment goes negative beyond integration error


def test_washout_leaves_no_negative_drug_behind():
    """After the last dose the drug decays to zero; a solver undershoot must not settle on a negative root
    of the saturable elimination (which would read as a receptor occupancy above 1 and a lasting effect)."""
    from adqsp.pk.regimen import Regimen
    from adqsp.trial.course import time_course

    doses = [{"mg": 600, "week": 0}, {"mg": 300, "every_weeks": 2, "from_week": 2, "until_week": 14}]
    course = time_course("dupilumab", Regimen.from_entries(doses), 60, step_days=7.0)
    late = course[course.time_days >= 40 * 7]
    assert late.dupilumab_serum_mg_L.min() > -1e-3
    assert late.les_keratinocyte_il4ra_occupancy.max() < 0.05
