"""Rescue treatment and the trial estimand of the SOLO trials.

In SOLO 1 and 2 (Simpson EL et al. NEJM 2016;375:2335) rescue treatment was allowed for intolerable symptoms
and a patient who received it counted as a non-responder from then on. Continuous endpoints were censored at
rescue and the censored values imputed; the simulator reports the value the patient would have had without
rescue (the hypothetical strategy such imputation estimates), which it knows exactly because it does not model
the rescue medicines: it models who is rescued and when. That is the default estimand; the others are in
:mod:`adqsp.trial.estimand`.

Rule: after its assessment at a post-baseline visit, a patient whose observed EASI has improved by less than
``rescue_improvement_pct`` percent from its baseline visit is rescued before the next visit with probability
``1 - exp(-rescue_rate x weeks to the next visit)`` (a hazard, so the rule does not depend on the visit schedule).
A patient who has left the trial (:mod:`adqsp.conduct.dropout`) is not assessed and so not rescued. The rule is
the investigators', the same for every patient (its parameters take no between-patient log-SD).
"""

from __future__ import annotations

import numpy as np

from adqsp.model.declaration import Parameter

_CAL = "calibrated: SOLO 1 week-16 endpoints under the SOLO estimand (reference/calibration_targets.csv)"
PARAMETERS = (
    Parameter(
        "rescue_improvement_pct",
        25.0,
        "%",
        _CAL,
        0.0,
        "a patient is considered for rescue while its EASI has improved by less than this from baseline",
        role="conduct",
    ),
    Parameter(
        "rescue_rate", 0.05, "1/week", _CAL, 0.0, "rescue hazard of a patient considered for rescue", role="conduct"
    ),
)


def rescued(
    easi: np.ndarray,
    weeks: np.ndarray,
    uniforms: np.ndarray,
    improvement_pct: float,
    rate: float,
    present: np.ndarray | None = None,
) -> np.ndarray:
    """``(n_visits, n_patients)``: True at the visits after a patient's rescue.

    ``easi`` holds the observed EASI per visit (row 0 the baseline visit), ``weeks`` the visit weeks,
    ``uniforms`` one uniform [0, 1) draw per patient and visit and ``present`` (default: everyone everywhere)
    whether the patient is still in the trial at each visit: only an assessed patient may be rescued after it.
    """
    considered = easi > easi[0] * (1.0 - improvement_pct / 100.0)
    considered[0] = False
    if present is not None:
        considered &= present
    chance = 1.0 - np.exp(-rate * np.diff(weeks))[:, None]
    event = considered[:-1] & (uniforms[:-1] < chance)
    after = np.zeros(easi.shape, dtype=bool)
    after[1:] = np.logical_or.accumulate(event, axis=0)
    return after
