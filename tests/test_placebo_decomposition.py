"""The placebo arm's improvement in parts (regression to the mean, the trial's participation and expectation
effects, the rescue rule) that add up to the scenario's own value."""

import json
from dataclasses import replace

import pytest

from adqsp.errors import InputError
from adqsp.faces.cli import main
from adqsp.trial.job import run_trial
from adqsp.trial.placebo import ENDPOINTS, PARTS, decompose
from adqsp.trial.scenario import load_scenario

SMALL = replace(load_scenario(), patients_per_arm=120, seed=5)


@pytest.fixture(scope="module")
def parts():
    return decompose(SMALL)


def test_the_parts_add_up_to_the_trials_own_value(parts):
    placebo = next(a for a in run_trial(SMALL).summary["arms"] if a["name"] == "placebo")
    for week, visit in parts["arms"]["placebo"].items():
        for key in ENDPOINTS:
            split = visit[key]
            assert split["total"] == pytest.approx(placebo["visits"][week][key], abs=1e-12)
            assert sum(split[p] for p in PARTS) == pytest.approx(split["total"], abs=1e-9)


def test_each_part_acts_in_its_direction(parts):
    week16 = parts["arms"]["placebo"]["16"]
    assert week16["EASI_pct_change"]["participation"] < -5.0  # skin care and trigger avoidance improve the skin
    assert week16["EASI75"]["rescue_rule"] <= 0.0  # rescued patients count as non-responders
    assert week16["EASI_pct_change"]["rescue_rule"] == 0.0  # continuous values: as without rescue (hypothetical)
    assert parts["arms"]["placebo"]["0"]["EASI_pct_change"]["total"] == 0.0


def test_the_command_prints_the_parts_and_refuses_a_scenario_without_placebo(capsys, tmp_path):
    assert main(["placebo", "--patients-per-arm", "60", "--seed", "5", "--json"]) == 0
    assert set(json.loads(capsys.readouterr().out)["arms"]) == {"placebo"}
    with pytest.raises(InputError, match="arms: the scenario has no placebo arm"):
        decompose(replace(SMALL, arms=SMALL.arms[1:]))
