"""Benchmark: the cost of a second period. A 52-week trial of dupilumab 300 mg q2w as one period, against the same
trial as two periods (16 weeks, then 36 weeks in which every patient continues the regimen), same patients, same
visits; wall time of the whole trial (screening included) and of the arms' simulation alone, one JSON line each.

    python benchmarks/periods_cost.py --patients-per-arm 2000
"""

from __future__ import annotations

import argparse
import json
import time

from adqsp.trial.job import run_trial
from adqsp.trial.scenario import Scenario, parse_scenario

DOSES = [{"mg": 600, "week": 0}, {"mg": 300, "every_weeks": 2, "from_week": 2}]
POPULATION = {"preset": "adult", "easi_min": 16, "iga_min": 3, "bsa_min_pct": 10}


def scenarios(patients: int) -> dict[str, Scenario]:
    """The one-period and the two-period form of the same 52-week trial (visits at the same weeks)."""
    common = {"patients_per_arm": patients, "seed": 52, "population": POPULATION}
    arm = {"name": "q2w", "drug": "dupilumab", "doses": DOSES}
    single = {**common, "name": "one period", "weeks": 52, "visits": [4, 8, 12, 16, 20, 28, 36, 44], "arms": [arm]}
    later = {"name": "q2w on", "drug": "dupilumab", "ratio": 1.0, "doses": [{"mg": 300, "every_weeks": 2}]}
    periods = [
        {"name": "induction", "weeks": 16, "visits": [4, 8, 12], "arms": [arm]},
        {"name": "continuation", "weeks": 36, "visits": [4, 12, 20, 28], "entry": {"who": "all"}, "arms": [later]},
    ]
    two = {**common, "name": "two periods", "periods": periods}
    return {"one period": parse_scenario(single), "two periods": parse_scenario(two)}


def timed(scenario: Scenario) -> dict[str, float]:
    """Seconds of the whole trial and of its arms' simulation (from the end of screening)."""
    marks: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        marks.setdefault("screened" if stage == "screening" else "arms", time.perf_counter())
        if stage == "screening":
            marks["screened"] = time.perf_counter()

    start = time.perf_counter()
    result = run_trial(scenario, progress)
    end = time.perf_counter()
    n = sum(a["n"] for a in result.summary["arms"])
    return {"trial_s": end - start, "arms_s": end - marks["screened"], "patients": n}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients-per-arm", type=int, default=2000)
    args = parser.parse_args()
    runs = scenarios(args.patients_per_arm)
    for scenario in runs.values():
        run_trial(scenario.sized(20))  # compile and warm up before timing
    times = {name: timed(scenario) for name, scenario in runs.items()}
    for name, t in times.items():
        print(json.dumps({"trial": name, **{k: round(v, 2) for k, v in t.items()}}))
    ratio = {k: round(times["two periods"][k] / times["one period"][k], 3) for k in ("trial_s", "arms_s")}
    print(json.dumps({"two_over_one": ratio}))


if __name__ == "__main__":
    main()
