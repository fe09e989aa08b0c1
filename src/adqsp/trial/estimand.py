"""Estimands: how the trial statistics count a patient at a visit after its rescue or its dropout.

Every per-patient endpoint at every visit ``(n_visits, n_patients)`` is either a responder flag (1, 0, or NaN where
the patient is not in the endpoint's population: :data:`~adqsp.trial.summary.RESPONDER_KEYS`) or a continuous
value (a % change from baseline, the signature reversal). ``rescued`` and ``dropped`` mark the visits after a
patient's rescue and after its dropout (``False`` at baseline, and once ``True`` ``True`` at every later visit).

- ``rescue-nonresponder`` (the default, the SOLO estimand): after rescue or dropout a responder flag is 0
  (non-responder imputation). A continuous value after rescue is the value the patient would have had without
  rescue (the hypothetical strategy: the simulator knows it), after dropout the last value observed before it.
- ``locf``: after rescue or dropout, every endpoint is the value of the last visit before the first of them
  (the baseline visit's for a patient gone before the first visit after it).
- ``observed``: a patient counts at a visit only while still observed and not rescued; elsewhere NaN, left out of
  both the numerator and the denominator of a rate and out of a mean.
- ``treatment-policy``: a rescued patient counts as observed on its rescue therapy (the trial simulates its course
  with rescue topical corticosteroids from the visit after which it was rescued: :func:`adqsp.trial.run.
  with_rescue_therapy`); after dropout as ``rescue-nonresponder`` counts it (a responder flag 0, a continuous value
  the last observed).

Statistics leave out NaN, so a NaN entry (not applicable, not observed) never counts as a 0.
"""

from __future__ import annotations

import numpy as np

from adqsp.errors import InputError
from adqsp.schema import ESTIMANDS


def under_estimand(
    derived: dict[str, np.ndarray],
    responders: tuple[str, ...],
    rescued: np.ndarray,
    dropped: np.ndarray,
    estimand: str,
) -> dict[str, np.ndarray]:
    """``derived`` (per-patient endpoints by name, each ``(n_visits, n_patients)``) as ``estimand`` counts them;
    the keys in ``responders`` are responder flags, the others continuous."""
    if estimand in ("rescue-nonresponder", "treatment-policy"):
        imputed = rescued | dropped if estimand == "rescue-nonresponder" else dropped
        out = {}
        for key, values in derived.items():
            if key in responders:
                out[key] = np.where(imputed & ~np.isnan(values), 0.0, values)
            else:
                out[key] = carried_forward(values, dropped)
        return out
    if estimand == "locf":
        return {key: carried_forward(values, rescued | dropped) for key, values in derived.items()}
    if estimand == "observed":
        return {key: np.where(rescued | dropped, np.nan, values) for key, values in derived.items()}
    raise InputError("estimand", f"unknown estimand {estimand!r} (allowed: {', '.join(ESTIMANDS)})")


def carried_forward(values: np.ndarray, unobserved: np.ndarray) -> np.ndarray:
    """``values`` with each entry where ``unobserved`` (``False`` at row 0, ``True`` from a patient's event on)
    replaced by the patient's last entry before its event; the same array where nothing is unobserved."""
    if not unobserved.any():
        return values
    visit = np.arange(values.shape[0])[:, None]
    last = np.maximum.accumulate(np.where(unobserved, 0, visit), axis=0)
    return np.take_along_axis(values, last, axis=0)
