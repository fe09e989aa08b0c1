"""Population presets (adult, adolescent 12-17, child 6-11): body weight, age and sex against their sources, the
draws' independence of chunking and of the new covariates, and the embedded label-regimen scenarios for
adolescents and children (each weight tier gets its dose)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
from scipy.special import ndtri

from adqsp.assembly import build_model
from adqsp.drugs.registry import shipped
from adqsp.errors import InputError
from adqsp.pk.regimen import Regimen
from adqsp.population.philox import normals, stream
from adqsp.population.presets import PRESET_TABLE, lms, weight_at
from adqsp.population.sampling import covariates, sample
from adqsp.schema import PRESETS
from adqsp.trial.job import run_trial
from adqsp.trial.scenario import EMBEDDED, embedded_scenarios, embedded_text, load_scenario

N = 50_000
SEED = 20161

#: CDC 2000 weight-for-age (wtage.csv, columns P5, P50, P95; kg): (sex 1 male 2 female, age in months, P5, P50, P95),
#: the percentiles the CDC tabulates beside the LMS parameters, so they check the table and the LMS formula
CDC_PERCENTILES = [
    (1, 72.5, 16.93703875, 20.77769565, 27.03307565),
    (1, 144.5, 30.55161562, 40.67443658, 59.30356596),
    (2, 108.5, 22.31677169, 29.14291171, 41.8188452),
    (2, 216.5, 45.36020233, 56.22969564, 80.75172168),
]

#: the first adult patients' body weights (kg, seed 20161, indices 0, 1, 7, 123, 99999) as drawn before the
#: presets drawn by age existed (commit 0c06746): the adult preset must keep every draw
ADULT_WEIGHTS = [48.2235547339, 61.6678057595, 78.8194908092, 41.0, 126.392355007]


def test_every_preset_a_scenario_may_name_is_defined():
    assert tuple(PRESET_TABLE) == PRESETS == ("adult", "adolescent", "child")


@pytest.mark.parametrize(("sex", "months", "p5", "p50", "p95"), CDC_PERCENTILES)
def test_the_weight_for_age_table_gives_the_cdc_percentiles(sex, months, p5, p50, p95):
    L, M, S = lms(np.array([months / 12.0]), np.array([sex == 1]))
    for z, expected in ((ndtri(0.05), p5), (0.0, p50), (ndtri(0.95), p95)):
        assert weight_at(np.array(z), L, M, S)[0] == pytest.approx(expected, abs=0.01)


def test_adult_weight_is_the_population_pk_data_sets():
    w = covariates(np.arange(N), SEED, "adult")["WT"]
    assert abs(w.mean() - 75.7) < 0.5  # SE of the mean 0.08 kg; clipping at 41 and 175 kg moves it < 0.1 kg
    assert abs(w.std() - 18.6) < 0.5
    assert w.min() >= 41.0 and w.max() <= 175.0


def test_adult_draws_are_unchanged_by_the_new_covariates():
    model = build_model("dupilumab")
    idx = np.array([0, 1, 7, 123, 99_999])
    adult = sample(model, idx, SEED, "adult")
    np.testing.assert_allclose(adult.values["WT"], ADULT_WEIGHTS, rtol=1e-11)
    assert adult.covariates == {}  # no age or sex drawn for adults
    # the same weight from the weight stream alone, as the adult preset always drew it
    z = normals(idx, SEED, stream("covariate:WT"), 1)[:, 0]
    log_sd = np.sqrt(np.log1p((18.6 / 75.7) ** 2))
    np.testing.assert_array_equal(
        adult.values["WT"], np.clip(np.exp(np.log(75.7) - 0.5 * log_sd**2 + log_sd * z), 41, 175)
    )
    # the model parameters' draws do not depend on the preset
    child = sample(model, idx, SEED, "child")
    for name, values in adult.values.items():
        if name != "WT":
            np.testing.assert_array_equal(child.values[name], values, err_msg=name)
    assert not np.array_equal(child.values["WT"], adult.values["WT"])


@pytest.mark.parametrize(
    ("preset", "low", "high", "completed_mean", "male"),
    [
        ("adolescent", 12.0, 18.0, 14.5, 0.59),
        ("child", 6.0, 12.0, 8.5, 151 / 304),
    ],
)
def test_ages_and_sexes_follow_the_trials(preset, low, high, completed_mean, male):
    c = covariates(np.arange(N), SEED, preset)
    age = c["AGE"]
    assert age.min() >= low and age.max() < high
    # uniform over the band: in completed years (as trials report age) mean completed_mean, SD 1.71; LIBERTY AD
    # ADOL reported 14.5 +- 1.7 (Simpson 2020), LIBERTY AD PEDS arms 8.3-9.5 +- 1.4-1.8 (Cork 2023 Table 1)
    completed = np.floor(age)
    assert abs(completed.mean() - completed_mean) < 0.03  # SE 0.008 years
    assert abs(completed.std() - 1.71) < 0.03
    counts = np.bincount(completed.astype(int) - int(low), minlength=6)
    assert np.abs(counts / N - 1 / 6).max() < 0.01  # each year of age 1/6 (SE of a share 0.0017)
    assert abs(c["MALE"].mean() - male) < 0.01  # SE 0.0022
    assert set(np.unique(c["MALE"])) == {0.0, 1.0}


@pytest.mark.parametrize("preset", ["adolescent", "child"])
def test_weight_follows_the_reference_at_each_patients_age_and_sex(preset):
    c = covariates(np.arange(N), SEED, preset)
    L, M, S = lms(c["AGE"], c["MALE"] == 1.0)
    below_median = np.mean(c["WT"] < M)  # the reference's median at the patient's age and sex
    below_p5 = np.mean(c["WT"] < weight_at(np.array(ndtri(0.05)), L, M, S))
    below_p95 = np.mean(c["WT"] < weight_at(np.array(ndtri(0.95)), L, M, S))
    # z within +-3 (0.13% cut each side) and weight >= 15 kg (a child at 6 below the reference's 3rd percentile):
    # the shares move by less than 0.003
    assert abs(below_median - 0.5) < 0.01  # SE 0.0022
    assert abs(below_p5 - 0.05) < 0.006  # SE 0.001
    assert abs(below_p95 - 0.95) < 0.006
    assert c["WT"].min() >= PRESET_TABLE[preset].band.min_weight_kg


def test_child_weight_matches_the_pediatric_trials_baseline():
    # LIBERTY AD PEDS placebo + TCS arm, n = 123: weight 31.5 +- 10.82 kg (Cork MJ et al. Am J Clin Dermatol
    # 2023;24:787, Table 1); the preset's mean within two standard errors of the trial's mean
    w = covariates(np.arange(N), SEED, "child")["WT"]
    assert abs(w.mean() - 31.5) < 2 * 10.82 / np.sqrt(123)
    assert 0.6 < w.std() / 10.82 < 1.1


def test_the_presets_drawn_by_age_do_not_depend_on_chunking():
    for preset in ("adolescent", "child"):
        whole = covariates(np.arange(2_000), SEED, preset)
        part = covariates(np.array([1_999, 3, 1_000]), SEED, preset)
        for name, values in part.items():
            np.testing.assert_array_equal(values, whole[name][[1_999, 3, 1_000]], err_msg=f"{preset} {name}")
        pop = sample(build_model("dupilumab"), np.arange(100, 140), SEED, preset)
        np.testing.assert_array_equal(pop.values["WT"], whole["WT"][100:140])
        np.testing.assert_array_equal(pop.take(np.array([2, 5])).covariates["AGE"], whole["AGE"][[102, 105]])
    assert not np.array_equal(
        covariates(np.arange(50), 1, "child")["AGE"], covariates(np.arange(50), 2, "child")["AGE"]
    )


def test_an_unknown_preset_is_an_input_error_naming_the_field():
    with pytest.raises(InputError, match=r"unknown preset 'toddler' \(allowed: adult, adolescent, child\)") as err:
        covariates(np.arange(3), SEED, "toddler")
    assert err.value.field == "population.preset"


def test_an_unknown_preset_in_a_scenario_file_is_one_line_on_the_command_line(tmp_path):
    text = embedded_text("adolescent").replace('preset = "adolescent"', 'preset = "teen"')
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "adqsp", "trial", str(path), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "adqsp: error: population.preset: unknown preset 'teen' (allowed: adult, adolescent, child)"
    ]
    assert not (tmp_path / "out").exists()


#: (weight kg, dose days and mg over 16 weeks) of the pediatric label, DUPIXENT prescribing information Table 2
LABEL_TIERS = [
    (25.0, [0, 28, 56, 84, 112], [600, 300, 300, 300, 300]),  # 15 to < 30 kg: 600 mg, then 300 mg q4w
    (45.0, list(range(0, 113, 14)), [400] + [200] * 8),  # 30 to < 60 kg: 400 mg, then 200 mg q2w
    (70.0, list(range(0, 113, 14)), [600] + [300] * 8),  # >= 60 kg: 600 mg, then 300 mg q2w
]


@pytest.mark.parametrize("name", ["adolescent", "children"])
def test_the_embedded_pediatric_scenarios_give_each_weight_tier_its_label_dose(name):
    scenario = load_scenario(name)
    assert name in EMBEDDED and name in embedded_scenarios()
    assert scenario.preset == {"adolescent": "adolescent", "children": "child"}[name]
    placebo, drug = scenario.arms
    assert placebo.drug is None and drug.drug.name == "dupilumab"
    weights = np.array([w for w, _, _ in LABEL_TIERS])
    times, amounts = drug.regimen.events(16 * 7.0, weights)
    for k, (_, days, mg) in enumerate(LABEL_TIERS):
        given = amounts[:, k] > 0
        assert times[given].tolist() == days and amounts[given, k].tolist() == mg
    assert not placebo.regimen.events(16 * 7.0, weights)[1].any()
    # the scenarios give the label regimen the drug record carries
    (label,) = [r for r in shipped()["dupilumab"].label_regimens if r.name.startswith("pediatric")]
    np.testing.assert_array_equal(
        drug.regimen.events(112.0, weights)[1],
        Regimen.from_tables(label.doses, "label").events(112.0, weights)[1],
    )


def test_the_embedded_pediatric_entry_criteria_are_the_phase_3_designs():
    adolescent, children = load_scenario("adolescent"), load_scenario("children")
    assert (adolescent.inclusion.easi_min, adolescent.inclusion.iga_min, adolescent.inclusion.bsa_min_pct) == (
        16,
        3,
        10,
    )
    assert (children.inclusion.easi_min, children.inclusion.iga_min, children.inclusion.bsa_min_pct) == (21, 4, 15)
    assert all(arm.tcs_potency is None for arm in adolescent.arms)  # ADOL: monotherapy
    assert all(arm.tcs_potency == "medium" for arm in children.arms)  # PEDS: with medium-potency TCS
    assert adolescent.weeks == children.weeks == 16


@pytest.mark.parametrize("name", ["adolescent", "children"])
def test_the_embedded_pediatric_scenarios_run(name):
    scenario = replace(load_scenario(name), patients_per_arm=30, seed=7)
    result = run_trial(scenario)
    placebo, drug = result.arms
    assert placebo.ok.all() and drug.ok.all()
    weight = drug.patients.values["WT"]
    band = PRESET_TABLE[scenario.preset].band
    assert weight.min() >= band.min_weight_kg
    week16 = list(drug.weeks).index(16.0)
    serum = drug.readouts["serum_mg_L"][week16]
    assert (serum > 1.0).all() and not placebo.readouts.get("serum_mg_L", np.zeros(1)).any()
    # each patient's doses are its tier's: 300 mg q4w under 30 kg, 200 mg q2w at 30-60 kg, 300 mg q2w from 60 kg
    _, amounts = drug.arm.regimen.events(112.0, weight)
    total = amounts.sum(axis=0)
    expected = np.select([weight < 30, weight < 60], [600 + 4 * 300, 400 + 8 * 200], 600 + 8 * 300)
    np.testing.assert_array_equal(total, expected)
    assert result.summary["patients_per_arm"] == 30
    rows = result.patients[result.patients["arm"] == drug.arm.name]
    first = rows[rows["week"] == rows["week"].min()].set_index("patient_id").loc[drug.patients.index]
    np.testing.assert_array_equal(first["AGE"], drug.patients.covariates["AGE"])  # each patient's age and sex
    np.testing.assert_array_equal(first["MALE"], drug.patients.covariates["MALE"])
    assert band.low_years <= rows["AGE"].min() and rows["AGE"].max() < band.high_years
    assert set(rows["MALE"]) <= {0.0, 1.0}
