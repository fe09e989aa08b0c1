"""The fast engine: the declared model compiled with numba, integrated patient by patient in parallel.

Each patient is integrated with its own step size and error control by the 4th-order Kaps-Rentrop Rosenbrock method
with Shampine's A-stable parameter set and embedded 3rd-order error estimate (Shampine, ACM Trans Math Softw
1982;8:93; four stages, three right-hand sides and one LU factorisation per step). The Jacobian and the time
derivative of the rates are exact: generated from the declaration by symbolic differentiation
(``model/derivatives.py``) and the chain rule through the assignments. The error norm is the weighted root mean
square over states (as in CVODE); the right-hand side computes only the assignments the rates need, and their
parameter-only parts once per patient (``engine/constants.py``), as does the Jacobian, and a division by such a
part is a product with its reciprocal: on the dupilumab model 198 -> 136 divisions in the Jacobian and 67 -> 49 in
the right-hand side, 436 -> 409 ns and 181 -> 169 ns per call (least of 15 interleaved timings each), 52 weeks
of 1000 patients within 1.1e-14 relative of before with the same steps. Patients run in parallel threads
(``numba.prange``); dose events and output times are stops common to all patients, and each stop carries a factor
on the tolerances of the segment it ends (:class:`~adqsp.engine.integrate.Relaxed`: looser far before an output).

The closed linear part of the model (the absorption depot and transit chain; see ``engine/linear.py``) is not
integrated by the method: its exact solution, a matrix exponential, is evaluated at the stage times and the method
integrates the other states with it as a known forcing (its time derivative enters through the Rosenbrock time
term). Measured on the dupilumab model (200 patients, 52 weeks, label regimen, against a scipy BDF solution at 1e-8,
first step 1e-3 day): 373 steps per patient at the default rtol 5e-4 instead of 632 when the chain was integrated by
the method (its error control set the step size for a day after each dose), EASI within 1.1e-3 points (1.8e-3
before), serum within 3.6e-4 relative per patient (3.5e-5 before: the small steps also over-resolved the
absorption); 2000 patients in 4.0-4.2 s instead of 6.5-6.8 s (each step costs more: an exponential of the 4 x 4
chain matrix by scaling and squaring; its Taylor polynomial by Paterson-Stockmeyer took 9.5-12% off the run time
with results equal to 3e-12). A state the exact part feeds linearly (the central compartment) is
integrated less the amount fed since the step began (``engine/linear.py``): serum within 3.3e-4 relative at every
time in the 18 weeks after the first dose (60 patients, against scipy BDF at 1e-10) instead of 2e-3 six hours
and 1.7e-3 a day after a dose, 301 instead of 309 steps per patient over 52 weeks, the same run time within the
machine's noise (1000 patients, 30 interleaved runs). The exact Jacobian replaced a coloured finite difference (12
more right-hand sides per step): 1.8x faster, errors no larger, for about 5 s more numba compilation per model on an
empty cache.
Reusing the Jacobian over several steps (a W-approximation) roughly halved right-hand-side calls but the embedded
estimate stopped seeing the error (serum off by 4%), and the L-stable RODAS3 tableau took more steps than this one;
neither is used. The LU factorisation of the method's matrix is generated for the Jacobian's sparsity pattern
(``engine/sparse_lu.py``; partial pivoting only where the static order meets a small pivot): on the dupilumab model
(19 integrated states) the dense pivoted LU had been most of a step's cost; 2000 patients x 52 weeks took 3.8-4.5 s
with it and 1.40-1.47 s with the generated one, with the same steps and results. Where the chain feeds forward (a
lower-triangular matrix), the exponential's products skip the zero upper triangle. The part's states at the stage
times are ``Q = exp(M h / 5)`` applied three and five times to the state vector, not the matrix powers ``Q^3`` and
``Q^5`` formed and applied, and the generated LU keeps its pivots' reciprocals, so the four triangular solves of a
step multiply instead of divide: together 17-26% less run time (1000 patients x 52 weeks, one thread, 20
interleaved runs), states within 3e-12 relative of before. Where the model has an exact part, the step size is
kept on a grid (the controller's step rounded to the nearest 2^(k/8) day) and each patient keeps the exponential
of each grid step it has used, so it is computed again only for steps cut to reach a stop and for new grid steps:
52 weeks of the label regimen, 20-24% less run time (1000 patients, one thread, 10 interleaved runs) when steps were
rounded down (270 steps per patient instead of 259); rounded to the nearest, 258.6 steps, with EASI within 2.0e-3
points and serum within 4.6e-4 relative of scipy BDF (200 patients, as before the grid).

A step's last stage sits at the step's end; where that is a stop, the rates are evaluated just before it (the float
below), so a switch in time at a stop acts only after it, as it does in the model: the trial effect starts at day
0, where the screening burn-in ends. Evaluated at day 0 itself, the burn-in's last steps met the switch: about five
rejected attempts and five short steps per candidate near day 0, and states up to 1.5% off a 1e-8 solution (200
candidates); seen from before, 74.2 + 10.1 attempts instead of 78.8 + 14.6, states within 4.2e-3. The scipy
reference path does the same.

The indices of the exactly integrated and the other states are constants of the generated module rather than
arguments, so the solver's loops over them compile with known bounds and indices: 1000 patients x 52 weeks, one
thread, two series of 12 and 16 interleaved runs, min 0.536 -> 0.508 s and 0.530 -> 0.478 s (medians 0.83 -> 0.71
and 0.92 -> 0.80 s at a noisy moment), bitwise the same results.

Helpers on every step's path are inlined into the solver; those on rare paths (partial pivoting, the per-patient
feed gain) are not: with everything inlined, numba took 88 s instead of 62 s to compile the dupilumab model on an
empty cache (measured at the same moment) for a run time 2% shorter.

The generated module (constants, right-hand side, Jacobian, LU, solver) is written once per model to a cache folder so
numba can cache the machine code between runs.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from types import ModuleType

import numpy as np

from adqsp.engine.constants import Constants, split_constants
from adqsp.engine.integrate import Relaxed, Tolerances, Trajectory, relaxed_stops
from adqsp.engine.linear import exact_states, fed_states, feed_lines, linear_system_lines
from adqsp.engine.sparse_lu import sparse_lu_lines
from adqsp.files import write_atomic
from adqsp.model.codegen import CompiledModel
from adqsp.model.declaration import Assignment, Model
from adqsp.model.derivatives import derivative
from adqsp.model.expressions import names_in, to_scalar

DEFAULT_TOLERANCES = Tolerances(rtol=5e-4, atol=5e-4)
#: first step (day) at the start and after a patient's first dose of a run (a dose event of 0 mg, e.g. a weight
#: band the patient is not in, is none). That dose may land in a system holding no drug, where, with the
#: concentration near the elimination's Michaelis constant, the error estimate misses a too-long first step (60
#: patients against scipy BDF at 1e-10, 6 hours after it: serum 2.1e-2 off with 0.1, 3.9e-4 with 0.03)
FIRST_STEP = 0.03
#: longest first step (day) after a later dose. Later doses enter the exactly integrated chain and the fed central
#: compartment sees a smooth input, so they need no restart (52 weeks of the label regimen: 257 accepted steps per
#: patient against 303 when every dose restarted); but the step the error control carried into a dose, days long,
#: was rejected about twice at each one (49 rejected attempts per patient). Capped at 0.5 day: 259 accepted and 3
#: rejected (0.25: 260 and 0.6; 1.0: 258 and 45), 11% less run time, serum and EASI as close to scipy BDF as before
LATER_DOSE_STEP = 0.5
#: largest multiplier accepted from the generated LU's static pivot order (threshold pivoting with u = 0.1);
#: a larger one, or a zero pivot, and that step's matrix is factorised with partial pivoting instead
MULTIPLIER_LIMIT = 10.0
#: pseudo-transient continuation to a steady state: first implicit Euler step (day), convergence (largest relative
#: rate of change, 1/day: under 3e-6 relative drift over 3000 days) and iteration limit
STEADY_FIRST_STEP = 1.0
STEADY_RATE_LIMIT = 1e-9
STEADY_MAX_ITER = 100
STATUS = {0: "ok", 1: "too many steps", 2: "step size too small", 3: "non-finite state"}

_SOLVER = """
# Shampine (ACM TOMS 1982;8:93) parameter set of the Kaps-Rentrop 4th-order Rosenbrock method
GAM, A21, A31, A32, A2X, A3X = 0.5, 2.0, 48.0 / 25.0, 6.0 / 25.0, 1.0, 3.0 / 5.0
C21, C31, C32 = -8.0, 372.0 / 25.0, 12.0 / 5.0
C41, C42, C43 = -112.0 / 125.0, -54.0 / 125.0, -2.0 / 5.0
B1, B2, B3, B4 = 19.0 / 9.0, 0.5, 25.0 / 108.0, 125.0 / 108.0
E1, E2, E3, E4 = 17.0 / 54.0, 7.0 / 36.0, 0.0, 125.0 / 108.0
C1X, C2X, C3X, C4X = 0.5, -1.5, 121.0 / 50.0, 29.0 / 250.0
# steps on a grid of STEP_GRID per doubling (day); a patient's table of the chain's exponential has GRID_SLOTS of them
STEP_GRID, GRID_SLOTS = 8.0, 192
_INV_FACTORIAL = np.array([1.0 / _m.factorial(k) for k in range(13)])

