"""Steady states by pseudo-transient continuation (Kelley & Keyes, SIAM J Numer Anal 1998;35:508)."""

import math as _m

import numba as _nb
import numpy as np

from adqsp.engine.kernels.calls import consts, jac
from adqsp.engine.kernels.lu import _factor, _w_solve


@_nb.njit(cache=True)
def _rate_norm(f, y, atol, m):
    """The largest relative rate of change (1/day) of the integrated states (those after the ``m`` exact ones)."""
    norm = 0.0
    for r in range(m, f.shape[0]):
        norm = max(norm, abs(f[r]) / (abs(y[r]) + atol[r]))
    return norm


@_nb.njit(cache=True, nogil=True)
def steady(
    fns,
    n_constants,
    m,
    first,
    last,
    P,
    Y0,
    t,
    atol,
    dt0,
    rate_limit,
    max_iter,
    out,
    status,
    n_iter,
    multiplier_limit,
):
    """Each patient's steady state (the model: its function addresses ``fns``, its number of constants and the
    number ``m`` of its leading, exactly integrated states, held at ``Y0``; patients ``first`` to ``last - 1``) at
    time ``t`` (day) from ``Y0`` into ``out``: implicit Euler steps ``y += (I / dt - J)^-1 f`` from ``dt = dt0``,
    ``dt`` grown by switched evolution relaxation (``dt *= old / new`` rate norm) until the steps are Newton's; a
    step that raises the rate norm tenfold, takes a state below ``-atol`` or is not finite is retried with
    ``dt / 4`` (the amounts stay non-negative, as they do along the dynamics). ``status`` 0: every relative rate
    below ``rate_limit`` (1/day); 1: not within ``max_iter`` iterations (their count into ``n_iter``)."""
    n_s = Y0.shape[1]
    n_o = n_s - m
    for i in range(first, last):
        p = P[i]
        c = np.empty(n_constants)
        consts(fns, p, c)
        y = Y0[i].copy()
        trial = Y0[i].copy()
        f = np.empty(n_s)
        ft = np.empty(n_s)
        dfdy = np.zeros((n_s, n_s))
        w = np.empty((n_o, n_o))
        piv = np.empty(n_o, dtype=np.int64)
        d = np.empty(n_o)
        jac(fns, t, y, p, c, f, dfdy, ft)
        norm = _rate_norm(f, y, atol, m)
        dt = dt0
        code = 1
        it = 0
        while it < max_iter:
            if norm <= rate_limit:
                code = 0
                break
            it += 1
            pivoted = _factor(fns, w, piv, dfdy, m, 1.0 / dt, multiplier_limit)
            for a in range(n_o):
                d[a] = f[m + a]
            _w_solve(fns, w, piv, pivoted, d)
            negative = False
            for a in range(n_o):
                r = m + a
                trial[r] = y[r] + d[a]
                if trial[r] < -atol[r] and y[r] >= -atol[r]:
                    negative = True
            new = _m.inf
            if not negative:
                jac(fns, t, trial, p, c, f, dfdy, ft)
                new = _rate_norm(f, trial, atol, m)
            if not _m.isfinite(new) or new > 10.0 * norm:
                dt *= 0.25
                if not negative:
                    jac(fns, t, y, p, c, f, dfdy, ft)
                continue
            for a in range(n_o):
                y[m + a] = trial[m + a]
            dt *= min(10.0, norm / max(new, 1e-300))
            norm = new
        for r in range(n_s):
            out[i, r] = y[r]
        status[i] = code
        n_iter[i] = it
