"""Latency of the mechanism explorer (``adqsp serve``): seconds from starting the command to its first answered
request (on a warm compile cache), and of a typical-patient time-course request (16 weeks, dupilumab's label
regimen), median of several. Prints one JSON line.

    python benchmarks/serve_latency.py [--repeats N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

COURSE = {"drug": "dupilumab", "weeks": 16}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _command(port: int) -> list[str]:
    """``adqsp serve`` on ``port`` (the installed script, or the module where it is not on the PATH)."""
    script = shutil.which("adqsp")
    base = [script] if script else [sys.executable, "-m", "adqsp"]
    return [*base, "serve", "--port", str(port)]


def _post(url: str, body: dict, timeout: float = 60.0) -> dict:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10, help="course requests timed after the first")
    args = parser.parse_args()
    port = _free_port()
    started = time.perf_counter()
    server = subprocess.Popen(_command(port), stderr=subprocess.DEVNULL, env=os.environ.copy())
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/drugs", timeout=5) as response:
                    response.read()
                break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None:
                    raise SystemExit(f"adqsp serve exited with code {server.returncode}") from None
                time.sleep(0.02)
        startup = time.perf_counter() - started
        url = f"http://127.0.0.1:{port}/api/course"
        first = time.perf_counter()
        _post(url, COURSE)  # loads the compiled model
        first_course = time.perf_counter() - first
        times = []
        for _ in range(args.repeats):
            t = time.perf_counter()
            _post(url, COURSE)
            times.append(time.perf_counter() - t)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(
        json.dumps(
            {
                "startup_to_first_answer_s": round(startup, 3),
                "first_course_s": round(first_course, 3),
                "course_median_s": round(statistics.median(times), 4),
                "course_max_s": round(max(times), 4),
                "repeats": args.repeats,
            }
        )
    )


if __name__ == "__main__":
    main()
