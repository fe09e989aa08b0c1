"""Benchmark: the cost of a Sobol analysis (SALib sampling, the batched simulation of every sample from its
enrolment, the analysis) at a given number of base samples; one JSON line.

    python benchmarks/sobol_cost.py --samples 2048
"""

from __future__ import annotations

import argparse
import json
import time

from adqsp.trial.sobol import sobol_indices


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=2048)
    parser.add_argument("--drug", default="dupilumab")
    args = parser.parse_args()
    sobol_indices(args.drug, 16, samples=16)  # compile and warm the caches
    start = time.perf_counter()
    result = sobol_indices(args.drug, 16, samples=args.samples)
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "drug": args.drug,
                "base_samples": args.samples,
                "parameters": len(result.parameters),
                "patients_simulated": result.simulated,
                "seconds": round(seconds, 2),
                "patients_per_s": round(result.simulated / seconds),
            }
        )
    )


if __name__ == "__main__":
    main()
