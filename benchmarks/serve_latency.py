"""Latency of the mechanism explorer (``adqsp serve``): seconds from starting the command to its first answered
request (on a warm compile cache), and of a typical-patient time-course request (16 weeks, dupilumab's label
regimen): the first, then the median of the first ``--repeats`` after it (while the server brings the compiled
kernels in, a lone patient runs interpreted) and of the ``--repeats`` after those; then a bounded load test on
loopback: ``--load`` requests (typical and sampled patients, and bad ones) from ``--clients`` concurrent clients,
counting the answers by status and the server's resident memory before and after (Linux). Prints one JSON line.

    python benchmarks/serve_latency.py [--repeats N] [--load 200] [--clients 20]
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
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

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


def _post(url: str, body: dict, timeout: float = 120.0) -> dict:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def _status(url: str, body: dict) -> int:
    """The HTTP status of a POST (an error status too)."""
    try:
        _post(url, body)
        return 200
    except urllib.error.HTTPError as exc:
        return exc.code


def _rss_mb(pid: int) -> float | None:
    """Resident memory of process ``pid`` in MB (None where /proc is not there)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            line = next(line for line in status if line.startswith("VmRSS:"))
        return int(line.split()[1]) / 1024
    except (OSError, StopIteration):
        return None


def _load(url: str, pid: int, requests: int, clients: int) -> dict:
    """``requests`` course requests from ``clients`` threads: a mix of typical, sampled and bad ones."""
    bodies = [
        COURSE,
        {"drug": "tralokinumab", "weeks": 16, "patient": {"kind": "sampled", "seed": 7}},
        {"drug": "upadacitinib", "weeks": 8},
        {"drug": "dupilumab", "weeks": 0},
    ]
    before = _rss_mb(pid)
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        codes = Counter(pool.map(lambda k: _status(url, bodies[k % len(bodies)]), range(requests)))
    return {
        "load_requests": requests,
        "load_clients": clients,
        "load_s": round(time.perf_counter() - started, 2),
        "load_status": {str(k): v for k, v in sorted(codes.items())},
        "server_rss_mb_before": before,
        "server_rss_mb_after": _rss_mb(pid),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10, help="course requests per median")
    parser.add_argument("--load", type=int, default=200, help="requests of the load test (0: none)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients of the load test")
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
        for _ in range(2 * args.repeats):
            t = time.perf_counter()
            _post(url, COURSE)
            times.append(time.perf_counter() - t)
        load = _load(url, server.pid, args.load, args.clients) if args.load else {}
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(
        json.dumps(
            {
                "startup_to_first_answer_s": round(startup, 3),
                "first_course_s": round(first_course, 3),
                "course_median_early_s": round(statistics.median(times[: args.repeats]), 4),
                "course_median_s": round(statistics.median(times[args.repeats :]), 4),
                "course_max_s": round(max(times[args.repeats :]), 4),
                "repeats": args.repeats,
                **load,
            }
        )
    )


if __name__ == "__main__":
    main()
