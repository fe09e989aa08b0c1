"""The main job: run a scenario's virtual trial and collect its summary and per-patient table."""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

import numpy as np
import pandas as pd

from adqsp.assembly import check_finite
from adqsp.engine import precompile
from adqsp.errors import FailureWarning
from adqsp.pk.interval_mean import EACH_DOSE
from adqsp.schema import DropoutFactor, DropoutHazard, Estimand
from adqsp.trial.executors import ChunkStore
from adqsp.trial.period_summary import period_summaries
from adqsp.trial.periods import PeriodOutcome, course_model, first_courses, run_period
from adqsp.trial.run import ArmResult, Executor, Progress, run_arm, screen
from adqsp.trial.scenario import Scenario
from adqsp.trial.summary import (
    arm_summary,
    failure_warnings,
    pathway_fractions,
    per_patient,
    published_baseline,
    published_values,
)
from adqsp.validation import validate


@dataclass(frozen=True)
class TrialResult:
    """A trial's scenario, its arms' per-visit arrays, ``summary`` (as written to summary.json) and ``patients``
    (one row per patient and visit, as written to patients.parquet)."""

    scenario: Scenario
    arms: tuple[ArmResult, ...]
    summary: dict
    patients: pd.DataFrame
    #: the later periods of a multi-period trial (``arms`` are the first period's)
    periods: tuple[PeriodOutcome, ...] = ()

    def endpoints(self) -> pd.DataFrame:
        """The summary's visit endpoints as a long table: arm, week, endpoint, value and the published value where
        the scenario's ``compare_to`` studies give one (rates as fractions, changes in % from baseline); a table of
        values such as ``pathway_activity`` gives one row each, ``pathway_activity.type1`` etc."""
        rows = [
            (arm["name"], float(week), key, value, arm["published"].get(week, {}).get(key))
            for arm in self.summary["arms"]
            for week, entries in arm["visits"].items()
            for key, value in _flat(entries)
        ]
        return pd.DataFrame(rows, columns=["arm", "week", "endpoint", "value", "published"])


def package_version() -> str:
    try:
        return version("adqsp")
    except PackageNotFoundError:
        return "unknown"


def parameter_set_hash(scenario: Scenario) -> str:
    """Hash of every arm model's parameters as the run used them (name, value, unit, variability; the scenario's
    overrides applied)."""
    h = hashlib.sha256()
    models = [scenario.arm_model(arm) for arm in scenario.arms]
    later = [course_model(scenario, pa) for period in scenario.periods[1:] for pa in period.arms]
    models += list({id(c): c for c in later if all(c is not m for m in models)}.values())  # models not yet hashed
    for model in models:
        for p in model.model.parameters:
            h.update(f"{p.name}={p.value!r}|{p.unit}|{p.log_sd!r};".encode())
    return h.hexdigest()[:16]


def run_trial(
    scenario: Scenario,
    progress: Progress | None = None,
    executor: Executor | None = None,
    store: ChunkStore | None = None,
) -> TrialResult:
    """Screen, randomise and simulate every arm; summarise each arm at every visit.

    ``executor`` runs the chunks of patients (default: this process); ``store`` keeps finished chunks so an
    interrupted run can be resumed. Neither changes a number.

    The summary's ``screening`` holds the screening's counts (:data:`~adqsp.trial.run.SCREENING_COUNTS`) and its
    ``warnings`` a line for each failure fraction above :data:`~adqsp.trial.summary.FAILURE_WARN_FRACTION`
    (empty if none), each also issued as a :class:`~adqsp.errors.FailureWarning`.
    """
    _check_conduct(scenario)
    precompile.start()  # on a cold start, the solver compiles on the other core while the models are built
    precompile.prepare(scenario.arm_model(arm) for arm in scenario.arms)
    later = [pa for p in scenario.periods[1:] for pa in p.arms]
    courses = [
        *((a.drug, a.pk_model, a.dosing) for a in scenario.arms),
        *((pa.course_drug, pa.course_pk_model, EACH_DOSE) for pa in later),
    ]
    for drug, pk_model, dosing in dict.fromkeys([(None, None, EACH_DOSE), *courses]):
        check_finite(drug, pk_model, scenario.parameters, dosing)
    models = [scenario.arm_model(a) for a in scenario.arms] + [course_model(scenario, pa) for pa in later]
    screening = screen(scenario, progress, executor, store)
    results = [
        run_arm(scenario, k, indices, y_enrol, progress, executor, store)
        for k, (indices, y_enrol) in enumerate(screening.arms)
    ]
    outcomes = run_periods(scenario, results, progress, executor, store) if scenario.periods else ()
    param_hash = parameter_set_hash(scenario)
    arm_summaries = [
        arm_summary(r, published_values(scenario.compare_to, r.arm.name), scenario.estimand) for r in results
    ]
    periods = period_summaries(scenario, outcomes) if scenario.periods else []
    later_arms = [arm for period in periods[1:] for arm in period["arms"]]
    failures = failure_warnings(screening.counts, arm_summaries + later_arms)
    for line in failures:
        warnings.warn(line, FailureWarning, stacklevel=2)
    summary = {
        "scenario": scenario.name,
        "seed": scenario.seed,
        "version": package_version(),
        "parameter_set": param_hash,
        "parameter_overrides": dict(scenario.parameters),
        "weeks": scenario.total_weeks,
        "patients_per_arm": scenario.patients_per_arm,
        "estimand": scenario.estimand,
        "dropout_per_week": scenario.dropout_per_week,
        "dropout_nonimprover_factor": scenario.dropout_nonimprover_factor,
        "screening": screening.counts,
        "warnings": failures,
        "published_baseline": published_baseline(scenario.compare_to),
        "arms": arm_summaries,
    }
    if scenario.periods:
        summary["periods"] = periods
    captured = tuple(dict.fromkeys(c for m in models for c in m.model.captured))
    frames = [_patient_rows(r, param_hash, captured) for r in results]
    if scenario.periods:
        frames = [f.assign(period=scenario.periods[0].name) for f in frames]
        for outcome in outcomes:
            for course in outcome.courses:
                rows = _patient_rows(course.result, param_hash, captured)
                frames.append(rows[rows["week"] > outcome.period.start_week].assign(period=outcome.period.name))
    patients = pd.concat(frames, ignore_index=True)
    return TrialResult(scenario, tuple(results), summary, patients, tuple(outcomes))


