"""Prediction intervals from parameter uncertainty: the shipped record's covariance, the draws from it, the bands
of a small trial (reproducible, ordered, the point estimate untouched) and bad numbers of draws."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from adqsp.assembly import calibration_record
from adqsp.errors import InputError
from adqsp.faces.cli import main
from adqsp.trial.calibration import covariance, identifiability
from adqsp.trial.job import run_trial
from adqsp.trial.scenario import load_scenario
from adqsp.trial.summary import VISIT_KEYS
from adqsp.trial.uncertainty import check_draws, parameter_draws, run_with_uncertainty


def test_the_shipped_record_carries_the_covariance_of_its_determined_keys():
    record = calibration_record()
    cov = record["covariance"]
    determined = [k for k in record["provenance"]["assessed"] if record["estimates"][k]["determined"]]
    assert cov["keys"] == determined
    sigma = np.array(cov["log"])
    assert sigma.shape == (len(determined), len(determined))
    np.testing.assert_allclose(sigma, sigma.T, rtol=0, atol=1e-12 * np.abs(sigma).max())
    assert np.linalg.eigvalsh(sigma).min() > 0
    for i, key in enumerate(determined):
        assert sigma[i, i] == pytest.approx(record["estimates"][key]["se_log"] ** 2, rel=1e-9)


def test_the_covariance_is_the_inverse_on_the_determined_columns():
    rng = np.random.default_rng(1)
    names = ["a", "b", "c", "d"]
    J = rng.normal(size=(10, 4))
    J[:, 2] = 0.0  # no target sees c
    estimates = identifiability(J, np.zeros(4), names, dict.fromkeys(names, (1e-3, 1e3)))
    cov = covariance(J, names, estimates)
    kept = [i for i, n in enumerate(names) if estimates[n].determined]
    assert cov["keys"] == [names[i] for i in kept] == ["a", "b", "d"]
    np.testing.assert_allclose(cov["log"], np.linalg.inv(J[:, kept].T @ J[:, kept]), rtol=1e-9)


def test_the_draws_follow_the_covariance_within_sampling_error():
    record = calibration_record()
    keys, sigma = record["covariance"]["keys"], np.array(record["covariance"]["log"])
    n = 20_000
    sets = parameter_draws(record, n, seed=7)
    logs = np.log([[s[k] for k in keys] for s in sets])
    mean = np.log([record["parameters"][k] for k in keys])
    # 5 standard errors of a mean and of a covariance entry ((S_ij^2 + S_ii S_jj) / n for a normal sample)
    assert np.all(np.abs(logs.mean(axis=0) - mean) < 5 * np.sqrt(np.diag(sigma) / n))
    se_cov = np.sqrt((sigma**2 + np.outer(np.diag(sigma), np.diag(sigma))) / n)
    assert np.all(np.abs(np.cov(logs, rowvar=False) - sigma) < 5 * se_cov)
    # the seed fixes the draws (the first of fewer are the same up to rounding in the matrix product)
    first = np.log([[s[k] for k in keys] for s in parameter_draws(record, 5, seed=7)])
    np.testing.assert_allclose(first, logs[:5], rtol=1e-12)
    assert parameter_draws(record, 5, seed=7) == parameter_draws(record, 5, seed=7)
    assert parameter_draws(record, 5, seed=8) != parameter_draws(record, 5, seed=7)
    # a key the scenario overrides is not drawn; the others keep their marginal distribution
    partial = parameter_draws(record, 4, seed=7, exclude=(keys[0],))
    assert all(set(s) == set(keys[1:]) for s in partial)


@pytest.fixture(scope="module")
def small():
    """A 40-per-arm SOLO 1 trial at the shipped parameters, and with bands of 4 draws twice (seed 3) and once
    (seed 4)."""
    scenario = replace(load_scenario(), patients_per_arm=40)
    return (
        run_trial(scenario),
        run_with_uncertainty(scenario, 4, seed=3),
        run_with_uncertainty(scenario, 4, seed=3),
        run_with_uncertainty(scenario, 4, seed=4),
    )


def test_bands_cover_every_arm_visit_and_endpoint_in_order(small):
    point, result, _, _ = small
    block = result.summary["uncertainty"]
    record = calibration_record()
    assert block["draws"] == 4 and block["seed"] == 3 and block["keys"] == record["covariance"]["keys"]
    assert block["not_determined"] == sorted(k for k, e in record["estimates"].items() if not e["determined"])
    assert not set(block["keys"]) & set(block["not_determined"])
    for arm in point.summary["arms"]:
        bands = block["arms"][arm["name"]]
        assert set(bands) == set(arm["visits"])
        for week, entries in bands.items():
            assert set(VISIT_KEYS) <= set(entries)
            for key, band in entries.items():
                if band is None:  # no value in any draw: the serum trough of the placebo arm
                    assert arm["visits"][week].get(key) is None
                    continue
                assert band[0] <= band[1] <= band[2], (arm["name"], week, key)
    assert block["arms"]["placebo"]["16"]["EASI50"][2] > block["arms"]["placebo"]["16"]["EASI50"][0]


def test_the_same_seed_gives_the_same_bands_and_another_seed_others(small):
    _, first, again, other = small
    assert first.summary["uncertainty"] == again.summary["uncertainty"]
    assert first.summary["uncertainty"]["arms"] != other.summary["uncertainty"]["arms"]


def test_the_point_estimate_is_the_shipped_parameters_trial(small):
    point, result, _, _ = small
    assert {k: v for k, v in result.summary.items() if k != "uncertainty"} == point.summary
    assert result.patients.equals(point.patients)


@pytest.mark.parametrize("draws", [1, 1001, 2.5, True, "4"])
def test_check_draws_rejects_bad_numbers(draws):
    with pytest.raises(InputError, match="^draws: must be an integer from 2 to 1000"):
        check_draws(draws)


@pytest.mark.parametrize("value", ["1", "1001", "2.5", "-3", "many"])
def test_a_bad_number_of_draws_is_one_line_naming_the_option_and_writes_nothing(capsys, tmp_path, value):
    out = tmp_path / "out"
    assert main(["trial", "--patients-per-arm", "10", "--out", str(out), "--uncertainty", value]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--uncertainty" in err and err.startswith("adqsp: error:")
    assert not out.exists() and not list(tmp_path.iterdir())


def test_a_draws_seed_without_draws_is_bad_input(capsys, tmp_path):
    assert main(["trial", "--out", str(tmp_path / "out"), "--uncertainty-seed", "3"]) == 2
    assert capsys.readouterr().err.startswith("adqsp: error: --uncertainty-seed: needs --uncertainty")


def test_the_command_line_writes_the_bands(capsys, tmp_path):
    out = tmp_path / "out"
    argv = ["trial", "--patients-per-arm", "20", "--out", str(out), "--uncertainty", "2", "--uncertainty-seed", "5"]
    assert main(argv) == 0
    table = capsys.readouterr().out
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["uncertainty"]["draws"] == 2 and summary["uncertainty"]["seed"] == 5
    low, _, high = summary["uncertainty"]["arms"]["placebo"]["16"]["EASI_pct_change"]
    assert f"({low:.1f} to {high:.1f})" in table
    assert "over 2 parameter sets drawn from the calibration" in (out / "report.html").read_text(encoding="utf-8")
