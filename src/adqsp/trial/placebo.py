"""Where a placebo arm's improvement comes from: the trial run three times on the same virtual patients.

1. without the trial's own effects (no participation effect on exposure, no expectation effect on the itch diary:
   ``trial_effect`` and ``itch_expectation`` 0) and without rescue: what is left is the disease's own course after
   screening, regression to the mean of a fluctuating disease entered at a threshold and measured with noise;
2. with the participation and expectation effects, still without rescue: their share is the difference from 1;
3. the scenario as it is: the rescue rule's share (under the scenario's estimand) is the difference from 2.

Screening is the same in all three (the trial's effects start at day 0, rescue after it), and so are the arms'
patients, so each share is a difference on common random numbers.
"""

from __future__ import annotations

from dataclasses import replace

from adqsp.errors import InputError
from adqsp.trial.job import run_trial
from adqsp.trial.scenario import Scenario

#: the trial's own effects, switched off for the first run
TRIAL_EFFECTS = (("trial_effect", 0.0), ("itch_expectation", 0.0))
#: the week-16-style endpoints the decomposition reports
ENDPOINTS = ("EASI_pct_change", "EASI50", "EASI75", "NRS_pct_change", "NRS4")
PARTS = ("regression_to_the_mean", "participation", "rescue_rule")


def decompose(scenario: Scenario) -> dict:
    """Each placebo arm's endpoints at every visit, split into :data:`PARTS` that add up to the scenario's value."""
    placebo = [a.name for a in scenario.arms if a.drug is None]
    if not placebo:
        raise InputError("arms", "the scenario has no placebo arm (an arm without a drug)")
    bare = replace(scenario.with_overrides(dict(TRIAL_EFFECTS)), rescue=False)
    runs = [run_trial(s).summary for s in (bare, replace(scenario, rescue=False), scenario)]
    out = {}
    for name in placebo:
        arms = [next(a for a in summary["arms"] if a["name"] == name) for summary in runs]
        visits = {}
        for week in arms[0]["visits"]:
            values = [arm["visits"][week] for arm in arms]
            visits[week] = {
                key: dict(
                    zip(
                        (*PARTS, "total"),
                        (
                            values[0][key],
                            values[1][key] - values[0][key],
                            values[2][key] - values[1][key],
                            values[2][key],
                        ),
                        strict=True,
                    )
                )
                for key in ENDPOINTS
                if all(v[key] is not None for v in values)
            }
        out[name] = visits
    return {"scenario": scenario.name, "estimand": scenario.estimand, "arms": out}