def run_periods(
    scenario: Scenario,
    results: list[ArmResult],
    progress: Progress | None = None,
    executor: Executor | None = None,
    store: ChunkStore | None = None,
) -> tuple[PeriodOutcome, ...]:
    """The later periods of a multi-period trial, each continuing from the one before."""
    courses = first_courses(scenario, results)
    outcomes = []
    for k in range(1, len(scenario.periods)):
        outcome = run_period(scenario, k, courses, progress, executor, store)
        outcomes.append(outcome)
        courses = list(outcome.courses)
    return tuple(outcomes)


def _flat(entries: dict) -> list[tuple[str, float | None]]:
    """A visit's entries as (key, value) pairs, an entry that is itself a table as ``key.name`` pairs."""
    return [
        pair
        for key, value in entries.items()
        for pair in ([(f"{key}.{k}", v) for k, v in value.items()] if isinstance(value, dict) else [(key, value)])
    ]


def _check_conduct(scenario: Scenario) -> None:
    """The estimand and dropout keys, checked as in a scenario file (a Python caller may have replaced them)."""
    validate(Estimand, scenario.estimand, "estimand")
    for k, period in enumerate(scenario.periods):
        validate(Estimand, period.estimand, f"periods[{k}].estimand")
    validate(DropoutHazard, scenario.dropout_per_week, "dropout_per_week")
    validate(DropoutFactor, scenario.dropout_nonimprover_factor, "dropout_nonimprover_factor")


def _patient_rows(result: ArmResult, param_hash: str, captured: tuple[str, ...]) -> pd.DataFrame:
    """Long table: one row per patient per visit; a read-out another arm's model captures and this one's does not
    (the serum concentration under placebo) is 0; ``AGE`` (years) and ``MALE`` (1 or 0) where the population's preset
    draws them (adolescents, children)."""
    n_visits, n = result.scores["EASI"].shape
    derived = per_patient(result)
    r = result.readouts
    columns = {
        "arm": np.repeat(result.arm.name, n_visits * n),
        "patient_id": np.tile(result.patients.index, n_visits),
        "parameter_set": np.repeat(param_hash, n_visits * n),
        "week": np.repeat(result.weeks, n),
        "ok": np.tile(result.ok, n_visits),
        "status": np.tile(result.status, n_visits),
        "rescued": result.rescued.ravel(),
        "WT": np.tile(result.patients.values["WT"], n_visits),
        **{k: np.tile(v, n_visits) for k, v in result.patients.covariates.items()},  # AGE, MALE: presets by age
        **{k: result.scores[k].ravel() for k in ("EASI", "IGA", "NRS", "BSA")},
        "EASI_pct_change": derived["EASI_pct_change"].ravel(),
        "signature_reversal": derived["signature_reversal"].ravel(),
        **{k: (r[k] if k in r else np.zeros((n_visits, n))).ravel() for k in captured},
        **{k: v.ravel() for k, v in pathway_fractions(result).items()},
    }
    return pd.DataFrame(columns)
