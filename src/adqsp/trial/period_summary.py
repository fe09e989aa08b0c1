"""summary.json's ``periods``: each period's arms, the flow of patients between periods and the maintenance
endpoints (:mod:`adqsp.trial.maintenance`) of later periods."""

from __future__ import annotations

from collections import Counter

from adqsp.trial.maintenance import maintenance_endpoints
from adqsp.trial.periods import PeriodOutcome
from adqsp.trial.scenario import Scenario
from adqsp.trial.summary import arm_summary


def period_summaries(scenario: Scenario, outcomes: tuple[PeriodOutcome, ...]) -> list[dict]:
    """One entry per period: name, start and length (weeks); the first period's arm names (its arms are
    summary.json's ``arms``); for a later one its entry rule, the flow from each previous arm and its arms'
    summaries, each with the arms its patients came from and, where the entry names criteria, the maintenance
    endpoints among those who entered as responders."""
    first = scenario.periods[0]
    out: list[dict] = [
        {
            "name": first.name,
            "start_week": 0.0,
            "weeks": first.weeks,
            "estimand": first.estimand,
            "arms": [a.arm.name for a in first.arms],
        }
    ]
    for outcome in outcomes:
        period, entry = outcome.period, outcome.period.entry
        arms = []
        for course in outcome.courses:
            entry_summary = arm_summary(course.result, None, period.estimand)
            entry_summary["drug"] = course.arm.arm.drug.name if course.arm.arm.drug else None
            entry_summary["course_drug"] = course.arm.course_drug.name if course.arm.course_drug else None
            entry_summary["from"] = dict(Counter(course.source.tolist()))
            entry_summary["maintenance"] = (
                maintenance_endpoints(
                    course.result,
                    course.responder,
                    entry.criteria,
                    period.estimand,
                    period.start_week,
                    course.trough,
                    course.trough_week,
                )
                if entry.criteria
                else None
            )
            arms.append(entry_summary)
        out.append(
            {
                "name": period.name,
                "start_week": period.start_week,
                "weeks": period.weeks,
                "entry": {"who": entry.who, "criteria": list(entry.criteria), "non_responders": entry.non_responders},
                "estimand": period.estimand,
                "flow": outcome.flow,
                "arms": arms,
            }
        )
    return out