@_nb.njit(cache=True)
def _lu(a, piv):
    n = a.shape[0]
    for k in range(n):
        p = k
        big = abs(a[k, k])
        for i in range(k + 1, n):
            if abs(a[i, k]) > big:
                big = abs(a[i, k])
                p = i
        piv[k] = p
        if p != k:
            for j in range(n):
                tmp = a[k, j]
                a[k, j] = a[p, j]
                a[p, j] = tmp
        if a[k, k] == 0.0:
            a[k, k] = 1e-300
        for i in range(k + 1, n):
            a[i, k] /= a[k, k]
            f = a[i, k]
            if f != 0.0:
                for j in range(k + 1, n):
                    a[i, j] -= f * a[k, j]


@_nb.njit(cache=True)
def _lu_solve(a, piv, b):
    n = a.shape[0]
    for k in range(n):
        p = piv[k]
        if p != k:
            tmp = b[k]
            b[k] = b[p]
            b[p] = tmp
    for i in range(n):
        s = b[i]
        for j in range(i):
            s -= a[i, j] * b[j]
        b[i] = s
    for i in range(n - 1, -1, -1):
        s = b[i]
        for j in range(i + 1, n):
            s -= a[i, j] * b[j]
        b[i] = s / a[i, i]


@_nb.njit(cache=True)
def _assemble(w, dfdy, other, diagonal):
    # W = diagonal * I - J over the integrated states
    n = other.shape[0]
    for a in range(n):
        for b in range(n):
            w[a, b] = -dfdy[other[a], other[b]]
        w[a, a] += diagonal


