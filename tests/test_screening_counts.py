"""Screening failures and exclusions are counted, the same whatever the batching or executor, and warn above the
documented threshold."""

import json
import warnings
from dataclasses import replace

import numpy as np
import pytest

from adqsp.errors import FailureWarning
from adqsp.faces.cli import main
from adqsp.faces.report import write_report
from adqsp.trial import run as run_module
from adqsp.trial.executors import LocalExecutor
from adqsp.trial.job import run_trial
from adqsp.trial.run import SCREENING_COUNTS, UNSCORED, screen, screen_batch
from adqsp.trial.scenario import load_scenario
from adqsp.trial.summary import FAILURE_WARN_FRACTION, failure_warnings

SMALL = replace(load_scenario(), weeks=4.0, visits=(2.0,), patients_per_arm=6, seed=11)
#: candidates sabotaged by :func:`_sabotage`, by index modulo 10, and how each is counted (the first problem that
#: applies: solver, non-finite, steady state)
BROKEN = {
    3: "failed_solver",
    5: "failed_steady_state",
    7: "failed_non_finite",
    9: "failed_solver",  # solver, non-finite and steady state at once
    1: "failed_non_finite",  # non-finite and no steady state
}


class _Wide(LocalExecutor):
    """A local executor of 8 threads: rounds of up to 32 batches."""

    def __init__(self) -> None:
        super().__init__(threads=8)


def _sabotage(monkeypatch):
    """The candidates of :data:`BROKEN` fail: 3 the solver, 5 the steady state, 7 a non-finite state; 9 all three,
    1 the last two."""
    enrolment = run_module._enrolment

    def broken(population, overrides):
        y, solved, steady = enrolment(population, overrides)
        digit = population.index % 10
        y = y.copy()
        y[0, np.isin(digit, (7, 9, 1))] = np.nan
        return y, solved & ~np.isin(digit, (3, 9)), steady & ~np.isin(digit, (5, 9, 1))

    monkeypatch.setattr(run_module, "_enrolment", broken)


def _check_identities(counts, scenario):
    assert list(counts) == list(SCREENING_COUNTS)
    assert all(isinstance(v, int) and v >= 0 for v in counts.values())
    assert counts["candidates"] == counts["failed"] + counts["excluded"] + counts["eligible"]
    assert counts["failed"] == counts["failed_solver"] + counts["failed_non_finite"] + counts["failed_steady_state"]
    assert counts["eligible"] == counts["enrolled"] + counts["eligible_arm_full"]
    assert counts["enrolled"] == scenario.patients_per_arm * len(scenario.arms)
    by_criterion = [counts[k] for k in ("excluded_easi", "excluded_iga", "excluded_bsa")]
    assert max(by_criterion) <= counts["excluded"] <= sum(by_criterion)


def test_the_counts_add_up_and_stop_at_the_last_candidate_enrolled():
    screening = screen(SMALL)
    counts = screening.counts
    _check_identities(counts, SMALL)
    enrolled = np.concatenate([indices for indices, _ in screening.arms])
    assert counts["candidates"] == enrolled.max() + 1  # the candidate that filled the last arm is the last counted
    # recounted from one batch of exactly those candidates
    batch = screen_batch((SMALL, 0, counts["candidates"]))
    assert counts["eligible"] == len(batch["index"]) and set(enrolled) <= set(batch["index"])
    assert counts["failed"] == np.count_nonzero(batch["outcome"]) == 0
    assert counts["excluded"] == np.count_nonzero(batch["unmet"]) > 0
    assert counts["excluded_easi"] == np.count_nonzero(batch["unmet"] & 1) > 0


def test_the_counts_do_not_depend_on_batch_size_or_parallelism(monkeypatch):
    reference = screen(SMALL)  # one batch of 1024
    for size, executor in ((7, LocalExecutor()), (7, _Wide()), (100, _Wide()), (3, LocalExecutor())):
        monkeypatch.setattr(run_module, "SCREEN_BATCH", size)
        again = screen(SMALL, executor=executor)
        assert again.counts == reference.counts, (size, executor.parallelism)
        for (a, ya), (b, yb) in zip(again.arms, reference.arms, strict=True):
            np.testing.assert_array_equal(a, b)
            np.testing.assert_array_equal(ya, yb)


