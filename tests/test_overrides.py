"""Parameter overrides: typical values and between-patient log-SDs, from the API and from scenario files."""

from __future__ import annotations

import numpy as np
import pytest

from adqsp.assembly import build_model, check_finite, check_overrides
from adqsp.errors import InputError
from adqsp.population.sampling import sample
from adqsp.trial.scenario import parse_scenario


def test_log_sd_override_sets_the_spread_and_keeps_the_typical_value():
    base = build_model(None)
    model = build_model(None, overrides=(("th22_drive.log_sd", 1.1),))
    assert model.parameter("th22_drive").log_sd == 1.1
    assert model.parameter("th22_drive").value == base.parameter("th22_drive").value
    values = sample(model, np.arange(4000), seed=1).values["th22_drive"]
    assert np.std(np.log(values)) == pytest.approx(1.1, rel=0.05)


def test_unknown_log_sd_parameter_is_rejected():
    with pytest.raises(InputError, match=r"parameters\.nope\.log_sd"):
        check_overrides((("nope.log_sd", 0.3),), ((None, None),))


def test_scenario_table_form_gives_value_and_log_sd():
    scenario = parse_scenario(
        {
            "name": "t",
            "weeks": 4,
            "arms": [{"name": "placebo"}],
            "parameters": {"th2_drive": {"value": 0.02, "log_sd": 0.7}, "itch_half": 2.0},
        }
    )
    assert dict(scenario.parameters) == {"th2_drive": 0.02, "th2_drive.log_sd": 0.7, "itch_half": 2.0}


@pytest.mark.parametrize(
    ("table", "field"),
    [({}, "parameters.th2_drive"), ({"sd": 1.0}, "parameters.th2_drive.sd"), ({"log_sd": -1}, "th2_drive.log_sd")],
)
def test_scenario_table_form_errors_name_the_field(table, field):
    with pytest.raises(InputError, match=field.replace(".", r"\.")):
        parse_scenario({"name": "t", "weeks": 4, "arms": [{"name": "placebo"}], "parameters": {"th2_drive": table}})


def test_every_fitted_key_names_a_parameter_and_starts_inside_its_bounds():
    from adqsp.trial.calibration import FITTED, current_value

    model = build_model("dupilumab")
    for key, (low, high) in FITTED.items():
        value = current_value(model, key)  # raises KeyError for a name the model lacks
        assert low <= value <= high, key
    assert current_value(model, "th2_drive.log_sd") == model.parameter("th2_drive").log_sd


@pytest.mark.parametrize("name", ["rescue_rate", "noise_nrs_sd"])
def test_rater_and_trial_conduct_parameters_take_no_log_sd(name):
    data = {"name": "t", "weeks": 4, "arms": [{"name": "placebo"}], "parameters": {name: {"log_sd": 0.3}}}
    with pytest.raises(InputError, match=rf"parameters\.{name}\.log_sd: the same for every patient"):
        parse_scenario(data)
    parse_scenario({**data, "parameters": {name: {"value": 0.5}}})


def test_an_override_that_makes_the_model_non_finite_is_named():
    check_finite("dupilumab", None, (("th2_drive", 0.0),))  # no type 2 drive: a valid model
    with pytest.raises(InputError) as info:  # a central volume of 0 divides by zero
        check_finite("dupilumab", None, (("pk_Vc", 0.0), ("th2_drive", 2.0)))
    assert info.value.field == "parameters.pk_Vc"