@_nb.njit(cache=True, inline="always")
def _factor(w, piv, dfdy, other, diagonal, multiplier_limit):
    # LU of W = diagonal I - J in w: the generated static order, or, where it meets a small pivot, partial
    # pivoting on a fresh copy (returns whether it pivoted: then solve with piv)
    w_assemble(w, dfdy, diagonal)
    if w_factor(w, multiplier_limit):
        return False
    _assemble(w, dfdy, other, diagonal)
    _lu(w, piv)
    return True


@_nb.njit(cache=True, inline="always")
def _w_solve(w, piv, pivoted, b):
    if pivoted:
        _lu_solve(w, piv, b)
    else:
        w_solve(w, b)


@_nb.njit(cache=True, inline="always")
def _matmul(a, b, out, lower):
    # out = a b; lower: both lower triangular (so is the product: a third of the work for 4 x 4)
    n = a.shape[0]
    for r in range(n):
        for j in range(n):
            s = 0.0
            if not lower:
                for q in range(n):
                    s += a[r, q] * b[q, j]
            elif j <= r:
                for q in range(j, r + 1):
                    s += a[r, q] * b[q, j]
            out[r, j] = s


@_nb.njit(cache=True, inline="always")
def _expm(M, tau, E, X, T, lower):
    # E = exp(M tau) for a small matrix: the degree-12 Taylor polynomial of M tau / 2^s, with s such that the
    # scaled 1-norm is <= 0.5 (truncation error below 1e-13), by Paterson-Stockmeyer (Paterson & Stockmeyer, SIAM
    # J Comput 1973;2:60: powers 2-4, then Horner in the 4th power: 5 products instead of 12), squared s times.
    # X holds 4 work matrices: X[0] = A = M tau / 2^s, X[1] = A^2, X[2] = A^3, X[3] = A^4.
    n = M.shape[0]
    norm = 0.0
    for j in range(n):
        col = 0.0
        for r in range(n):
            col += abs(M[r, j])
        norm = max(norm, col)
    norm *= abs(tau)
    if not _m.isfinite(norm):  # a non-finite parameter: a non-finite result, which the step control rejects
        for r in range(n):
            for j in range(n):
                E[r, j] = _m.nan
        return
    squarings = 0
    while norm > 0.5:
        norm *= 0.5
        squarings += 1
    scale = tau / 2.0 ** squarings
    for r in range(n):
        for j in range(n):
            X[0, r, j] = M[r, j] * scale
    _matmul(X[0], X[0], X[1], lower)
    _matmul(X[1], X[0], X[2], lower)
    _matmul(X[1], X[1], X[3], lower)
    for block in range(2, -1, -1):  # coefficients 1/k! of A^0..A^3 in block b are k = 4b..4b+3 (and A^4 / 12!)
        k = 4 * block
        c0, c1, c2, c3 = _INV_FACTORIAL[k], _INV_FACTORIAL[k + 1], _INV_FACTORIAL[k + 2], _INV_FACTORIAL[k + 3]
        if block == 2:
            for r in range(n):
                for j in range(n):
                    E[r, j] = c1 * X[0, r, j] + c2 * X[1, r, j] + c3 * X[2, r, j] + _INV_FACTORIAL[12] * X[3, r, j]
        else:
            _matmul(E, X[3], T, lower)
            for r in range(n):
                for j in range(n):
                    E[r, j] = T[r, j] + c1 * X[0, r, j] + c2 * X[1, r, j] + c3 * X[2, r, j]
        for r in range(n):
            E[r, r] += c0
    for _ in range(squarings):
        _matmul(E, E, T, lower)
        for r in range(n):
            for j in range(n):
                E[r, j] = T[r, j]


@_nb.njit(cache=True, inline="always")
def _on_grid(h):
    # the grid step 2^(k / STEP_GRID) day (k an integer) nearest to h (on the log scale)
    return 2.0 ** (_m.floor(STEP_GRID * _m.log2(h) + 0.5) / STEP_GRID)


@_nb.njit(cache=True, inline="always")
def _grid_slot(h):
    # the table slot of a step on the grid, or -1 (a step cut to reach a stop, a capped one, or out of range)
    k = round(STEP_GRID * _m.log2(h)) if 0.0 < h < _m.inf else 1 << 30
    slot = k + GRID_SLOTS // 2
    if 0 <= slot < GRID_SLOTS and 2.0 ** (k / STEP_GRID) == h:
        return slot
    return -1


