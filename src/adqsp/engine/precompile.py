"""The solver on lanes compiled in another process on a cold start.

numba compiles the solver (``kernels/lanes.py``) once per version of this code, in about 10 s on one core. On a
cold start a trial starts that compile in a process of its own (:func:`start`) and goes on, on the other core, with
its imports, models (its arms' machine code too: :func:`prepare`) and steady states; its first call of the solver
waits for that process (:func:`wait`) and then loads the compiled solver from the cache folder. A marker in the cache
folder (:func:`mark`, written after a compiled call of the solver) says that compile is done; where it is there,
nothing is started. The process compiles the solver for a model of one state: the solver's code and its arguments'
types are the same for every model.
"""

from __future__ import annotations

import atexit
import subprocess
import sys
import threading
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import llvmlite
import llvmlite.binding as llvm

from adqsp.engine import kernels
from adqsp.engine.cache import cache_dir, loaded, source_digest, written
from adqsp.model.codegen import CompiledModel

#: the compiling process started by :func:`start`, until :func:`wait` has waited for it
_PROCESS: subprocess.Popen | None = None
#: one start or wait at a time (the explorer runs trials in threads)
_LOCK = threading.Lock()


@cache
def marker() -> Path:
    """The file that says the solver of this code is compiled in the cache folder for this machine's processor."""
    from importlib.metadata import version  # numba's own import takes 0.2 s: a lone patient's course needs none

    versions = f"{sys.version}\n{version('numba')}\n{llvmlite.__version__}"
    machine = f"{llvm.get_host_cpu_name()}\n{llvm.get_host_cpu_features().flatten()}\n{versions}"
    return cache_dir() / f"compiled_{source_digest(kernels.source() + machine)}"


def mark() -> None:
    """Record that the solver is compiled in the cache folder (after a compiled call of it)."""
    path = marker()
    if not path.exists():
        path.touch()


def start() -> None:
    """Compile the solver in another process unless it is compiled already (in the cache folder or this process) or
    being compiled, or this Python cannot start another (an embedded or frozen interpreter)."""
    global _PROCESS
    with _LOCK:
        if _PROCESS is not None or marker().exists() or not sys.executable or getattr(sys, "frozen", False):
            return
        here = loaded(kernels.source())
        if here is not None and here.solve_lanes.signatures:
            return
        written(kernels.source())  # before the other process imports it: neither writes it again under the other
        command = [sys.executable, "-m", "adqsp.engine.precompile"]
        try:
            _PROCESS = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError:  # the solver compiles in this process at its first call, as without this
            return
        atexit.register(_stop)


def prepare(models: Iterable[CompiledModel]) -> None:
    """While the solver compiles in the other process, each model's machine code (its functions and those for
    lanes) is compiled in this one: a trial's arms need it after its screening, which waits for the solver."""
    if _PROCESS is None:
        return
    from adqsp.engine.fast import fast_model

    for model in models:
        fast_model(model).native.with_lanes()


def wait() -> None:
    """Wait for the compiling process, if one was started (whether it succeeded or not: a failed compile leaves the
    solver to be compiled by this process at its call, as without it)."""
    global _PROCESS
    with _LOCK:
        process, _PROCESS = _PROCESS, None
    if process is not None:
        process.wait()


def _stop() -> None:
    """At exit, a compile still running is ended (numba writes its cache files whole or not at all)."""
    process = _PROCESS
    if process is not None and process.poll() is None:
        process.terminate()


def compile_solver() -> None:
    """Compile the solver (and write the marker) by integrating two patients of a one-state model over a day."""
    import numpy as np

    from adqsp.engine.fast import fast_model, integrate_fast
    from adqsp.model.codegen import compile_model
    from adqsp.model.declaration import Model, Parameter, State

    rate = Parameter("k", 1.0, "1/day", "assumed: a model for compiling the solver, never simulated for results")
    model = compile_model(Model("compile", (rate,), (State("x", 1.0, "mg"),), (), {"x": "-k * x"}).check())
    P = model.parameter_matrix({}, 2)
    integrate_fast(fast_model(model), P, model.initial(P), np.array([0.0, 1.0]))


if __name__ == "__main__":
    compile_solver()
