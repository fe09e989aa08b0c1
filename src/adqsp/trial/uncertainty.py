"""Prediction intervals from parameter uncertainty: the trial rerun at parameter sets drawn from the calibration.

The calibration record (``data/calibrated.json``) carries the joint covariance of the determined keys' log-values,
``(J^T J)^-1`` of the residual Jacobian at the fit (its Laplace approximation). :func:`parameter_draws` draws
parameter sets from that multivariate normal of the log-values (a seeded generator: one draw per parameter set, not
per patient), every other key at its shipped value; :func:`prediction_intervals` reruns the same trial (same seed,
same virtual patients: common random numbers) at each set and reports, per arm, visit and endpoint, the 5th, 50th
and 95th percentiles over the sets. The band shows what the targets leave open in the determined keys only: the
undetermined keys stay at their fitted values (listed as ``not_determined``), and the finite trial's own sampling
error is not in it (the patients are the same in every set).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from adqsp.assembly import calibration_record
from adqsp.errors import InputError
from adqsp.schema import MAX_DRAWS, MIN_DRAWS
from adqsp.trial.executors import ChunkStore
from adqsp.trial.job import TrialResult, run_trial
from adqsp.trial.run import Executor, Progress
from adqsp.trial.scenario import Scenario
from adqsp.trial.summary import PATHWAY_KEYS, VISIT_KEYS

#: the percentiles reported: the 90% band and the median
PERCENTILES = (5.0, 50.0, 95.0)


def check_draws(draws: object, field: str = "draws") -> int:
    """``draws`` as an int in [:data:`MIN_DRAWS`, :data:`MAX_DRAWS`], or an InputError naming ``field``."""
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or not MIN_DRAWS <= draws <= MAX_DRAWS:
        raise InputError(field, f"must be an integer from {MIN_DRAWS} to {MAX_DRAWS}, got {draws!r}")
    return int(draws)


def parameter_draws(record: dict, draws: int, seed: int, exclude: tuple[str, ...] = ()) -> list[dict[str, float]]:
    """``draws`` parameter sets (key -> value, in the keys' own units) of the record's covariance keys but those in
    ``exclude``: log-values from the multivariate normal around the shipped values' logarithms with the record's
    covariance (its marginal over the keys drawn), drawn by ``numpy.random.default_rng(seed)``."""
    cov = record["covariance"]
    keep = [i for i, k in enumerate(cov["keys"]) if k not in exclude]
    keys = [cov["keys"][i] for i in keep]
    if not keys:
        return [{} for _ in range(draws)]
    mean = np.log([record["parameters"][k] for k in keys])
    sigma = np.asarray(cov["log"], dtype=float)[np.ix_(keep, keep)]
    logs = np.random.default_rng(seed).multivariate_normal(mean, sigma, size=draws, method="eigh")
    return [dict(zip(keys, np.exp(row).tolist(), strict=True)) for row in logs]


def prediction_intervals(
    scenario: Scenario,
    draws: int,
    seed: int | None = None,
    progress: Progress | None = None,
    executor: Executor | None = None,
) -> dict:
    """The summary's ``uncertainty`` block: ``scenario`` rerun at ``draws`` parameter sets from the calibration's
    covariance (``seed``: the draws' seed, default the scenario's), and the 5th, 50th and 95th percentiles over the
    sets of every arm's endpoints at every visit (``arms: {arm: {week: {endpoint: [p5, p50, p95]}}}``, in the
    summary's units; None where no set gives a value). Keys the scenario overrides keep the scenario's value and are
    not drawn. ``progress`` is called as ``progress("parameter draws", done, draws)``."""
    draws = check_draws(draws)
    seed = scenario.seed if seed is None else seed
    record = calibration_record()
    overridden = tuple(k for k, _ in scenario.parameters)
    sets = parameter_draws(record, draws, seed, exclude=overridden)
    summaries = []
    for k, values in enumerate(sets):
        # the drawn keys exclude those the scenario overrides
        summaries.append(run_trial(scenario.with_overrides(values), executor=executor).summary)
        if progress:
            progress("parameter draws", k + 1, draws)
    return {
        "draws": draws,
        "seed": seed,
        "percentiles": list(PERCENTILES),
        "keys": list(sets[0]),
        "not_determined": sorted(k for k, e in record["estimates"].items() if not e["determined"]),
        "arms": _bands(summaries),
    }


def run_with_uncertainty(
    scenario: Scenario,
    draws: int,
    seed: int | None = None,
    progress: Progress | None = None,
    executor: Executor | None = None,
    store: ChunkStore | None = None,
) -> TrialResult:
    """:func:`~adqsp.trial.job.run_trial` at the shipped parameters (its numbers unchanged; ``store`` keeps its
    chunks, not the draws') with the :func:`prediction_intervals` block added to its summary as ``uncertainty``."""
    draws = check_draws(draws)
    result = run_trial(scenario, progress, executor, store)
    block = prediction_intervals(scenario, draws, seed, progress, executor)
    return replace(result, summary={**result.summary, "uncertainty": block})


def _bands(summaries: list[dict]) -> dict[str, dict[str, dict[str, list[float] | None]]]:
    """Per arm, week and endpoint (a pathway table as ``key.pathway``), the :data:`PERCENTILES` over the
    ``summaries`` of the same trial at different parameter sets."""
    out: dict[str, dict[str, dict[str, list[float] | None]]] = {}
    for k, arm in enumerate(summaries[0]["arms"]):
        out[arm["name"]] = {
            week: {
                key: _percentiles([_value(s["arms"][k]["visits"][week], key) for s in summaries])
                for key in (*VISIT_KEYS, *(f"{t}.{p}" for t in PATHWAY_KEYS for p in entries[t]))
            }
            for week, entries in arm["visits"].items()
        }
    return out


def _value(entries: dict, key: str) -> float | None:
    """A visit's endpoint, ``table.name`` for an entry of a table such as ``pathway_activity``."""
    table, dot, name = key.partition(".")
    return entries[table][name] if dot else entries[key]


def _percentiles(values: list[float | None]) -> list[float] | None:
    """:data:`PERCENTILES` of the finite values, None if there are none."""
    finite = np.array([v for v in values if v is not None and np.isfinite(v)], dtype=float)
    return np.percentile(finite, PERCENTILES).tolist() if finite.size else None
