"""Patients per second of the default SOLO 1 trial at a given size, for this checkout and optionally another
(e.g. a worktree of an earlier commit), interleaved, each run in a fresh process on a warm model cache.

    python benchmarks/trial_throughput.py --patients-per-arm 3334 --repeats 2 [--other /path/to/checkout]

Prints, per checkout and run, the wall time of the trial as ``adqsp trial`` reports it (screening and arms, models
already compiled: one warm-up run per checkout first) and the patients per second.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def run_once(checkout: Path, patients_per_arm: int) -> float:
    """Seconds the trial took, as its last line reports them."""
    env = {**os.environ, "PYTHONPATH": str(checkout / "src")}
    with tempfile.TemporaryDirectory() as out:
        done = subprocess.run(
            [sys.executable, "-m", "adqsp", "trial", "--patients-per-arm", str(patients_per_arm), "--out", out],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
    seconds = re.search(r"patients in ([0-9.]+) s", done.stdout + done.stderr)
    if seconds is None:
        raise RuntimeError(f"no timing line in the output of {checkout}")
    return float(seconds.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients-per-arm", type=int, default=3334)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--other", type=Path, help="another checkout to time beside this one")
    args = parser.parse_args()
    checkouts = [HERE, *([args.other.resolve()] if args.other else [])]
    for checkout in checkouts:
        run_once(checkout, 50)  # warm-up: compile or load the models
    n = 3 * args.patients_per_arm
    for repeat in range(args.repeats):
        for checkout in checkouts:
            seconds = run_once(checkout, args.patients_per_arm)
            print(f"{checkout}  run {repeat + 1}: {n} patients in {seconds:.1f} s, {n / seconds:,.0f} patients/s")


if __name__ == "__main__":
    main()
