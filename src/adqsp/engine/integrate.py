"""Integrate a batch of patients as one array problem, stopping at dose times for all of them.

The reference path: scipy's BDF on the flattened ``(n_states * n_patients)`` system with a block-diagonal
Jacobian sparsity, so a population costs ``n_states`` right-hand-side calls per Jacobian, not one per patient.
Patients are integrated in chunks of at most ``chunk`` so that the error norm stays close to per-patient
control (scipy's norm is a root-mean-square over all components); each chunk has its own solver status.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.integrate import solve_ivp

from adqsp.engine.doses import dose_events
from adqsp.model.codegen import CompiledModel


@dataclass(frozen=True)
class Tolerances:
    """Relative tolerance, and absolute tolerance as a fraction of each state's declared ``scale``."""

    rtol: float = 1e-6
    atol: float = 1e-6

    def absolute(self, compiled: CompiledModel) -> np.ndarray:
        """Absolute tolerance per state, in each state's unit."""
        return self.atol * np.array(compiled.model.state_scales)


DEFAULT_TOLERANCES = Tolerances()


@dataclass(frozen=True)
class Relaxed:
    """Where only the states at the output times matter: what lies more than ``days`` before the next output time
    is integrated with tolerances ``factor`` times looser. In a model whose dynamics forget (stable, with time
    constants well under ``days``), an error made there has largely decayed by the output."""

    days: float
    factor: float

    def switches(self, times: np.ndarray) -> np.ndarray:
        """Where the full tolerance resumes: ``days`` before each output more than ``days`` after the previous one."""
        gaps = np.flatnonzero(np.diff(times) > self.days)
        return times[gaps + 1] - self.days

    def factors(self, stops: np.ndarray, times: np.ndarray) -> np.ndarray:
        """Per stop, the factor on the tolerances of the segment that ends there (``stops`` include the switches)."""
        following = times[np.minimum(np.searchsorted(times, stops), len(times) - 1)]
        return np.where(stops <= following - self.days, self.factor, 1.0)


def relaxed_stops(stops: np.ndarray, times: np.ndarray, relaxed: Relaxed | None) -> tuple[np.ndarray, np.ndarray]:
    """``stops`` (sorted, unique) with ``relaxed``'s switches added, and per stop the factor on the tolerances of the
    segment that ends there (1 throughout without ``relaxed``)."""
    if relaxed is None:
        return stops, np.ones(len(stops))
    stops = np.union1d(stops, relaxed.switches(times))
    return stops, relaxed.factors(stops, times)


@dataclass(frozen=True)
class Trajectory:
    """States at the output times: ``states[time, state, patient]``; ``ok[patient]`` solver status; for the
    compiled engine, ``steps[patient]`` accepted steps and ``rejected[patient]`` rejected attempts."""

    times: np.ndarray
    states: np.ndarray
    ok: np.ndarray
    message: tuple[str, ...]
    steps: np.ndarray | None = None
    rejected: np.ndarray | None = None


def integrate(
    compiled: CompiledModel,
    P: np.ndarray,
    y0: np.ndarray,
    times: np.ndarray,
    dose_times: np.ndarray | None = None,
    dose_amounts: np.ndarray | None = None,
    tol: Tolerances = DEFAULT_TOLERANCES,
    chunk: int = 64,
    relaxed: Relaxed | None = None,
) -> Trajectory:
    """Integrate from ``times[0]`` to ``times[-1]``; doses (mg) are added to the model's dose state.

    A dose at an output time is given just after that output (the output is the pre-dose trough).
    """
    n = P.shape[1]
    pieces = [
        _integrate_chunk(
            compiled,
            P[:, lo : lo + chunk],
            y0[:, lo : lo + chunk],
            times,
            dose_times,
            None if dose_amounts is None else dose_amounts[:, lo : lo + chunk],
            tol,
            relaxed,
        )
        for lo in range(0, n, chunk)
    ]
    ok = np.concatenate([np.full(p[0].shape[2], p[1]) for p in pieces])
    return Trajectory(
        times=np.asarray(times, float),
        states=np.concatenate([p[0] for p in pieces], axis=2),
        ok=ok,
        message=tuple(m for p in pieces for m in [p[2]] * p[0].shape[2]),
    )


def _integrate_chunk(compiled, P, y0, times, dose_times, dose_amounts, tol, relaxed):
    n_states, n = y0.shape
    times = np.asarray(times, float)
    out = np.full((len(times), n_states, n), np.nan)
    events = dose_events(compiled.model, P, dose_times, dose_amounts).within(times[0], times[-1])
    stops, factors = relaxed_stops(np.unique(np.concatenate([[times[0], times[-1]], events.times])), times, relaxed)
    first = events.at(stops)
    sparsity = sp.kron(np.ones((n_states, n_states)), sp.identity(n), format="csr")

    def f(t, flat, end):  # a segment's end is seen from inside it (a switch at a stop acts after the stop)
        return compiled.rhs(min(t, end), flat.reshape(n_states, n), P).ravel()

    y = y0.astype(float).copy()
    for k, (a, b, factor) in enumerate(zip(stops[:-1], stops[1:], factors[1:], strict=True)):
        out[times == a] = y  # an output at a stop: before that stop's dose
        for e in range(first[k], first[k + 1]):
            y[events.rows[e]] += events.increments[e]
        last = b == stops[-1]
        idx = np.flatnonzero((times > a) & ((times < b) | (last & (times <= b))))
        t_eval = np.union1d(times[idx], [b])
        sol = solve_ivp(
            f,
            (a, b),
            y.ravel(),
            method="BDF",
            t_eval=t_eval,
            rtol=tol.rtol * factor,
            atol=np.repeat(tol.absolute(compiled) * factor, n),
            jac_sparsity=sparsity,
            args=(np.nextafter(b, -np.inf),),
        )
        if not sol.success:
            return out, False, sol.message
        values = sol.y.T.reshape(len(t_eval), n_states, n)
        out[idx] = values[np.searchsorted(t_eval, times[idx])]
        y = values[-1]
    return out, bool(np.isfinite(out).all()), "ok" if np.isfinite(out).all() else "non-finite state"
