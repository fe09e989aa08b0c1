"""The embedded 52-week design on background topical corticosteroids: every arm on TCS, a year of visits, the TCS
use stepping down as lesions clear, and dupilumab adding to what TCS alone do."""

from dataclasses import replace

from adqsp.trial.job import run_trial
from adqsp.trial.scenario import load_scenario


def test_a_year_on_background_tcs():
    scenario = load_scenario("background52")
    assert scenario.weeks == 52 and all(arm.tcs_potency == "medium" for arm in scenario.arms)
    summary = run_trial(replace(scenario, patients_per_arm=40, seed=5)).summary
    arms = {arm["name"]: arm for arm in summary["arms"]}
    assert set(arms) == {"placebo + TCS", "dupilumab 300 mg q2w + TCS", "dupilumab 300 mg qw + TCS"}
    week52 = {name: arm["visits"]["52"] for name, arm in arms.items()}
    assert week52["dupilumab 300 mg q2w + TCS"]["EASI_pct_change"] < week52["placebo + TCS"]["EASI_pct_change"]
    assert all(arm["background"] for arm in arms.values())