@_nb.njit(cache=True, inline="always")
def _chain(Q, y, exact, at3, at5, v, u, lower):
    # the exact part at 3 and 5 fifths of the step: Q = exp(M h / 5) applied 3 and 5 times to [y_S; 1] (fewer
    # operations than forming Q^3 and Q^5)
    n = Q.shape[0]
    m = exact.shape[0]
    for a in range(n):
        v[a] = y[exact[a]] if a < m else 1.0
    for j in range(5):
        for a in range(n):
            s = 0.0
            for b in range(a + 1 if lower else n):
                s += Q[a, b] * v[b]
            u[a] = s
        for a in range(n):
            v[a] = u[a]
        if j == 2:
            for a in range(m):
                at3[a] = v[a]
    for a in range(m):
        at5[a] = v[a]


@_nb.njit(cache=True, inline="always")
def _place(dst, values, exact):
    for a in range(exact.shape[0]):
        dst[exact[a]] = values[a]


@_nb.njit(cache=True)
def _feed_gain(A, m, B, K):
    # K = B A^-1 for the exact part's matrix A = M[:m, :m] (K A = B, so A^T K^T = B^T); False where A is
    # (nearly) singular: then the fed states are integrated without the split
    At = np.empty((m, m))
    big = 0.0
    for r in range(m):
        for j in range(m):
            At[r, j] = A[j, r]
            big = max(big, abs(A[j, r]))
    piv = np.empty(m, dtype=np.int64)
    _lu(At, piv)
    for r in range(m):
        if not abs(At[r, r]) > 1e-12 * big:
            return False
    b = np.empty(m)
    for k in range(B.shape[0]):
        for j in range(m):
            b[j] = B[k, j]
        _lu_solve(At, piv, b)
        for j in range(m):
            K[k, j] = b[j]
    return True


@_nb.njit(cache=True, inline="always")
def _feed(dst, y, K, kc, tau, exact, fed):
    # fed states at a stage tau into the step: u + X, X = K (y_S(tau) - y_S(0)) - K c tau (dst holds y_S(tau))
    for k in range(fed.shape[0]):
        x = -kc[k] * tau
        for j in range(exact.shape[0]):
            x += K[k, j] * (dst[exact[j]] - y[exact[j]])
        dst[fed[k]] += x


@_nb.njit(cache=True, inline="always")
def _unfeed(f, ys, B, exact, fed):
    # the rates of the integrated variables u = y_r - X: the fed state's rate less its input b . y_S
    for k in range(fed.shape[0]):
        for j in range(exact.shape[0]):
            f[fed[k]] -= B[k, j] * ys[exact[j]]


