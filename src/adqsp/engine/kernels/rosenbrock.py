"""The solver: each patient integrated with its own step size and error control (patients in threads, see
``engine/fast.py``).

The method is the 4th-order Kaps-Rentrop Rosenbrock method with Shampine's A-stable parameter set and embedded
3rd-order error estimate (Shampine, ACM Trans Math Softw 1982;8:93): four stages, three right-hand sides and one LU
factorisation per step, with the exact Jacobian and time derivative of the rates. The error norm is the weighted root
mean square over the integrated states (as in CVODE); a step that carries a state below minus its absolute
tolerance is rejected as well (all states are non-negative quantities; CVODE's inequality constraints do the
same), since one state's overshoot past a kink is diluted in the mean over all. The exactly integrated part
(``kernels/exact.py``) is a known forcing of the other states: its time derivative enters through the method's
time term.

Dose events and output times are stops common to all patients; each stop carries a factor on the tolerances of the
segment it ends (:class:`~adqsp.engine.integrate.Relaxed`). A step's last stage sits at the step's end; where that
is a stop, the rates are evaluated at the float just below it, so a switch in time at a stop acts only after it, as
it does in the model (the scipy reference path does the same).
"""

import math as _m

import numba as _nb
import numpy as np

from adqsp.engine.kernels.calls import consts, feed, jac, lin, rhs
from adqsp.engine.kernels.exact import (
    GRID_SLOTS,
    _chain,
    _feed,
    _feed_gain,
    _grid_slot,
    _on_grid,
    _place,
    _unfeed,
)
from adqsp.engine.kernels.expm import _expm
from adqsp.engine.kernels.lu import _factor, _w_solve

# Shampine's parameter set (ACM TOMS 1982;8:93) of the Kaps-Rentrop 4th-order Rosenbrock method
GAM, A21, A31, A32, A2X, A3X = 0.5, 2.0, 48.0 / 25.0, 6.0 / 25.0, 1.0, 3.0 / 5.0
C21, C31, C32 = -8.0, 372.0 / 25.0, 12.0 / 5.0
C41, C42, C43 = -112.0 / 125.0, -54.0 / 125.0, -2.0 / 5.0
B1, B2, B3, B4 = 19.0 / 9.0, 0.5, 25.0 / 108.0, 125.0 / 108.0
E1, E2, E3, E4 = 17.0 / 54.0, 7.0 / 36.0, 0.0, 125.0 / 108.0
C1X, C2X, C3X, C4X = 0.5, -1.5, 121.0 / 50.0, 29.0 / 250.0


