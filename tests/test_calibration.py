"""The calibration run (a partial refit keeps every other fitted value and reports the target table) and its
provenance (what is fitted is what the declaration marks calibrated)."""

from adqsp.assembly import build_model, calibrated_values, parameter_of
from adqsp.trial.calibration import FITTED, calibrate, current_value


def test_partial_refit_changes_only_the_named_keys_and_stays_in_bounds(tmp_path):
    model = build_model("dupilumab")
    checkpoint = tmp_path / "fit.checkpoint.json"
    result = calibrate(
        patients_per_arm=10, max_evaluations=1, log=lambda line: None, checkpoint=checkpoint, only=("rescue_rate",)
    )
    assert result["evaluations"] == 1  # the finite-difference trials count against the budget too
    assert set(result["parameters"]) == set(FITTED)
    for key, value in result["parameters"].items():
        low, high = FITTED[key]
        assert low <= value <= high
        if key != "rescue_rate":
            assert value == current_value(model, key)
    assert checkpoint.is_file()
    assert {row["target"] for row in result["targets"]} >= {"SOLO 1 placebo wk16 EASI50", "baseline EASI_mean"}


def test_the_fitted_keys_are_exactly_the_calibrated_parameters_and_the_shipped_file():
    # provenance: a parameter marked "calibrated" in the declaration is one the fit can reproduce, and the other
    # way round; the shipped file holds exactly these keys
    calibrated = {
        p.name
        for drug in ("dupilumab", None, "tralokinumab", "lebrikizumab")
        for p in build_model(drug).parameters
        if p.calibrated
    }
    assert {parameter_of(key) for key in FITTED} == calibrated
    assert set(calibrated_values()) == set(FITTED)
