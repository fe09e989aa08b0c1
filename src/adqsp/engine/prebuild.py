"""Compile several models' machine code side by side, one process each.

numba compiles a model's solver on one core (LLVM), in a minute or more per full model, and caches the machine
code in the cache folder (``engine/cache.py``), where any later process loads it in about a second. A trial
needs its drug-free model (screening) and each arm's model: on an empty cache, compiling them one after another in
the trial's process leaves the other cores idle. :func:`prebuild` compiles the models whose machine code is not
cached yet in separate processes at once, then the trial loads them from the cache. With one model missing, or one
core, it does nothing: the trial's process compiles that model as before.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from adqsp.engine.cache import cache_dir, solver_source, source_digest
from adqsp.engine.fast import fast_model, integrate_fast, steady_state_fast
from adqsp.model.codegen import CompiledModel, compile_model
from adqsp.model.declaration import Model


def prebuild(models: Iterable[tuple[CompiledModel, bool]]) -> int:
    """Compile, in parallel processes, the solvers of the models not cached yet (with each, whether its
    steady-state solver is needed too); returns how many were compiled that way."""
    missing: dict[str, tuple[Model, bool]] = {}
    for c, steady in models:
        source = solver_source(c)
        if not is_cached(source, steady):
            missing[source] = (c.model, steady or missing.get(source, (c.model, False))[1])
    workers = min(len(missing), os.cpu_count() or 1)
    if workers < 2:
        return 0
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(build, missing.values()))
    return len(missing)


def is_cached(source: str, steady: bool) -> bool:
    """Whether numba's cache index holds the solver (and the steady-state solver) of this generated source."""
    index = cache_dir() / "__pycache__"
    stem = f"model_{source_digest(source)}"
    return all(any(index.glob(f"{stem}.{f}-*.nbi")) for f in ("solve", "steady")[: 1 + steady])


def build(spec: tuple[Model, bool]) -> None:
    """Compile one model's solvers by running them once on its typical patient (numba caches the machine code)."""
    model, steady = spec
    c = compile_model(model)
    fast = fast_model(c)
    P = c.parameter_matrix({}, 1)
    y0 = c.initial(P)
    integrate_fast(fast, P, y0, np.array([0.0, 1.0]))
    if steady:
        steady_state_fast(fast, P, y0, 0.0)
