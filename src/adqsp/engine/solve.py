"""Entry points for a population: integrate it (the compiled Rosenbrock engine, or scipy's BDF as reference), or
find its steady states."""

from __future__ import annotations

import numpy as np

from adqsp.engine import fast as rosenbrock
from adqsp.engine import integrate as reference
from adqsp.engine.fast import FastModel, fast_model, integrate_fast, steady_state_fast
from adqsp.engine.integrate import Relaxed, Tolerances, Trajectory, integrate
from adqsp.errors import InputError
from adqsp.model.codegen import CompiledModel

METHODS = ("rosenbrock", "scipy-bdf")
#: default tolerances per method (absolute ones relative to each state's declared scale)
DEFAULT_TOL = {"rosenbrock": rosenbrock.DEFAULT_TOLERANCES, "scipy-bdf": reference.DEFAULT_TOLERANCES}


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
    """States of every patient at ``times`` (doses given after the output at the same time); ``relaxed``: looser
    tolerances far before each output (see :class:`~adqsp.engine.integrate.Relaxed`)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r} (allowed: {', '.join(METHODS)})")
    tol = tol or DEFAULT_TOL[method]
    _check_arrays(compiled, P, y0, times, dose_times, dose_amounts)
    if dose_times is not None and len(dose_times) == 0:
        dose_times = dose_amounts = None
    if method == "scipy-bdf":
        return integrate(compiled, P, y0, times, dose_times, dose_amounts, tol, relaxed=relaxed)
    return integrate_fast(_fast(compiled), P, y0, times, dose_times, dose_amounts, tol, relaxed=relaxed)


def _check_arrays(compiled: CompiledModel, P, y0, times, dose_times, dose_amounts) -> None:
    """Shapes and orders the engines rely on (the compiled one reads memory by them): an InputError naming the
    argument, not a crash or a result read from the wrong place."""
    n_par, n_st = len(compiled.model.parameters), len(compiled.model.states)
    P, y0, times = np.asarray(P), np.asarray(y0), np.asarray(times, float)
    if P.ndim != 2 or P.shape[0] != n_par:
        raise InputError("P", f"must be (parameters, patients) = ({n_par}, n) for this model, got shape {P.shape}")
    n = P.shape[1]
    if y0.shape != (n_st, n):
        raise InputError("y0", f"must be (states, patients) = ({n_st}, {n}) for this model, got shape {y0.shape}")
    _check_increasing(times, "times")
    if len(times) == 0:
        raise InputError("times", "must not be empty")
    if (dose_times is None) != (dose_amounts is None):
        raise InputError("dose_amounts", "dose_times and dose_amounts go together")
    if dose_times is not None:
        dose_times = np.asarray(dose_times, float)
        _check_increasing(dose_times, "dose_times")
        shape = np.shape(dose_amounts)
        if shape != (len(dose_times), n):
            raise InputError("dose_amounts", f"must be (dose times, patients) = ({len(dose_times)}, {n}), got {shape}")


def _check_increasing(values: np.ndarray, field: str) -> None:
    if values.ndim != 1 or not np.isfinite(values).all() or np.any(np.diff(values) <= 0):
        raise InputError(field, "must be a 1-D array of finite, strictly increasing times (day)")


def steady_state(compiled: CompiledModel, P: np.ndarray, y0: np.ndarray, t: float) -> tuple[np.ndarray, np.ndarray]:
    """Steady states of every patient reached from ``y0`` (rates evaluated at time ``t``), and which converged
    (see :func:`adqsp.engine.fast.steady_state_fast`)."""
    y, ok, _ = steady_state_fast(_fast(compiled), P, y0, t)
    return y, ok


_FAST: dict[str, FastModel] = {}


def _fast(compiled: CompiledModel) -> FastModel:
    """The machine-code model of ``compiled``, built once per process (a pure cache keyed by source)."""
    if compiled.source not in _FAST:
        _FAST[compiled.source] = fast_model(compiled)
    return _FAST[compiled.source]
