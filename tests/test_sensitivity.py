"""The sensitivity table: central differences on common random numbers, over the SOLO 1 endpoints and the
dupilumab - tralokinumab contrast, written as a Markdown page."""

import math
from dataclasses import replace

import pytest

from adqsp.faces.cli import main
from adqsp.trial.job import run_trial
from adqsp.trial.scenario import load_scenario
from adqsp.trial.sensitivity import STEP, contrast_endpoints, contrast_scenario, sensitivity, solo_endpoints


def test_a_row_is_the_central_difference_of_the_trials_it_ran():
    (row,) = sensitivity(patients_per_arm=40, seed=4, log=lambda line: None, only=("itch_half",))
    solo = replace(load_scenario(), patients_per_arm=40, seed=4)
    value = row.value
    up, down = ((("itch_half", value * math.exp(sign * STEP)),) for sign in (1.0, -1.0))
    hi = solo_endpoints(run_trial(replace(solo, parameters=up)).summary)
    lo = solo_endpoints(run_trial(replace(solo, parameters=down)).summary)
    label = "placebo: EASI_pct_change"
    assert row.sensitivities[label] == pytest.approx((hi[label] - lo[label]) / (2 * STEP), rel=1e-9)
    assert len([k for k in row.sensitivities if not k.startswith("dupilumab - tralokinumab")]) == 20
    assert row.kind == "calibrated" and row.calibrated and row.weight == max(abs(v) for v in row.sensitivities.values())


def test_a_drug_parameter_moves_only_the_arms_of_its_drug():
    (row,) = sensitivity(patients_per_arm=40, seed=4, log=lambda line: None, only=("pk_CL",))  # tralokinumab's
    assert set(row.sensitivities) == set(
        contrast_endpoints(run_trial(contrast_scenario(replace(load_scenario(), patients_per_arm=10, seed=4))).summary)
    )
    assert row.sensitivities["dupilumab - tralokinumab: EASI_pct_change"] <= 0.0  # faster clearance: less IL-13 block


def test_the_command_writes_the_page(tmp_path, capsys):
    out = tmp_path / "sensitivity.md"
    assert main(["sensitivity", "--patients-per-arm", "20", "--only", "itch_half", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "| itch_half |" in text and "## The ten assumed parameters that weigh most" in text
    assert main(["sensitivity", "--patients-per-arm", "20", "--only", "nonsense", "--out", str(out)]) == 2
    assert "nonsense" in capsys.readouterr().err
