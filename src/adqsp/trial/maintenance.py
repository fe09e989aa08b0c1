"""Maintenance endpoints of a later period's arm, among the patients who entered it as responders.

A patient keeps its response at a visit while it meets one of the period's entry criteria there, against its
original baseline visit (:mod:`adqsp.trial.summary`). Among the responders who entered the arm (``ok`` status):

- ``response_maintained``: the fraction meeting a criterion at the period's last visit, counted as the scenario's
  estimand counts responder flags (by default a rescued or dropped-out patient is a non-responder);
- ``response_kept``: the fraction meeting a criterion at every visit of the period, counted the same way;
- ``loss_of_response``: the Kaplan-Meier curve of time to loss of response (weeks from the period's start): the
  event is the first visit of the period at which the patient meets no criterion, or the first visit after its
  rescue; a patient who drops out is censored at its last visit before dropout, one who keeps its response at the
  period's end; ``median_weeks_to_loss`` is where the curve first reaches 0.5 (None if it does not);
- ``trough_mg_L``: the mean serum concentration just before the period's last dose, over all the arm's patients (the
  trough of the regimen given in the period, at ``trough_week``; None without a dose after the period's start).
"""

from __future__ import annotations

import numpy as np

from adqsp.trial.estimand import under_estimand
from adqsp.trial.run import ArmResult
from adqsp.trial.summary import per_patient

#: the rows of a later period's arm result before its own visits: the baseline visit and the entry visit
ENTRY_ROWS = 2


def meets_any(result: ArmResult, criteria: tuple[str, ...], estimand: str | None = None) -> np.ndarray:
    """``(n_visits, n_patients)``: 1 where a patient meets one of ``criteria`` (against its original baseline), 0
    where none, NaN where the estimand leaves it out; raw observations when ``estimand`` is None."""
    flags = per_patient(result)
    derived = {c: flags[c] for c in criteria}
    if estimand is not None:
        derived = under_estimand(derived, criteria, result.rescued, result.dropped, estimand)
    stacked = np.stack(list(derived.values()))
    if estimand is None:
        stacked = np.nan_to_num(stacked, nan=0.0)  # not in an endpoint's population: does not meet it
    return np.where(np.isnan(stacked).all(axis=0), np.nan, (stacked == 1.0).any(axis=0).astype(float))


def kaplan_meier(times: np.ndarray, event: np.ndarray) -> list[tuple[float, float]]:
    """The Kaplan-Meier survival curve of ``times`` (event or censoring) with ``event`` flags: (time, survival)
    at 0 and at every event time, survival just after it."""
    curve = [(0.0, 1.0)]
    survival = 1.0
    for t in np.unique(times[event]):
        at_risk = np.count_nonzero(times >= t)
        survival *= 1.0 - np.count_nonzero((times == t) & event) / at_risk
        curve.append((float(t), survival))
    return curve


def maintenance_endpoints(
    result: ArmResult,
    responder: np.ndarray,
    criteria: tuple[str, ...],
    estimand: str,
    start_week: float,
    trough: np.ndarray,
    trough_week: float | None,
) -> dict:
    """The maintenance endpoints of an arm of a later period (see the module's docstring)."""
    keep = responder & result.ok
    counted = meets_any(result, criteria, estimand)[ENTRY_ROWS:, keep]
    raw = meets_any(result, criteria)[ENTRY_ROWS:, keep]
    lost = (raw == 0) | result.rescued[ENTRY_ROWS:, keep]
    gone = result.dropped[ENTRY_ROWS:, keep]
    weeks = result.weeks[ENTRY_ROWS:] - start_week
    n_visits = len(weeks)
    first_loss = np.where(lost.any(axis=0), lost.argmax(axis=0), n_visits)
    first_gone = np.where(gone.any(axis=0), gone.argmax(axis=0), n_visits)
    event = first_loss < first_gone
    # censored at the last visit observed: the one before dropout (the entry visit, week 0, if before the first)
    censor_row = np.minimum(first_gone, n_visits) - 1
    censor = np.where(censor_row >= 0, weeks[np.maximum(censor_row, 0)], 0.0)
    times = np.where(event, weeks[np.minimum(first_loss, n_visits - 1)], censor)
    curve = kaplan_meier(times, event)
    median = next((t for t, s in curve if s <= 0.5), None)
    kept = np.where(np.isnan(counted).all(axis=0), np.nan, (np.nan_to_num(counted, nan=1.0) == 1.0).all(axis=0))
    return {
        "criteria": list(criteria),
        "responders": int(keep.sum()),
        "response_maintained": _mean(counted[-1]) if counted.size else None,
        "response_kept": _mean(kept) if counted.size else None,
        "losses_of_response": int(event.sum()),
        "median_weeks_to_loss": median,
        "loss_of_response": [{"week": start_week + t, "kept": s} for t, s in curve],
        "trough_mg_L": _mean(trough[result.ok]) if trough_week is not None else None,
        "trough_week": trough_week,
    }


def _mean(values: np.ndarray) -> float | None:
    values = values[np.isfinite(values)]
    return float(values.mean()) if values.size else None
