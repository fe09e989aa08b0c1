"""Taking part in a trial, in any arm: skin care and trigger avoidance from enrolment, and the diary's expectation.

Enrolment brings emollients, skin care and the avoidance of triggers: the skin's trigger exposure is divided by
``participation`` (1 + ``trial_effect``) from day 0. Keeping an itch diary in a trial brings an expectation effect:
the itch a patient reports after the baseline visit is the perceived itch drive divided by 1 + ``itch_expectation``.
Both vary between patients, both act in the placebo arm as in every other, and neither is part of the skin's biology.
"""

from __future__ import annotations

from adqsp.disease.skin import CAL_SPREAD
from adqsp.model.declaration import Assignment, Parameter

PARAMETERS = (
    Parameter(
        "trial_effect",
        0.25,
        "dimensionless",
        CAL_SPREAD,
        0.5,
        "trial participation (skin care, emollients, trigger avoidance): exposure / (1 + effect) from enrolment",
    ),
    Parameter(
        "itch_expectation",
        0.1,
        "dimensionless",
        CAL_SPREAD,
        0.8,
        "expectation effect on reported itch in a trial (any arm): reported drive = perceived / (1 + effect)",
    ),
)
ASSIGNMENTS = (
    Assignment(
        "participation",
        "where(t >= 0.0, 1.0 + trial_effect, 1.0)",
        "dimensionless",
        "divisor of the skin's trigger exposure from enrolment (day 0) on",
    ),
    Assignment(
        "itch_reported",
        "max(itch, 0.0) / where(t > 0.0, 1.0 + itch_expectation, 1.0)",
        "dimensionless",
        "itch drive as reported (trial expectation effect on the diary after the baseline visit)",
    ),
)
