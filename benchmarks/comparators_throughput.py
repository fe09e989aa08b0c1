"""Benchmark: patients per second of each arm of the embedded comparators scenario (16 weeks), the arms' simulation
only (screening apart), against the dupilumab arm's; one JSON line per arm.

    python benchmarks/comparators_throughput.py --patients-per-arm 10000 [--dosing each_dose]

``--dosing``: how the arms that can have interval-mean dosing (the oral drugs dosed at one interval) are simulated:
``interval_mean`` (``adqsp.pk.interval_mean``, the default) or ``each_dose``; the others as they are.
"""

from __future__ import annotations

import argparse
import json
import time
import tomllib
from dataclasses import replace

from adqsp.schema import DOSINGS
from adqsp.trial.job import run_trial
from adqsp.trial.scenario import embedded_text, parse_scenario


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients-per-arm", type=int, default=10_000)
    parser.add_argument("--dosing", choices=DOSINGS, default="interval_mean")
    args = parser.parse_args()
    data = tomllib.loads(embedded_text("comparators"))
    for arm in data["arms"]:
        if "drug" in arm and args.dosing == "each_dose":  # interval_mean: the default where it applies
            arm["dosing"] = "each_dose"
    scenario = replace(parse_scenario(data), patients_per_arm=args.patients_per_arm)
    spans: dict[str, list[float]] = {}
    last = [time.perf_counter()]

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        span = spans.setdefault(stage, [last[0], now])  # a stage starts where the previous one's last report was
        span[1] = now
        last[0] = now

    run_trial(scenario, progress)  # models compiled beforehand count in the first stage's time: run twice
    spans.clear()
    last[0] = time.perf_counter()
    run_trial(scenario, progress)
    rates = {
        arm.name: args.patients_per_arm / (spans[arm.name][1] - spans[arm.name][0])
        for arm in scenario.arms
        if arm.name in spans
    }
    reference = rates["dupilumab 300 mg q2w"]
    dosing = {arm.name: arm.dosing for arm in scenario.arms}
    for name, rate in rates.items():
        line = {
            "arm": name,
            "dosing": dosing[name],
            "patients_per_s": round(rate),
            "vs_dupilumab": round(rate / reference, 2),
        }
        print(json.dumps(line))


if __name__ == "__main__":
    main()
