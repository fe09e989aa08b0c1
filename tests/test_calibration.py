"""The calibration: the optimiser improves a perturbed start, a partial refit keeps every other fitted value, the
identifiability analysis tells determined from undetermined parameters, and the shipped file's provenance."""

import numpy as np
import pytest

from adqsp.assembly import build_model, calibrated_values, calibration_record, parameter_of
from adqsp.trial.calibration import FITTED, Z95, calibrate, current_value, identifiability


def test_the_optimiser_brings_a_perturbed_start_back_and_lowers_the_cost(tmp_path):
    shipped = current_value(build_model("dupilumab"), "itch_half")
    start = 2.5 * shipped  # far from the fit: the NRS endpoints are off
    # 600 per arm: with 150, one patient crossing a responder threshold moves a rate residual by 0.17 SD, and such
    # steps swamp the finite-difference Jacobian (from this start, seeds 3-5, the fit then stopped with 62-100% of
    # the log-distance to the shipped value left; with 600, 0.4-31%)
    result = calibrate(
        patients_per_arm=600,
        seed=3,
        max_evaluations=12,
        log=lambda line: None,
        checkpoint=tmp_path / "fit.checkpoint.json",
        only=("itch_half",),
        start={"itch_half": start},
        assess=(),
    )
    first = calibrate(
        patients_per_arm=600,
        seed=3,
        max_evaluations=1,
        log=lambda line: None,
        only=("itch_half",),
        start={"itch_half": start},
        assess=(),
    )["cost"]
    fitted = result["parameters"]["itch_half"]
    assert result["cost"] < 0.7 * first
    assert abs(np.log(fitted / shipped)) < 0.5 * abs(np.log(start / shipped))
    provenance = result["provenance"]
    assert provenance["fitted"] == ["itch_half"] and provenance["status"] in range(0, 5)
    assert result["estimates"]["itch_half"]["value"] == pytest.approx(fitted)
    assert (tmp_path / "fit.checkpoint.json").is_file()


def test_partial_refit_changes_only_the_named_keys_and_stays_in_bounds():
    model = build_model("dupilumab")
    result = calibrate(
        patients_per_arm=10, max_evaluations=1, log=lambda line: None, only=("rescue_rate",), assess=("itch_half",)
    )
    # one trial, then the Jacobian at the result: its fitted column, and the assessed column (outside the budget)
    assert result["evaluations"] == 2 and result["assessment_trials"] == 1
    assert set(result["estimates"]) == {"rescue_rate", "itch_half"}
    assert result["provenance"]["assessed"] == ["rescue_rate", "itch_half"]
    assert set(result["parameters"]) == set(FITTED)
    for key, value in result["parameters"].items():
        low, high = FITTED[key]
        assert low <= value <= high
        if key != "rescue_rate":
            assert value == current_value(model, key)
    assert {row["target"] for row in result["targets"]} >= {"SOLO 1 placebo wk16 EASI50", "baseline EASI_mean"}


def test_identifiability_finds_what_the_jacobian_determines():
    rng = np.random.default_rng(1)
    names = ["a", "b", "c", "d"]
    bounds = dict.fromkeys(names, (1e-3, 1e3))
    J = rng.normal(size=(10, 4))
    J[:, 2] = 0.0  # no target sees c
    J[:, 3] = 2.0 * J[:, 1]  # d and b move the targets in the same way: only their combination is seen
    x = np.zeros(4)
    est = identifiability(J, x, names, bounds)
    assert est["a"].determined and not est["c"].determined
    assert not (est["b"].determined and est["d"].determined)  # one of the pair is dropped, then the other is seen
    # the determined ones' errors are those of the reduced problem, (J^T J)^-1 on their columns
    kept = [i for i, n in enumerate(names) if est[n].determined]
    cov = np.linalg.inv(J[:, kept].T @ J[:, kept])
    for k, i in enumerate(kept):
        assert est[names[i]].se_log == pytest.approx(np.sqrt(cov[k, k]), rel=1e-9)
        assert est[names[i]].high == pytest.approx(np.exp(Z95 * np.sqrt(cov[k, k])), rel=1e-9)
    tight = identifiability(J[:, :2] * 1e-3, x[:2], names[:2], dict.fromkeys(names[:2], (0.5, 2.0)))
    assert not any(e.determined for e in tight.values())  # intervals wider than the bounds: not determined


def test_every_calibrated_parameter_is_determined_and_carries_its_interval():
    record = calibration_record()
    assert set(calibrated_values()) == set(FITTED)
    provenance = record["provenance"]
    assert isinstance(provenance["converged"], bool) and provenance["message"] and record["evaluations"] > 0
    assert set(record["estimates"]) == set(provenance["assessed"]) == set(FITTED) >= set(provenance["fitted"])
    for drug in ("dupilumab", None, "tralokinumab", "lebrikizumab"):
        for p in build_model(drug).parameters:
            value, spread = record["estimates"].get(p.name), record["estimates"].get(p.name + ".log_sd")
            if p.calibrated:
                assert (value and value["determined"]) or (spread and spread["determined"]), p.name
                assert p.interval is not None or p.log_sd_interval is not None, p.name
            if p.interval is not None:
                low, high = p.interval
                assert low < p.value < high and p.calibrated
    assert {parameter_of(k) for k in FITTED} >= {p.name for p in build_model("dupilumab").parameters if p.calibrated}
