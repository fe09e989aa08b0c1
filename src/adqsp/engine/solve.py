"""Entry points for a population: integrate it (the compiled Rosenbrock engine, or scipy's BDF as reference), or
find its steady states."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from adqsp.engine import compiled as compiled_engine
from adqsp.engine import integrate as reference
from adqsp.engine.compiled import FastModel, fast_model, integrate_fast, steady_state_fast
from adqsp.engine.integrate import Tolerances, Trajectory, integrate
from adqsp.model.codegen import CompiledModel

METHODS = ("rosenbrock", "scipy-bdf")
#: default tolerances per method (absolute ones relative to each state's declared scale)
DEFAULT_TOL = {"rosenbrock": compiled_engine.DEFAULT_TOLERANCES, "scipy-bdf": reference.DEFAULT_TOLERANCES}


@dataclass(frozen=True)
class Relaxed:
    """Where only the states at the output times matter: the part of each interval between output times that lies
    more than ``days`` before its end is integrated at the looser ``tol``. In a model whose dynamics forget (stable,
    with time constants well under ``days``), an error made there has largely decayed by the output."""

    days: float
    tol: Tolerances


def solve(
    compiled: CompiledModel,
    P: np.ndarray,
    y0: np.ndarray,
    times: np.ndarray,
    dose_times: np.ndarray | None = None,
    dose_amounts: np.ndarray | None = None,
    tol: Tolerances | None = None,
    method: str = "rosenbrock",
    relaxed: Relaxed | None = None,
) -> Trajectory:
    """States of every patient at ``times`` (doses given after the output at the same time)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r} (allowed: {', '.join(METHODS)})")
    tol = tol or DEFAULT_TOL[method]
    if dose_times is not None and len(dose_times) == 0:
        dose_times = dose_amounts = None
    if relaxed is not None:
        return _solve_relaxed(compiled, P, y0, np.asarray(times, float), dose_times, dose_amounts, tol, method, relaxed)
    if method == "scipy-bdf":
        return integrate(compiled, P, y0, times, dose_times, dose_amounts, tol)
    return integrate_fast(_fast(compiled), P, y0, times, dose_times, dose_amounts, tol)


def relaxed_pieces(times: np.ndarray, days: float) -> list[tuple[np.ndarray, bool]]:
    """The runs :func:`solve` makes with ``relaxed``: (times of the run, whether it is relaxed), in order. Runs at
    the full tolerance cover consecutive outputs, so outputs closer together than ``days`` take one run."""
    pieces: list[tuple[np.ndarray, bool]] = []
    current = [times[0]]
    for a, b in zip(times[:-1], times[1:], strict=True):
        if b - a > days:
            if len(current) > 1:
                pieces.append((np.array(current), False))
            pieces.append((np.array([a, b - days]), True))
            current = [b - days]
        current.append(b)
    return [*pieces, (np.array(current), False)]


def _solve_relaxed(compiled, P, y0, times, dose_times, dose_amounts, tol, method, relaxed) -> Trajectory:
    """:func:`solve` with ``relaxed``: one run per piece (:func:`relaxed_pieces`), each from where the last ended."""
    n = P.shape[1]
    states = np.full((len(times), y0.shape[0], n), np.nan)
    ok, message = np.ones(n, dtype=bool), np.full(n, "ok", dtype=object)
    counts = [np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)]
    y = y0
    for piece, loose in relaxed_pieces(times, relaxed.days):
        run = solve(compiled, P, y, piece, dose_times, dose_amounts, relaxed.tol if loose else tol, method)
        output = np.isin(piece, times)  # a relaxed run ends short of an output
        states[np.searchsorted(times, piece[output])] = run.states[output]
        message = np.where(ok & ~run.ok, np.array(run.message, dtype=object), message)
        ok &= run.ok
        for total, part in zip(counts, (run.steps, run.rejected), strict=True):
            if part is not None:
                total += part
        y = run.states[-1]
    steps, rejected = counts if method == "rosenbrock" else (None, None)
    return Trajectory(times, states, ok, tuple(message), steps, rejected)


def steady_state(compiled: CompiledModel, P: np.ndarray, y0: np.ndarray, t: float) -> tuple[np.ndarray, np.ndarray]:
    """Steady states of every patient reached from ``y0`` (rates evaluated at time ``t``), and which converged
    (see :func:`adqsp.engine.compiled.steady_state_fast`)."""
    y, ok, _ = steady_state_fast(_fast(compiled), P, y0, t)
    return y, ok


_FAST: dict[str, FastModel] = {}


def _fast(compiled: CompiledModel) -> FastModel:
    """The machine-code model of ``compiled``, built once per process (a pure cache keyed by source)."""
    if compiled.source not in _FAST:
        _FAST[compiled.source] = fast_model(compiled)
    return _FAST[compiled.source]
