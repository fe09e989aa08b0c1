"""Benchmark: a new user's first commands on an empty model cache, for this checkout and optionally another (e.g. a
worktree of an earlier commit), interleaved, each command in a fresh process with its own empty ``ADQSP_CACHE``:

- ``adqsp simulate`` of the typical patient on dupilumab (cold), into an empty cache;
- ``adqsp trial`` (the default SOLO 1 trial) into another empty cache (cold), then again on the cache it filled
  (warm).

    python benchmarks/cold_start.py [--repeats 1] [--other /path/to/checkout]

Prints one JSON line per checkout and run: the wall time (s) of each command, and the peak memory (MB) of the cold
trial's process (a run of the code before this one's may compile in worker processes, whose memory it leaves out).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def timed(checkout: Path, cache: Path, args: list[str]) -> tuple[float, float]:
    """Wall time (s) of ``python -m adqsp ARGS`` with the checkout's code and the given cache folder, and the peak
    resident memory (MB) of its process."""
    env = {**os.environ, "PYTHONPATH": str(checkout / "src"), "ADQSP_CACHE": str(cache)}
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "adqsp", *args], env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"adqsp {' '.join(args)} failed in {checkout}")
    return seconds, usage.ru_maxrss / 1024


def one_run(checkout: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as work:
        root = Path(work)
        simulate, _ = timed(checkout, root / "cache-simulate", ["simulate", "--out", str(root / "course.csv")])
        cold, peak = timed(checkout, root / "cache-trial", ["trial", "--quiet", "--out", str(root / "cold")])
        warm, _ = timed(checkout, root / "cache-trial", ["trial", "--quiet", "--out", str(root / "warm")])
    return {
        "simulate_cold_s": round(simulate, 1),
        "trial_cold_s": round(cold, 1),
        "trial_warm_s": round(warm, 1),
        "trial_cold_peak_MB": round(peak),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--other", type=Path, help="another checkout to run interleaved with this one")
    args = parser.parse_args()
    checkouts = [HERE] + ([args.other.resolve()] if args.other else [])
    for run in range(1, args.repeats + 1):
        for checkout in checkouts:
            record = {"checkout": str(checkout), "run": run, "cpus": os.cpu_count(), **one_run(checkout)}
            print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