def test_forced_failures_are_counted_by_kind_and_never_enrolled(monkeypatch):
    _sabotage(monkeypatch)
    monkeypatch.setattr(run_module, "SCREEN_BATCH", 16)  # and counted the same across batches
    screening = screen(SMALL, executor=_Wide())
    counts = screening.counts
    _check_identities(counts, SMALL)
    digits = np.arange(counts["candidates"]) % 10
    for key in set(BROKEN.values()):
        kind = [digit for digit, counted in BROKEN.items() if counted == key]
        assert counts[key] == np.count_nonzero(np.isin(digits, kind)) > 0, key
    enrolled = np.concatenate([indices for indices, _ in screening.arms])
    assert not np.isin(enrolled % 10, list(BROKEN)).any()
    code = {name: code for code, name in UNSCORED.items()}
    outcome = screen_batch((SMALL, 0, 20))["outcome"]
    np.testing.assert_array_equal(outcome, [code[BROKEN[d]] if d in BROKEN else 0 for d in np.arange(20) % 10])
    monkeypatch.setattr(run_module, "SCREEN_BATCH", 1024)
    assert screen(SMALL).counts == counts


def test_failures_above_the_threshold_warn_in_the_summary_and_as_a_python_warning(monkeypatch, tmp_path):
    _sabotage(monkeypatch)
    scenario = replace(SMALL, arms=SMALL.arms[:1], patients_per_arm=4)
    with pytest.warns(FailureWarning, match="could not be scored") as caught:
        result = run_trial(scenario)
    summary = result.summary
    assert len(caught) == 1 and summary["warnings"] == [str(caught[0].message)]
    counts = summary["screening"]
    assert f"{counts['failed']} of {counts['candidates']} screening candidates" in summary["warnings"][0]
    json.dumps(summary, allow_nan=False)
    write_report(summary, result.patients, tmp_path / "report.html")
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert '<p class="warn">Warning: ' in page and "could not be scored" in page


def test_the_threshold_is_a_strict_fraction_of_candidates_and_of_each_arm():
    counts = dict.fromkeys(SCREENING_COUNTS, 0) | {"candidates": 1000}
    at = counts | {"failed": int(FAILURE_WARN_FRACTION * 1000), "failed_solver": int(FAILURE_WARN_FRACTION * 1000)}
    above = at | {"failed": at["failed"] + 1, "failed_steady_state": 1}
    arm = {"name": "placebo", "n": 990, "excluded": 10, "excluded_reasons": {"step size too small": 10}}
    assert failure_warnings(at, [arm]) == []
    [line] = failure_warnings(above, [arm])
    assert line.startswith("11 of 1000 screening candidates (1.1%)") and "no steady state 1" in line
    [line] = failure_warnings(at, [arm | {"n": 989, "excluded": 11}])
    assert line.startswith("arm 'placebo': 11 of 1000 patients (1.1%) failed (step size too small 10)")


def test_the_default_trial_reports_its_screening_and_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error", FailureWarning)
        result = run_trial(load_scenario())
    summary = result.summary
    _check_identities(summary["screening"], load_scenario())
    assert summary["screening"]["failed"] == 0 and summary["warnings"] == []
    assert summary["screening"]["candidates"] > 2 * summary["screening"]["enrolled"]


def test_the_cli_prints_the_counts_and_one_warning_line(monkeypatch, tmp_path, capsys):
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(
        'name = "tiny"\nweeks = 2\npatients_per_arm = 3\nseed = 2\n[[arms]]\nname = "placebo"\n', encoding="utf-8"
    )
    assert main(["trial", str(scenario), "--out", str(tmp_path / "clean")]) == 0
    out, err = capsys.readouterr()
    assert "candidates screened" in out and "arm already full" in out
    assert "warning" not in err.lower()
    summary = json.loads((tmp_path / "clean" / "summary.json").read_text(encoding="utf-8"))
    assert set(summary["screening"]) == set(SCREENING_COUNTS) and summary["warnings"] == []
    assert "<h2>Screening</h2>" in (tmp_path / "clean" / "report.html").read_text(encoding="utf-8")

    _sabotage(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FailureWarning)  # the command line prints its own line instead
        assert main(["trial", str(scenario), "--out", str(tmp_path / "broken"), "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("adqsp: warning: ") and "could not be scored" in lines[0]
    summary = json.loads((tmp_path / "broken" / "summary.json").read_text(encoding="utf-8"))
    assert lines[0] == f"adqsp: warning: {summary['warnings'][0]}"