@_nb.njit(cache=True, parallel=True)
def solve(P, Y0, stops, tol_factor, out_index, dose_index, doses, dose_row, f_row, rtol, atol, max_steps, h0, h_later,
          out, status, n_steps, n_rejected, fed, multiplier_limit):
    # exact: indices of the states integrated exactly (see engine/linear.py); other: the rest, which the
    # Rosenbrock method integrates with y_S(t) as a known forcing (its time derivative enters through ft); fed: the
    # other states the exact part feeds linearly, integrated as u = y - X (see engine/linear.py; FED, or none to
    # integrate them as the others)
    exact, other = EXACT, OTHER
    n_pat, n_s = Y0.shape
    m = exact.shape[0]
    n_o = other.shape[0]
    n_f = fed.shape[0]
    for i in _nb.prange(n_pat):
        p = P[i]
        c = np.empty(N_CONSTANTS)
        consts(p, c)
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
            lin(p, A)
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
            feed(p, B)
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
                jac(t, y, p, c, f0, dfdy, ft)
                for a in range(n_o):  # d/dt of the forcing: (d rates / d y_S) (d y_S / dt)
                    r = other[a]
                    for b in range(m):
                        ft[r] += dfdy[r, exact[b]] * f0[exact[b]]
                for q in range(n_f):  # u = y - X: the input leaves u's rate, and X(t) forces every rate of y_r
                    fed_in[q] = 0.0
                    for j in range(m):
                        fed_in[q] += B[q, j] * y[exact[j]]
                        ft[fed[q]] -= B[q, j] * f0[exact[j]]
                    for a in range(n_o):
                        ft[other[a]] += dfdy[other[a], fed[q]] * fed_in[q]
                for q in range(n_f):
                    f0[fed[q]] -= fed_in[q]
                while True:
                    pivoted = _factor(w, piv, dfdy, other, 1.0 / (GAM * h), multiplier_limit)
                    if m > 0:  # stage times 3h/5 and h (stage 2 sits at the step's end: at5 is the new y_S)
                        slot = _grid_slot(h)
                        E = Q if slot < 0 else table[slot]
                        if slot < 0 or not in_table[slot]:  # one inlined exponential: less code to compile
                            _expm(M, 0.2 * h, E, X, T, lower)
                            if slot >= 0:
                                in_table[slot] = True
                        _chain(E, y, exact, at3, at5, v, u, lower)
                    for a in range(n_o):
                        r = other[a]
                        g1[a] = f0[r] + h * C1X * ft[r]
                    _w_solve(w, piv, pivoted, g1)
                    for a in range(n_o):
                        tmp[other[a]] = y[other[a]] + A21 * g1[a]
                    _place(tmp, at5, exact)
                    _feed(tmp, y, K, kc, A2X * h, exact, fed)
                    rhs(min(t + A2X * h, before), tmp, p, c, f1)
                    _unfeed(f1, tmp, B, exact, fed)
                    for a in range(n_o):
                        r = other[a]
                        g2[a] = f1[r] + h * C2X * ft[r] + C21 * g1[a] / h
                    _w_solve(w, piv, pivoted, g2)
                    for a in range(n_o):
                        tmp[other[a]] = y[other[a]] + A31 * g1[a] + A32 * g2[a]
                    _place(tmp, at3, exact)
                    _feed(tmp, y, K, kc, A3X * h, exact, fed)
                    rhs(t + A3X * h, tmp, p, c, f2)
                    _unfeed(f2, tmp, B, exact, fed)
                    for a in range(n_o):
                        r = other[a]
                        g3[a] = f2[r] + h * C3X * ft[r] + (C31 * g1[a] + C32 * g2[a]) / h
                    _w_solve(w, piv, pivoted, g3)
                    for a in range(n_o):
                        r = other[a]
                        g4[a] = f2[r] + h * C4X * ft[r] + (C41 * g1[a] + C42 * g2[a] + C43 * g3[a]) / h
                    _w_solve(w, piv, pivoted, g4)
                    for a in range(n_o):
                        ynew[other[a]] = y[other[a]] + B1 * g1[a] + B2 * g2[a] + B3 * g3[a] + B4 * g4[a]
                    _place(ynew, at5, exact)
                    _feed(ynew, y, K, kc, h, exact, fed)
                    err = 0.0
                    finite = True
                    for a in range(n_o):
                        r = other[a]
                        if not _m.isfinite(ynew[r]):
                            finite = False
                        scale = (atol[r] + rtol * max(abs(y[r]), abs(ynew[r]))) * relax
                        e = (E1 * g1[a] + E2 * g2[a] + E3 * g3[a] + E4 * g4[a]) / scale
                        err += e * e
                    err = _m.sqrt(err / max(n_o, 1))
                    if not finite:
                        err = 1e10
                    if err <= 1.0:
                        t = t + h
                        for r in range(n_s):
                            y[r] = ynew[r]
                        h = h * min(4.0, 0.9 * err ** -0.25) if err > 0 else 4.0 * h
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
            if dose_index[k] >= 0 and doses[dose_index[k], i] != 0.0:
                y[dose_row] += doses[dose_index[k], i] * p[f_row]
                h = min(h, h_later if dosed else h0)
                dosed = True
        for r in range(n_s):
            if not _m.isfinite(y[r]):
                code = 3
        status[i] = code
        n_steps[i] = steps
        n_rejected[i] = rejected


@_nb.njit(cache=True)
def _rate_norm(f, y, atol, other):
    # the largest relative rate of change (1/day) of the integrated states
    norm = 0.0
    for a in range(other.shape[0]):
        r = other[a]
        norm = max(norm, abs(f[r]) / (abs(y[r]) + atol[r]))
    return norm


@_nb.njit(cache=True, parallel=True)
def steady(P, Y0, t, atol, dt0, rate_limit, max_iter, out, status, n_iter, multiplier_limit):
    # pseudo-transient continuation (Kelley & Keyes, SIAM J Numer Anal 1998;35:508): implicit Euler steps
    # y += (I / dt - J)^-1 f, dt grown by switched evolution relaxation (dt *= old / new rate norm) until the
    # steps are Newton's; a step that raises the rate norm tenfold, takes a state below -atol or is not finite is
    # retried with dt / 4 (the amounts stay non-negative, as they do along the dynamics).
    # status 0: every relative rate below rate_limit (1/day); 1: not within max_iter iterations
    other = OTHER
    n_pat, n_s = Y0.shape
    n_o = other.shape[0]
    for i in _nb.prange(n_pat):
        p = P[i]
        c = np.empty(N_CONSTANTS)
        consts(p, c)
        y = Y0[i].copy()
        trial = Y0[i].copy()
        f = np.empty(n_s)
        ft = np.empty(n_s)
        dfdy = np.zeros((n_s, n_s))
        w = np.empty((n_o, n_o))
        piv = np.empty(n_o, dtype=np.int64)
        d = np.empty(n_o)
        jac(t, y, p, c, f, dfdy, ft)
        norm = _rate_norm(f, y, atol, other)
        dt = dt0
        code = 1
        it = 0
        while it < max_iter:
            if norm <= rate_limit:
                code = 0
                break
            it += 1
            pivoted = _factor(w, piv, dfdy, other, 1.0 / dt, multiplier_limit)
            for a in range(n_o):
                d[a] = f[other[a]]
            _w_solve(w, piv, pivoted, d)
            negative = False
            for a in range(n_o):
                r = other[a]
                trial[r] = y[r] + d[a]
                if trial[r] < -atol[r] and y[r] >= -atol[r]:
                    negative = True
            new = _m.inf
            if not negative:
                jac(t, trial, p, c, f, dfdy, ft)
                new = _rate_norm(f, trial, atol, other)
            if not _m.isfinite(new) or new > 10.0 * norm:
                dt *= 0.25
                if not negative:
                    jac(t, y, p, c, f, dfdy, ft)
                continue
            for a in range(n_o):
                y[other[a]] = trial[other[a]]
            dt *= min(10.0, norm / max(new, 1e-300))
            norm = new
        for r in range(n_s):
            out[i, r] = y[r]
        status[i] = code
        n_iter[i] = it
