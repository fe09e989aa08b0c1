"""Dropout: who leaves the trial and when, its own random stream, and how the statistics count it."""

from dataclasses import replace

import numpy as np
import pytest

from adqsp.conduct.dropout import dropped_out
from adqsp.conduct.rescue import rescued
from adqsp.errors import InputError
from adqsp.faces.cli import main
from adqsp.trial.job import run_trial
from adqsp.trial.run import dropout_draws
from adqsp.trial.scenario import default_scenario_text, load_scenario, parse_scenario

WEEKS = np.array([0.0, 2.0, 4.0, 8.0, 16.0])


def test_dropout_follows_its_hazard_from_the_baseline_visit_on():
    n = 4000
    easi = np.full((5, n), 30.0)
    draws = np.random.default_rng(2).random((5, n))
    after = dropped_out(easi, WEEKS, draws, hazard=0.05, nonimprover_factor=1.0)
    assert not after[0].any()  # everyone is observed at baseline
    assert np.all(after[1:] >= after[:-1])  # once gone, gone
    np.testing.assert_allclose(after[1:].mean(axis=1), 1.0 - np.exp(-0.05 * WEEKS[1:]), atol=0.02)
    assert not dropped_out(easi, WEEKS, draws, hazard=0.0, nonimprover_factor=5.0).any()


def test_the_nonimprover_factor_raises_the_hazard_of_patients_improved_by_less_than_half():
    easi = np.array([[30.0, 30.0, 30.0], [14.0, 15.0, 16.0], [14.0, 15.0, 16.0]])  # improved 53%, 50%, 47%
    draws = np.full((3, 3), 0.5)
    # one week at hazard 0.5: chance 0.39 < 0.5, stays; at 0.5 x 2: chance 0.63 > 0.5, leaves
    weeks = np.array([0.0, 1.0, 2.0])
    after = dropped_out(easi, weeks, draws, hazard=0.5, nonimprover_factor=2.0)
    # every patient is a non-improver at baseline (no improvement yet): all leave before week 1 at factor 2
    assert after[1].all()
    later = dropped_out(easi, weeks, np.array([[0.99] * 3, [0.5] * 3, [0.5] * 3]), 0.5, 2.0)
    assert later.tolist() == [[False] * 3, [False] * 3, [False, False, True]]


def test_a_patient_gone_is_not_rescued():
    easi = np.full((5, 3), 30.0)  # nobody improves: everyone is considered for rescue at every visit
    draws = np.zeros((5, 3))  # ... and rescued at the first chance
    present = ~np.array([[0, 0, 0], [0, 1, 0], [0, 1, 1], [0, 1, 1], [0, 1, 1]], dtype=bool)
    after = rescued(easi, WEEKS, draws, 25.0, 1.0, present=present)
    assert after[:, 0].tolist() == [False, False, True, True, True]  # assessed at week 2, rescued before week 4
    assert not after[:, 1].any()  # gone before its first post-baseline visit
    assert after[:, 2].tolist() == [False, False, True, True, True]  # assessed at week 2, then gone
    np.testing.assert_array_equal(rescued(easi, WEEKS, draws, 25.0, 1.0), after[:, [0]].repeat(3, axis=1))


def test_dropout_draws_are_the_patients_own():
    indices = np.arange(10, 60)
    whole = dropout_draws(indices, 5, 7)
    np.testing.assert_array_equal(dropout_draws(indices[20:30], 5, 7), whole[:, 20:30])
    assert whole.shape == (7, 50) and np.all((whole > 0) & (whole < 1))
    assert not np.array_equal(dropout_draws(indices, 6, 7), whole)


PLACEBO = replace(load_scenario(), arms=load_scenario().arms[:2], patients_per_arm=300, seed=4)


@pytest.fixture(scope="module")
def trials():
    return run_trial(PLACEBO), run_trial(replace(PLACEBO, dropout_per_week=0.05, dropout_nonimprover_factor=3.0))


def test_dropout_moves_no_other_draw(trials):
    without, with_dropout = trials
    for a, b in zip(without.arms, with_dropout.arms, strict=True):
        np.testing.assert_array_equal(a.patients.index, b.patients.index)
        for key in a.scores:
            np.testing.assert_array_equal(a.scores[key], b.scores[key])
        assert b.dropped.any() and not a.dropped.any()
        # a patient's rescue is unchanged if it was still there at the visit its rescue followed, else gone
        columns = np.arange(a.rescued.shape[1])
        assessed = ~b.dropped[np.maximum(a.rescued.argmax(axis=0) - 1, 0), columns]
        np.testing.assert_array_equal(a.rescued & assessed, b.rescued)
        assert (a.rescued & ~assessed).any()


def test_non_responder_imputation_of_dropouts_lowers_the_responder_rates(trials):
    without, with_dropout = trials
    placebo, treated = (arm["visits"]["16"] for arm in with_dropout.summary["arms"])
    assert with_dropout.summary["dropout_per_week"] == 0.05
    for key in ("EASI50", "EASI75", "IGA01"):
        assert placebo[key] < without.summary["arms"][0]["visits"]["16"][key], key
    # the responders counted are those neither rescued nor gone at week 16
    arm = with_dropout.arms[0]
    stayed = ~(arm.rescued[-1] | arm.dropped[-1])[arm.ok]
    responders = (arm.scores["EASI"][-1] <= arm.scores["EASI"][0] * 0.25)[arm.ok]
    assert placebo["EASI75"] == pytest.approx((responders & stayed).mean())
    # the summary's dropout fraction at each visit, rising; placebo patients improve less, so more of them leave
    fractions = [v["dropout_fraction"] for v in with_dropout.summary["arms"][0]["visits"].values()]
    assert fractions[0] == 0.0 and fractions == sorted(fractions)
    assert placebo["dropout_fraction"] == pytest.approx(arm.dropped[-1][arm.ok].mean())
    assert placebo["dropout_fraction"] > treated["dropout_fraction"] > 1.0 - np.exp(-0.05 * 16)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("dropout_per_week", -0.01),
        ("dropout_per_week", "0.02"),
        ("dropout_per_week", float("nan")),
        ("dropout_per_week", 8.0),
        ("dropout_nonimprover_factor", -1.0),
        ("dropout_nonimprover_factor", True),
    ],
)
def test_bad_dropout_values_are_input_errors_naming_the_field(key, value):
    data = {"name": "x", "weeks": 4, "arms": [{"name": "placebo"}], key: value}
    with pytest.raises(InputError) as info:
        parse_scenario(data)
    assert info.value.field == key
    with pytest.raises(InputError) as info:  # a Python caller's scenario, before anything runs
        run_trial(replace(load_scenario(), **{key: value}))
    assert info.value.field == key


def test_dropout_defaults_to_none():
    scenario = parse_scenario({"name": "x", "weeks": 4, "arms": [{"name": "placebo"}]})
    assert (scenario.dropout_per_week, scenario.dropout_nonimprover_factor) == (0.0, 1.0)


@pytest.mark.parametrize(
    ("line", "field"), [("dropout_per_week = -0.1", "dropout_per_week"), ('estimand = "worst"', "estimand")]
)
def test_the_command_line_reports_a_bad_key_in_one_line(tmp_path, monkeypatch, capsys, line, field):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "bad.toml"
    path.write_text(f"{line}\n{default_scenario_text().split(chr(10), 1)[1]}", encoding="utf-8")
    assert main(["trial", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(f"adqsp: error: {field}: ") and len(err.splitlines()) == 1, err
    assert list(tmp_path.iterdir()) == [path]
