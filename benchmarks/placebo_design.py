"""The placebo arm's week-16 response against the trial's design: entry threshold, visit schedule, dropout, estimand,
topical co-therapy. One factor changed at a time from the SOLO 1 design (same seed, so the same candidates are
screened); prints a markdown table of EASI % change, EASI-75, rescued and dropout fractions.

    python benchmarks/placebo_design.py --patients-per-arm 5000
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

from adqsp.trial.job import run_trial
from adqsp.trial.scenario import Scenario, load_scenario

SOLO1 = load_scenario()


def designs(patients: int, seed: int) -> dict[str, Scenario]:
    """The SOLO 1 placebo arm and its variants, one design factor each."""
    base = replace(SOLO1, arms=SOLO1.arms[:1], patients_per_arm=patients, seed=seed)
    tcs = next(a for a in load_scenario("comparators").arms if a.name == "placebo + TCS")
    out = {"SOLO 1 (EASI >= 16, 7 visits, no dropout, rescue-nonresponder)": base}
    for easi_min in (12.0, 24.0, 32.0):
        out[f"EASI >= {easi_min:g}"] = replace(base, inclusion=replace(SOLO1.inclusion, easi_min=easi_min))
    out["visits at 0, 4, 8, 12, 16"] = replace(base, visits=(0.0, 4.0, 8.0, 12.0, 16.0))
    out["visits at 0, 16"] = replace(base, visits=(0.0, 16.0))
    out["weekly visits"] = replace(base, visits=tuple(float(w) for w in range(17)))
    out["dropout 0.02/week"] = replace(base, dropout_per_week=0.02)
    out["dropout 0.02/week, x3 for non-improvers"] = replace(
        base, dropout_per_week=0.02, dropout_nonimprover_factor=3.0
    )
    for estimand in ("locf", "observed", "treatment-policy"):
        out[f"estimand {estimand}"] = replace(base, estimand=estimand)
    out["estimand observed, dropout 0.02/week"] = replace(base, estimand="observed", dropout_per_week=0.02)
    out["background medium-potency TCS"] = replace(base, arms=(tcs,))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients-per-arm", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=20161)
    args = parser.parse_args()
    print("| design | baseline EASI | EASI % change | EASI-75 | rescued | dropout |")
    print("|---|---|---|---|---|---|")
    start = time.perf_counter()
    for name, scenario in designs(args.patients_per_arm, args.seed).items():
        arm = run_trial(scenario).summary["arms"][0]
        week = arm["visits"]["16"]
        print(
            f"| {name} | {arm['baseline']['EASI_mean']:.1f} | {week['EASI_pct_change']:.1f} | {week['EASI75']:.3f}"
            f" | {week['rescued_fraction']:.3f} | {week['dropout_fraction']:.3f} |"
        )
    print(f"\n{args.patients_per_arm} per arm, seed {args.seed}, {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