"""


@dataclass(frozen=True)
class FastModel:
    """A model compiled to machine code: ``solve`` integrates a population (see :func:`integrate_fast`);
    ``steady`` finds steady states (see :func:`steady_state_fast`); ``jac(t, y, p, f, J, ft)`` gives the rates,
    their exact Jacobian and time derivative (``J`` zeroed beforehand). ``other``: the indices of the states the
    method integrates (the rest are integrated exactly); ``fed``: those integrated less the amount the exact part fed
    them (``solve`` takes them as an argument: empty integrates them as the others).
    """

    compiled: CompiledModel
    solve: object
    steady: object
    jac: object
    other: np.ndarray
    fed: np.ndarray


#: ``x ** n`` with a parameter exponent: the exponents 1, 0 and 2 (a Hill coefficient of 1 and its derivative's 0)
#: as a copy, a constant or a product instead of libm's pow, which had 9% of a 52-week arm's perf samples
_POW = """
@_nb.njit(cache=True, inline="always")
def _pow(x, n):
    if n == 1.0:
        return x
    if n == 0.0:
        return 1.0
    if n == 2.0:
        return x * x
    return x ** n
"""


def generated_source(model: Model) -> str:
    """Numba source of the patient's constants, the scalar right-hand side, its exact Jacobian, the matrix of the
    exactly integrated part and the solver for this model."""
    split, hoisted = split_constants(model)
    jacobian_body, pattern = _jacobian(split, hoisted)  # may hoist more constants: before they are listed
    constants = hoisted.assignments
    jacobian = _jacobian_head(split, constants) + jacobian_body
    header = ["import math as _m", "import numpy as np", "import numba as _nb", "", f"N_CONSTANTS = {len(constants)}"]
    header.append(_POW)
    exact = exact_states(model)
    fed = fed_states(model, exact)
    other = [i for i, s in enumerate(model.state_names) if s not in exact]
    header += [  # state indices as module constants: the solver's loops over them compile with known bounds
        f"EXACT = np.array({[model.state_names.index(s) for s in exact]}, dtype=np.int64)",
        f"OTHER = np.array({other}, dtype=np.int64)",
        f"FED = np.array({[model.state_names.index(s) for s in fed]}, dtype=np.int64)",
    ]
    parts = [
        _constant_lines(model, constants),
        _rhs_lines(split, constants),
        jacobian,
        _jacobian_at_lines(),
        linear_system_lines(model, exact),
        sparse_lu_lines(pattern[np.ix_(other, other)], other),
        feed_lines(model, exact, fed),
    ]
    return "\n".join(header + [line for part in parts for line in [*part, ""]]) + "\n" + _SOLVER


def _constant_lines(model: Model, constants: tuple[Assignment, ...]) -> list[str]:
    """``consts(_p, _c)``: the patient's constants (see ``engine/constants.py``) into ``_c``."""
    lines = ["@_nb.njit(cache=True, inline='never', error_model='numpy')", "def consts(_p, _c):"]
    lines += [f"    {name} = _p[{i}]" for i, name in enumerate(model.parameter_names)]
    lines += [f"    {a.name} = {to_scalar(a.expression)}" for a in constants]
    return lines + [f"    _c[{k}] = {a.name}" for k, a in enumerate(constants)] + ["    return"]


def _unpack_lines(split: Model, constants: tuple[Assignment, ...]) -> list[str]:
    """Parameters, constants and states as local names, then the varying assignments the rates need."""
    lines = [f"    {name} = _p[{i}]" for i, name in enumerate(split.parameter_names)]
    lines += [f"    {a.name} = _c[{k}]" for k, a in enumerate(constants)]
    lines += [f"    {name} = _y[{i}]" for i, name in enumerate(split.state_names)]
    return lines + [f"    {a.name} = {to_scalar(a.expression)}" for a in split.assignments]


def _rhs_lines(split: Model, constants: tuple[Assignment, ...]) -> list[str]:
    """``rhs(t, _y, _p, _c, _out)``: the rates into ``_out`` (``_c``: the patient's constants)."""
    lines = [
        "@_nb.njit(cache=True, inline='never', fastmath=False, error_model='numpy')",
        "def rhs(t, _y, _p, _c, _out):",
    ]
    return lines + _unpack_lines(split, constants) + _rate_lines(split)


