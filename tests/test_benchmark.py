"""The benchmark script end to end, opt-in (``python -m pytest -m slow -s`` prints its numbers): it runs, and the
engine agrees with libRoadRunner within the performance issue's accuracy targets. No timing is asserted.
libRoadRunner is a test dependency: without it the script, and so this test, fails rather than skips."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).parents[1] / "benchmarks" / "engine_vs_roadrunner.py"


def test_benchmark_runs_and_the_engine_matches_roadrunner():
    args = ["--patients", "1000", "--roadrunner-patients", "20", "--trial-patients", "10000"]
    run = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=True)
    engine, memory, trial = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    print(json.dumps(engine), json.dumps(memory), json.dumps(trial), sep="\n")
    assert engine["ours_ok"] == 1.0 and engine["roadrunner_failures"] == 0
    assert engine["max_EASI_diff_week16"] <= 0.05 and engine["max_EASI_diff_week52"] <= 0.05
    assert engine["max_serum_rel_diff"] <= 1e-3
    assert trial["trial"]["exit_code"] == 0 and trial["trial"]["peak_memory_MB"] <= 4096
