"""Benchmark: wall time of the light commands (a fresh process each, median of five runs): ``import adqsp``,
``adqsp params`` and ``adqsp schema``; one JSON line.

    python benchmarks/light_commands.py
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "import adqsp": [sys.executable, "-c", "import adqsp"],
    "adqsp params": [sys.executable, "-m", "adqsp", "params"],
    "adqsp schema": [sys.executable, "-m", "adqsp", "schema"],
}


def main() -> None:
    times = {}
    for name, argv in COMMANDS.items():
        runs = []
        for _ in range(5):
            start = time.perf_counter()
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
            runs.append(time.perf_counter() - start)
        times[name] = round(statistics.median(runs), 3)
    print(json.dumps({"seconds": times}))


if __name__ == "__main__":
    main()