def _jacobian_at_lines() -> list[str]:
    """``jacobian(t, _y, _p, _out, _J, _ft)``: ``jac`` with the constants computed first (for single calls)."""
    return [
        "@_nb.njit(cache=True)",
        "def jacobian(t, _y, _p, _out, _J, _ft):",
        "    _c = np.empty(N_CONSTANTS)",
        "    consts(_p, _c)",
        "    jac(t, _y, _p, _c, _out, _J, _ft)",
    ]


def _rate_lines(model: Model) -> list[str]:
    """The rates into ``_out``, from the unpacked names and assignments."""
    return [f"    _out[{i}] = {to_scalar(model.rates[s])}" for i, s in enumerate(model.state_names)]


def _jacobian_head(split: Model, constants: tuple[Assignment, ...]) -> list[str]:
    """The signature of ``jac`` (see :func:`_jacobian`) and its unpacking of names."""
    lines = [
        "@_nb.njit(cache=True, inline='never', fastmath=False, error_model='numpy')",
        "def jac(t, _y, _p, _c, _out, _J, _ft):",
    ]
    return lines + _unpack_lines(split, constants)


def _jacobian(split: Model, constants: Constants) -> tuple[list[str], np.ndarray]:
    """The body of ``jac(t, _y, _p, _c, _out, _J, _ft)`` after its unpacking (:func:`_jacobian_head`): the rates
    into ``_out`` (as ``rhs``, sharing one pass over the assignments), d rates / d states into ``_J`` (structural
    nonzeros only: the caller zero-fills it once) and d rates / dt into ``_ft``, by the chain rule forward through
    the assignments. The partials' constant subexpressions join ``constants``.

    ``_d_<a>__<j>`` is the derivative of assignment ``a`` with respect to state index ``j`` (or time ``t``);
    ``_g_<a>__<k>`` the partial of ``a`` with respect to its k-th operand that varies. Division by zero gives
    inf/nan (numpy error model), which the solver's step control rejects, rather than an exception.
    Also returns the structural pattern of the Jacobian (boolean, states x states).
    """
    key = {s: str(i) for i, s in enumerate(split.state_names)} | {"t": "t"}
    varies: dict[str, set[str]] = {s: {s} for s in key}
    lines: list[str] = []
    pattern = np.zeros((len(key) - 1, len(key) - 1), dtype=bool)
    for a in split.assignments:
        partials, totals = _chain_rule(a.name, a.expression, varies, key, constants, value=a.name)
        lines += partials + [f"    _d_{a.name}__{key[v]} = {total}" for v, total in totals.items()]
        varies[a.name] = set(totals)
    for i, s in enumerate(split.state_names):
        partials, totals = _chain_rule(s, split.rates[s], varies, key, constants)
        lines += partials + [f"    _J[{i}, {key[v]}] = {total}" for v, total in totals.items() if v != "t"]
        lines.append(f"    _ft[{i}] = {totals.get('t', '0.0')}")
        pattern[i, [int(key[v]) for v in totals if v != "t"]] = True
    return lines + _rate_lines(split), pattern


def _chain_rule(
    target: str,
    expression: str,
    varies: dict[str, set[str]],
    key: dict[str, str],
    constants: Constants,
    value: str | None = None,
) -> tuple[list[str], dict[str, str]]:
    """Lines computing the partials of ``expression`` with respect to its operands that vary, and, for each
    state or ``t`` it depends on, its total derivative as scalar source (a sum of partial x operand derivative).

    ``value``: the local name already holding the expression's value (an assignment's), reused in the partials.
    """
    partials: dict[str, str] = {}  # scalar source -> local name (equal partials are computed once)
    terms: dict[str, list[str]] = {}
    for operand in sorted(n for n in names_in(expression) if varies.get(n)):
        partial = constants.rewrite(derivative(expression, operand, value))
        if partial == "0.0":
            continue
        name = partials.setdefault(to_scalar(partial), f"_g_{target}__{len(partials)}")
        for v in varies[operand]:
            terms.setdefault(v, []).append(name if v == operand else f"{name} * _d_{operand}__{key[v]}")
    order = [*key]
    lines = [f"    {name} = {source}" for source, name in partials.items()]
    return lines, {v: " + ".join(terms[v]) for v in sorted(terms, key=order.index)}