@_nb.njit(cache=True, nogil=True)
def solve(
    fns,
    n_constants,
    m,
    fed,
    first,
    last,
    P,
    Y0,
    stops,
    tol_factor,
    out_index,
    event_first,
    event_rows,
    increments,
    rtol,
    atol,
    max_steps,
    h0,
    h_later,
    out,
    status,
    n_steps,
    n_rejected,
    multiplier_limit,
):
    """Integrate each patient (``P``: parameters and ``Y0``: initial states, one row each) through ``stops`` (day),
    writing the states at the stops with an ``out_index`` into ``out`` and, after the output there, adding the dose
    events ``event_first[k]:event_first[k + 1]`` of stop ``k`` (``increments[e, i]`` to state ``event_rows[e]``).
    ``h0``: the first step at the start and after the first dose, ``h_later``: the longest first step after a later
    one. Patients ``first`` to ``last - 1`` only (the caller runs ranges in threads). Per patient: ``status`` (see
    ``engine/fast.py``), accepted steps and rejected attempts.

    The model: its function addresses ``fns`` (``kernels/calls.py``), its number of constants, and ``m``: its first
    ``m`` states are integrated exactly, the rest by the method with ``y_S(t)`` as a known forcing; ``fed``: those
    of the rest that the exact part feeds linearly, integrated as ``u = y - X`` (none: integrated as the others)."""
    n_s = Y0.shape[1]
    n_o = n_s - m
    n_f = fed.shape[0]
    for i in range(first, last):
        p = P[i]
        c = np.empty(n_constants)
        consts(fns, p, c)
        y = Y0[i].copy()
        ynew = np.empty(n_s)
        f0 = np.empty(n_s)
        f1 = np.empty(n_s)
        f2 = np.empty(n_s)
        ft = np.empty(n_s)
        tmp = np.empty(n_s)
        g1 = np.empty(n_o)
        g2 = np.empty(n_o)
        g3 = np.empty(n_o)
        g4 = np.empty(n_o)
        dfdy = np.zeros((n_s, n_s))  # jac writes the structural nonzeros only
        w = np.empty((n_o, n_o))
        piv = np.empty(n_o, dtype=np.int64)
        A = np.zeros((m + 1, m + 1))
        if m > 0:
            lin(fns, p, A)
        k_aug = m  # the augmented matrix only where the part has a constant input (halves the exponential's cost)
        for r in range(m):
            if A[r, m] != 0.0:
                k_aug = m + 1
        M = np.ascontiguousarray(A[:k_aug, :k_aug])
        B = np.zeros((n_f, m))
        K = np.zeros((n_f, m))
        kc = np.zeros(n_f)
        fed_in = np.empty(n_f)
        if n_f > 0:
            feed(fns, p, B)
            if not _feed_gain(A, m, B, K):
                B[:, :] = 0.0  # with B and K zero the fed states are integrated as the others
            for q in range(n_f):
                for j in range(m):
                    kc[q] += K[q, j] * A[j, m]
        lower = True  # a chain feeding forward (absorption depot and transits)
        for r in range(k_aug):
            for j in range(r + 1, k_aug):
                if M[r, j] != 0.0:
                    lower = False
        Q = np.empty((k_aug, k_aug))
        table = np.empty((GRID_SLOTS if m > 0 else 0, k_aug, k_aug))  # exp(M h / 5) of each grid step h used
        in_table = np.zeros(GRID_SLOTS, dtype=np.bool_)
        at3 = np.empty(m)
        at5 = np.empty(m)
        v = np.empty(k_aug)
        u = np.empty(k_aug)
        X = np.empty((4, k_aug, k_aug))
        T = np.empty((k_aug, k_aug))
        t = stops[0]
        h = h0
        dosed = False
        steps = 0
        rejected = 0
        code = 0
        for k in range(stops.shape[0]):
            target = stops[k]
            before = np.nextafter(target, -np.inf)  # a stop's time, seen from the segment it ends
            relax = tol_factor[k]  # the segment's tolerances are this many times the given ones
            while t < target and code == 0:
                if steps >= max_steps:
                    code = 1
                    break
                steps += 1
                h = min(h, target - t)
                if target - t - h < 1e-9 * max(1.0, abs(target)):
                    h = target - t
                jac(fns, t, y, p, c, f0, dfdy, ft)
                for a in range(n_o):  # d/dt of the forcing: (d rates / d y_S) (d y_S / dt)
                    r = m + a
                    for b in range(m):
                        ft[r] += dfdy[r, b] * f0[b]
                for q in range(n_f):  # u = y - X: the input leaves u's rate, and X(t) forces every rate of y_r
                    fed_in[q] = 0.0
                    for j in range(m):
                        fed_in[q] += B[q, j] * y[j]
                        ft[fed[q]] -= B[q, j] * f0[j]
                    for a in range(n_o):
                        ft[m + a] += dfdy[m + a, fed[q]] * fed_in[q]
                for q in range(n_f):
                    f0[fed[q]] -= fed_in[q]
                while True:
                    pivoted = _factor(fns, w, piv, dfdy, m, 1.0 / (GAM * h), multiplier_limit)
                    if m > 0:  # stage times 3h/5 and h (stage 2 sits at the step's end: at5 is the new y_S)
                        slot = _grid_slot(h)
                        E = Q if slot < 0 else table[slot]
                        if slot < 0 or not in_table[slot]:  # one inlined exponential: less code to compile
                            _expm(M, 0.2 * h, E, X, T, lower)
                            if slot >= 0:
                                in_table[slot] = True
                        _chain(E, y, m, at3, at5, v, u, lower)
                    for a in range(n_o):
                        r = m + a
                        g1[a] = f0[r] + h * C1X * ft[r]
                    _w_solve(fns, w, piv, pivoted, g1)
                    for a in range(n_o):
                        tmp[m + a] = y[m + a] + A21 * g1[a]
                    _place(tmp, at5, m)
                    _feed(tmp, y, K, kc, A2X * h, m, fed)
                    rhs(fns, min(t + A2X * h, before), tmp, p, c, f1)
                    _unfeed(f1, tmp, B, m, fed)
                    for a in range(n_o):
                        r = m + a
                        g2[a] = f1[r] + h * C2X * ft[r] + C21 * g1[a] / h
                    _w_solve(fns, w, piv, pivoted, g2)
                    for a in range(n_o):
                        tmp[m + a] = y[m + a] + A31 * g1[a] + A32 * g2[a]
                    _place(tmp, at3, m)
                    _feed(tmp, y, K, kc, A3X * h, m, fed)
                    rhs(fns, t + A3X * h, tmp, p, c, f2)
                    _unfeed(f2, tmp, B, m, fed)
                    for a in range(n_o):
                        r = m + a
                        g3[a] = f2[r] + h * C3X * ft[r] + (C31 * g1[a] + C32 * g2[a]) / h
                    _w_solve(fns, w, piv, pivoted, g3)
                    for a in range(n_o):
                        r = m + a
                        g4[a] = f2[r] + h * C4X * ft[r] + (C41 * g1[a] + C42 * g2[a] + C43 * g3[a]) / h
                    _w_solve(fns, w, piv, pivoted, g4)
                    for a in range(n_o):
                        ynew[m + a] = y[m + a] + B1 * g1[a] + B2 * g2[a] + B3 * g3[a] + B4 * g4[a]
                    _place(ynew, at5, m)
                    _feed(ynew, y, K, kc, h, m, fed)
                    err = 0.0
                    finite = True
                    overshoot = False
                    for a in range(n_o):
                        r = m + a
                        if not _m.isfinite(ynew[r]):
                            finite = False
                        # every state is a non-negative quantity: a step that carries one further below zero than
                        # its absolute tolerance crossed a kink the error estimate did not see (a saturable
                        # elimination switching off at zero); the RMS norm over all states would let it pass. The
                        # bound is the full tolerance's, in relaxed segments too (a trial fails a patient at -2x it)
                        if ynew[r] < -atol[r] and ynew[r] < y[r]:
                            overshoot = True
                        scale = (atol[r] + rtol * max(abs(y[r]), abs(ynew[r]))) * relax
                        e = (E1 * g1[a] + E2 * g2[a] + E3 * g3[a] + E4 * g4[a]) / scale
                        err += e * e
                    err = _m.sqrt(err / max(n_o, 1))
                    if not finite:
                        err = 1e10
                    elif overshoot:
                        err = max(err, 8.0)  # at least halves the step
                    if err <= 1.0:
                        t = t + h
                        for r in range(n_s):
                            y[r] = ynew[r]
                        h = h * min(4.0, 0.9 * err**-0.25) if err > 0 else 4.0 * h
                        if m > 0:
                            h = _on_grid(h)
                        break
                    h = h * max(0.2, 0.9 * err ** (-1.0 / 3.0))
                    if m > 0:
                        h = _on_grid(h)
                    rejected += 1
                    if h < 1e-12 * max(1.0, abs(t)):
                        code = 2
                        break
                    if target - t - h < 1e-9 * max(1.0, abs(target)):
                        h = target - t
                if code != 0:
                    break
            if code != 0:
                break
            if out_index[k] >= 0:
                for r in range(n_s):
                    out[i, out_index[k], r] = y[r]
            given = False
            for e in range(event_first[k], event_first[k + 1]):
                if increments[e, i] != 0.0:
                    y[event_rows[e]] += increments[e, i]
                    given = True
            if given:
                h = min(h, h_later if dosed else h0)
                dosed = True
        for r in range(n_s):
            if not _m.isfinite(y[r]):
                code = 3
        status[i] = code
        n_steps[i] = steps
        n_rejected[i] = rejected
