"""Dropout: who leaves the trial, and when.

Rule: after its assessment at a visit, a patient still in the trial leaves it before the next visit with probability
``1 - exp(-hazard x factor x weeks to the next visit)`` (a per-week hazard, so the rule does not depend on the visit
schedule), where ``factor`` is ``nonimprover_factor`` for a patient whose observed EASI at that visit has improved
by less than :data:`NONIMPROVER_IMPROVEMENT_PCT` percent from its baseline visit (at the baseline visit itself:
every patient) and 1 otherwise. The hazard and factor are the scenario's (``dropout_per_week``,
``dropout_nonimprover_factor``), the same for every patient.
"""

from __future__ import annotations

import numpy as np

#: a patient whose EASI has improved by less than this (%) from baseline drops out at the raised hazard
NONIMPROVER_IMPROVEMENT_PCT = 50.0


def dropped_out(
    easi: np.ndarray, weeks: np.ndarray, uniforms: np.ndarray, hazard: float, nonimprover_factor: float
) -> np.ndarray:
    """``(n_visits, n_patients)``: True at the visits after a patient's dropout (it is not observed there).

    ``easi`` holds the observed EASI per visit (row 0 the baseline visit), ``weeks`` the visit weeks, ``uniforms``
    one uniform (0, 1) draw per patient and visit, ``hazard`` the dropout hazard in 1/week.
    """
    nonimprover = easi > easi[0] * (1.0 - NONIMPROVER_IMPROVEMENT_PCT / 100.0)
    rate = hazard * np.where(nonimprover, nonimprover_factor, 1.0)
    chance = 1.0 - np.exp(-rate[:-1] * np.diff(weeks)[:, None])
    event = uniforms[:-1] < chance
    after = np.zeros(easi.shape, dtype=bool)
    after[1:] = np.logical_or.accumulate(event, axis=0)
    return after