def cache_dir() -> Path:
    root = os.environ.get("ADQSP_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "adqsp")
    path = Path(root) / "numba"
    path.mkdir(parents=True, exist_ok=True)
    return path


def source_digest(source: str) -> str:
    """Names the generated module: file ``model_<digest>.py`` in the cache folder (numba's cache files for it
    start with that stem), imported as ``adqsp_generated_<digest>`` (numba's cache records that name)."""
    return hashlib.sha256(source.encode()).hexdigest()[:20]


@lru_cache(maxsize=16)
def _load(source: str) -> ModuleType:
    """Import the generated module (written to the cache folder once, so numba can cache its machine code)."""
    digest = source_digest(source)
    path = cache_dir() / f"model_{digest}.py"
    if not path.exists() or path.read_text() != source:
        write_atomic(path, lambda tmp: tmp.write_text(source))
    spec = importlib.util.spec_from_file_location(f"adqsp_generated_{digest}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # numba's cache re-imports the module by name
    spec.loader.exec_module(module)
    return module


@cache
def code_digest() -> str:
    """Digest of this package's Python code: a generated source kept on disk is valid for this code only."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parents[1].rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


_SOLVER_SOURCES: dict[str, str] = {}


def solver_source(compiled: CompiledModel) -> str:
    """:func:`generated_source` of a compiled model, generated once per process (keyed by its numpy source) and kept
    in the cache folder for later processes (keyed by the numpy source and :func:`code_digest`; generating the two
    models of a trial takes about 0.4 s, reading them a millisecond)."""
    if compiled.source not in _SOLVER_SOURCES:
        path = cache_dir() / f"source_{source_digest(code_digest() + compiled.source)}.py"
        if path.exists():
            source = path.read_text()
        else:
            source = generated_source(compiled.model)
            write_atomic(path, lambda tmp: tmp.write_text(source))
        _SOLVER_SOURCES[compiled.source] = source
    return _SOLVER_SOURCES[compiled.source]


def fast_model(compiled: CompiledModel) -> FastModel:
    module = _load(solver_source(compiled))
    return FastModel(compiled, module.solve, module.steady, module.jacobian, module.OTHER, module.FED)


def integrate_fast(
    fast: FastModel,
    P: np.ndarray,
    y0: np.ndarray,
    times: np.ndarray,
    dose_times: np.ndarray | None = None,
    dose_amounts: np.ndarray | None = None,
    tol: Tolerances = DEFAULT_TOLERANCES,
    max_steps: int = 200_000,
    h0: float = FIRST_STEP,
    h_later: float = LATER_DOSE_STEP,
    multiplier_limit: float = MULTIPLIER_LIMIT,
    relaxed: Relaxed | None = None,
) -> Trajectory:
    """Same contract as :func:`adqsp.engine.integrate.integrate`, compiled and per-patient adaptive
    (a negative ``multiplier_limit`` makes every step whose factorisation has a multiplier pivot: for tests)."""
    model = fast.compiled.model
    times = np.asarray(times, float)
    dose_times = np.zeros(0) if dose_times is None else np.asarray(dose_times, float)
    keep = (dose_times >= times[0]) & (dose_times < times[-1])
    stops, tol_factor = relaxed_stops(np.unique(np.concatenate([times, dose_times[keep]])), times, relaxed)
    out_index = np.full(len(stops), -1, dtype=np.int64)
    out_index[np.searchsorted(stops, times)] = np.arange(len(times))
    dose_index = np.full(len(stops), -1, dtype=np.int64)
    for k in np.flatnonzero(keep):
        dose_index[np.searchsorted(stops, dose_times[k])] = k
    doses = (
        np.zeros((max(len(dose_times), 1), P.shape[1]))
        if dose_amounts is None
        else np.ascontiguousarray(dose_amounts, dtype=float)
    )
    target = model.dose_target
    dose_row = model.state_names.index(target.state) if target else 0
    f_row = model.parameter_names.index(target.bioavailability) if target else 0
    n = P.shape[1]
    out = np.full((n, len(times), len(model.states)), np.nan)
    status = np.zeros(n, dtype=np.int64)
    steps = np.zeros(n, dtype=np.int64)
    rejected = np.zeros(n, dtype=np.int64)
    fast.solve(
        np.ascontiguousarray(P.T),
        np.ascontiguousarray(y0.T, dtype=float),
        stops,
        tol_factor,
        out_index,
        dose_index,
        doses,
        dose_row,
        f_row,
        tol.rtol,
        tol.absolute(fast.compiled),
        max_steps,
        h0,
        h_later,
        out,
        status,
        steps,
        rejected,
        fast.fed,
        multiplier_limit,
    )
    return Trajectory(
        times=times,
        states=np.transpose(out, (1, 2, 0)),
        ok=status == 0,
        message=tuple(STATUS[int(s)] for s in status),
        steps=steps,
        rejected=rejected,
    )


def steady_state_fast(
    fast: FastModel,
    P: np.ndarray,
    y0: np.ndarray,
    t: float,
    rate_limit: float = STEADY_RATE_LIMIT,
    max_iter: int = STEADY_MAX_ITER,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Steady states ``(n_states, n)`` of the model at time ``t`` reached from ``y0`` by pseudo-transient
    continuation, whether each converged (every state's relative rate below ``rate_limit`` per day, with the
    absolute floor of the default tolerances), and the iterations each took. The exactly integrated part is held
    at ``y0``: it has no steady state of its own to find in the drug-free model, where it is empty."""
    model = fast.compiled.model
    n = P.shape[1]
    out = np.empty((n, len(model.states)))
    status = np.zeros(n, dtype=np.int64)
    iterations = np.zeros(n, dtype=np.int64)
    fast.steady(
        np.ascontiguousarray(P.T),
        np.ascontiguousarray(y0.T, dtype=float),
        float(t),
        DEFAULT_TOLERANCES.absolute(fast.compiled),
        STEADY_FIRST_STEP,
        rate_limit,
        max_iter,
        out,
        status,
        iterations,
        MULTIPLIER_LIMIT,
    )
    return out.T, status == 0, iterations
