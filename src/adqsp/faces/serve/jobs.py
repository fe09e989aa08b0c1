"""Small virtual trials run in the background, each in its own process, with progress.

A trial runs in a spawned process rather than a thread: the compiled solvers run their patients in threads of their own,
and a process keeps a trial from holding up the time courses the page asks for meanwhile. At most ``max_running`` jobs
run at once (another is refused: :class:`Busy`), and the ``keep`` newest finished jobs are remembered.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from adqsp.faces.serve.api import trial_summary

#: how often (seconds) a job's watcher checks that its process is still alive while no message comes
POLL_S = 0.5


class Busy(RuntimeError):
    """As many trial jobs are running as are allowed."""


@dataclass
class Job:
    """A trial job's state: ``running``, ``done`` or ``failed``; progress as the trial reports it."""

    id: str
    arms: list[str]
    state: str = "running"
    stage: str = "starting"
    done: int = 0
    total: int = 0
    started: float = field(default_factory=time.time)
    finished: float | None = None
    result: dict[str, Any] | None = None
    error: str | None = None

    @property
    def fraction(self) -> float:
        """Fraction of the work done: screening, then each arm in turn, each an equal share."""
        if self.state == "done":
            return 1.0
        stages = ["screening", *self.arms]
        if self.stage not in stages or self.total <= 0:
            return 0.0
        return (stages.index(self.stage) + min(self.done / self.total, 1.0)) / len(stages)

    def to_json(self) -> dict[str, Any]:
        elapsed = (self.finished or time.time()) - self.started
        out = {
            "id": self.id,
            "state": self.state,
            "stage": self.stage,
            "done": self.done,
            "total": self.total,
            "fraction": self.fraction,
            "elapsed_s": elapsed,
        }
        if self.result is not None:
            out["summary"] = self.result
        if self.error is not None:
            out["error"] = self.error
        return out


class TrialJobs:
    """The trial jobs of one server: start one (:meth:`submit`), look one up (:meth:`get`)."""

    def __init__(self, max_running: int = 2, keep: int = 32) -> None:
        self.max_running = max_running
        self.keep = keep
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._context = multiprocessing.get_context("spawn")

    def running(self) -> int:
        with self._lock:
            return sum(job.state == "running" for job in self._jobs.values())

    def submit(self, scenario: dict[str, Any], arms: list[str]) -> Job:
        """Start a trial of ``scenario`` (parsed TOML, already checked) whose arms are ``arms``; :class:`Busy` when
        ``max_running`` jobs are running."""
        with self._lock:
            if sum(job.state == "running" for job in self._jobs.values()) >= self.max_running:
                raise Busy(f"{self.max_running} trial jobs are running; try again when one has finished")
            job = Job(uuid.uuid4().hex, arms)
            self._jobs[job.id] = job
            finished = [k for k, j in self._jobs.items() if j.state != "running"]
            for key in finished[: max(0, len(self._jobs) - self.keep)]:
                del self._jobs[key]
        messages = self._context.Queue()
        process = self._context.Process(target=_run, args=(scenario, messages), daemon=True)
        process.start()
        threading.Thread(target=self._watch, args=(job, process, messages), daemon=True).start()
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def _watch(self, job: Job, process, messages) -> None:
        """Follow a job's messages until it finishes or its process ends without a word."""
        import queue

        while True:
            try:
                kind, *payload = messages.get(timeout=POLL_S)
            except queue.Empty:
                if process.is_alive():
                    continue
                kind, payload = "error", [f"the trial's process ended unexpectedly (exit code {process.exitcode})"]
            with self._lock:
                if kind == "progress":
                    job.stage, job.done, job.total = payload
                    continue
                job.finished = time.time()
                if kind == "done":
                    job.state, job.result = "done", payload[0]
                else:
                    job.state, job.error = "failed", payload[0]
            break
        process.join(timeout=5)


def _run(scenario: dict[str, Any], messages) -> None:
    """A job's process: run the trial, reporting progress, then its summary (or the error, one line)."""
    import warnings

    from adqsp.trial.job import run_trial
    from adqsp.trial.scenario import parse_scenario

    try:
        with warnings.catch_warnings():  # failures are in the summary's warnings
            warnings.simplefilter("ignore")
            result = run_trial(
                parse_scenario(scenario), lambda stage, done, total: messages.put(("progress", stage, done, total))
            )
        messages.put(("done", trial_summary(result.summary)))
    except Exception as exc:  # noqa: BLE001 - reported to the page as the job's error
        messages.put(("error", f"{type(exc).__name__}: {exc}"))
