"""The solver on lanes: :data:`LANES` patients integrated side by side, the model's functions called once for all of
them (``<name>_lanes``, one vector operation for each scalar one: ``engine/emit.py``).

Each lane is one patient with its own time, step size, error control and place among the stops, and computes what
``kernels/rosenbrock.py``'s ``solve`` computes for that patient, operation for operation, so the results are the same
bit for bit: every round, each lane makes one attempt at its own step (a lane whose last attempt was rejected
retries with its smaller step; the rates and Jacobian it gets again at the same point are the same numbers), then
accepts or rejects it by its own error, and a lane that reaches a stop writes its outputs and takes its doses there.
A lane whose patient is done takes the next patient of the range, so the lanes stay busy until the range runs out.
What differs by patient (the constants, the exactly integrated part and its table of exponentials, a factorisation
that needs partial pivoting) is computed lane by lane with ``kernels/rosenbrock.py``'s helpers.
"""

import math as _m

import numba as _nb
import numpy as np

from adqsp.engine.kernels import LANES
from adqsp.engine.kernels.calls import (
    consts,
    feed,
    jac_lanes,
    lin,
    rhs_lanes,
    w_assemble_lanes,
    w_factor_lanes,
    w_solve_lanes,
)
from adqsp.engine.kernels.exact import GRID_SLOTS, _chain, _feed_gain, _grid_slot, _on_grid
from adqsp.engine.kernels.expm import _expm
from adqsp.engine.kernels.lu import _lu, _lu_solve
from adqsp.engine.kernels.rosenbrock import (
    A2X,
    A3X,
    A21,
    A31,
    A32,
    B1,
    B2,
    B3,
    B4,
    C1X,
    C2X,
    C3X,
    C4X,
    C21,
    C31,
    C32,
    C41,
    C42,
    C43,
    E1,
    E2,
    E3,
    E4,
    GAM,
)


@_nb.njit(cache=True, inline="always")
def _lanes_solve(fns, w, ws, piv, pivoted, b, column):
    """``b <- W^-1 b`` on every lane: the generated LU, and, on a lane whose factorisation pivoted, the dense one."""
    n = b.shape[0]
    for j in range(LANES):
        if pivoted[j]:
            for a in range(n):
                column[j, a] = b[a, j]
            _lu_solve(ws[j], piv[j], column[j])
    w_solve_lanes(fns, w, b)
    for j in range(LANES):
        if pivoted[j]:
            for a in range(n):
                b[a, j] = column[j, a]


@_nb.njit(cache=True, inline="always")
def _lanes_place_and_feed(dst, y, at, K, kc, fraction, h, m, fed):
    """Every lane: the exact part at ``fraction`` of its step into ``dst`` and the fed states' amount since the
    step began (``kernels/exact.py``'s ``_place`` and ``_feed``)."""
    for j in range(LANES):
        tau = fraction * h[j]
        for a in range(m):
            dst[a, j] = at[j, a]
        for q in range(fed.shape[0]):
            x = -kc[j, q] * tau
            for i in range(m):
                x += K[j, q, i] * (dst[i, j] - y[i, j])
            dst[fed[q], j] += x


@_nb.njit(cache=True, inline="always")
def _lanes_unfeed(f, ys, B, m, fed):
    """Every lane: the fed states' rates less their input (``kernels/exact.py``'s ``_unfeed``)."""
    for j in range(LANES):
        for q in range(fed.shape[0]):
            for i in range(m):
                f[fed[q], j] -= B[j, q, i] * ys[i, j]


@_nb.njit(cache=True)
def _lane_load(fns, P, Y0, i, j, m, fed, p, c, y, c_one, A, k_aug, lower, in_table, B, K, kc):
    """Patient ``i`` into lane ``j``: its parameters, constants and initial states, its exact part's matrix (and
    whether it has a constant input and is lower triangular) with an empty table of exponentials, its fed states'
    coefficients (``kernels/rosenbrock.py``'s setup of a patient)."""
    consts(fns, P[i], c_one)
    for q in range(c_one.shape[0]):
        c[q, j] = c_one[q]
    for q in range(P.shape[1]):
        p[q, j] = P[i, q]
    for r in range(Y0.shape[1]):
        y[r, j] = Y0[i, r]
    if m > 0:
        Aj = A[j]
        Aj[:, :] = 0.0
        lin(fns, P[i], Aj)
        k_aug[j] = m
        for r in range(m):
            if Aj[r, m] != 0.0:
                k_aug[j] = m + 1
        lower[j] = True
        for r in range(k_aug[j]):
            for q in range(r + 1, k_aug[j]):
                if Aj[r, q] != 0.0:
                    lower[j] = False
        in_table[j, :] = False
    n_f = fed.shape[0]
    if n_f > 0:
        B[j] = 0.0
        K[j] = 0.0
        kc[j] = 0.0
        feed(fns, P[i], B[j])
        if not _feed_gain(A[j], m, B[j], K[j]):
            B[j] = 0.0
        for q in range(n_f):
            for r in range(m):
                kc[j, q] += K[j, q, r] * A[j, r, m]


@_nb.njit(cache=True, _nrt=False)
def _lanes_exact(ready, A, k_aug, lower, h, Q, table, in_table, X, T, y, m, y_exact, at3, at5, v, u):
    """Each ready lane's exact part at 3 and 5 fifths of its step (``at3[j]``, ``at5[j]``), with its table of
    exponentials (``kernels/rosenbrock.py``). Compiled without reference counts (it allocates nothing): each view of a
    lane's matrices would otherwise cost two atomic operations, a tenth of the solver's time."""
    for j in range(LANES):
        if not ready[j]:
            continue
        ka = k_aug[j]
        slot = _grid_slot(h[j])
        E = Q[j, :ka, :ka] if slot < 0 else table[j, slot, :ka, :ka]
        if slot < 0 or not in_table[j, slot]:
            _expm(A[j, :ka, :ka], 0.2 * h[j], E, X[:, :ka, :ka], T[:ka, :ka], lower[j])
            if slot >= 0:
                in_table[j, slot] = True
        for r in range(m):
            y_exact[r] = y[r, j]
        _chain(E, y_exact, m, at3[j], at5[j], v[:ka], u[:ka], lower[j])


@_nb.njit(cache=True, nogil=True)
def solve_lanes(
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
    """``kernels/rosenbrock.py``'s ``solve``, its arguments and results, on :data:`LANES` lanes."""
    n_s = Y0.shape[1]
    n_p = P.shape[1]
    n_o = n_s - m
    n_f = fed.shape[0]
    n_k = stops.shape[0]
    ka_max = m + 1 if m > 0 else 0
    # the lanes' vectors, element by lane
    p = np.zeros((n_p, LANES))
    c = np.zeros((n_constants, LANES))
    y = np.zeros((n_s, LANES))
    ynew = np.zeros((n_s, LANES))
    f0 = np.zeros((n_s, LANES))
    f1 = np.zeros((n_s, LANES))
    f2 = np.zeros((n_s, LANES))
    ft = np.zeros((n_s, LANES))
    tmp = np.zeros((n_s, LANES))
    g1 = np.zeros((n_o, LANES))
    g2 = np.zeros((n_o, LANES))
    g3 = np.zeros((n_o, LANES))
    g4 = np.zeros((n_o, LANES))
    dfdy = np.zeros((n_s, n_s, LANES))  # jac writes the structural nonzeros only
    w = np.zeros((n_o, n_o, LANES))
    t_at = np.zeros(LANES)  # the time each lane's rates are evaluated at
    diagonal = np.ones(LANES)
    limit = np.full(LANES, multiplier_limit)
    # each lane's patient and where it is
    patient = np.full(LANES, -1, dtype=np.int64)
    ready = np.zeros(LANES, dtype=np.bool_)  # an attempt to make this round
    k = np.zeros(LANES, dtype=np.int64)
    t = np.zeros(LANES)
    h = np.ones(LANES)  # an idle lane's step is never zero (its numbers are divided by it)
    steps = np.zeros(LANES, dtype=np.int64)
    rejected = np.zeros(LANES, dtype=np.int64)
    code = np.zeros(LANES, dtype=np.int64)
    dosed = np.zeros(LANES, dtype=np.bool_)
    # a lane's own numbers: the exact part, the fed states, a pivoted factorisation
    A = np.zeros((LANES, ka_max, ka_max))
    k_aug = np.zeros(LANES, dtype=np.int64)
    lower = np.zeros(LANES, dtype=np.bool_)
    B = np.zeros((LANES, n_f, m))
    K = np.zeros((LANES, n_f, m))
    kc = np.zeros((LANES, n_f))
    fed_in = np.zeros((n_f, LANES))
    Q = np.zeros((LANES, ka_max, ka_max))
    table = np.zeros((LANES, GRID_SLOTS if m > 0 else 0, ka_max, ka_max))
    in_table = np.zeros((LANES, GRID_SLOTS), dtype=np.bool_)
    at3 = np.zeros((LANES, m))
    at5 = np.zeros((LANES, m))
    y_exact = np.zeros(m)
    v = np.zeros(ka_max)
    u = np.zeros(ka_max)
    X = np.zeros((4, ka_max, ka_max))
    T = np.zeros((ka_max, ka_max))
    ws = np.zeros((LANES, n_o, n_o))
    piv = np.zeros((LANES, n_o), dtype=np.int64)
    pivoted = np.zeros(LANES, dtype=np.bool_)
    column = np.zeros((LANES, n_o))
    c_one = np.empty(n_constants)
    relax = np.ones(LANES)
    err = np.zeros(LANES)
    finite = np.ones(LANES, dtype=np.bool_)
    overshoot = np.zeros(LANES, dtype=np.bool_)
    before = np.zeros(LANES)
    following = first
    while True:
        # every lane to its next attempt: a new patient where it has none, its stops reached, its next step begun
        busy = False
        for j in range(LANES):
            while not ready[j]:
                if patient[j] < 0:
                    if following >= last:
                        break
                    i = following
                    following += 1
                    patient[j] = i
                    _lane_load(fns, P, Y0, i, j, m, fed, p, c, y, c_one, A, k_aug, lower, in_table, B, K, kc)
                    k[j] = 0
                    t[j] = stops[0]
                    h[j] = h0
                    steps[j] = 0
                    rejected[j] = 0
                    code[j] = 0
                    dosed[j] = False
                i = patient[j]
                kj = k[j]
                if code[j] == 0 and kj < n_k and t[j] < stops[kj]:
                    if steps[j] >= max_steps:
                        code[j] = 1
                    else:
                        target = stops[kj]
                        steps[j] += 1
                        h[j] = min(h[j], target - t[j])
                        if target - t[j] - h[j] < 1e-9 * max(1.0, abs(target)):
                            h[j] = target - t[j]
                        before[j] = np.nextafter(target, -np.inf)
                        relax[j] = tol_factor[kj]
                        ready[j] = True
                        continue
                if code[j] != 0 or kj == n_k:  # the patient is done
                    for r in range(n_s):
                        if not _m.isfinite(y[r, j]):
                            code[j] = 3
                    status[i] = code[j]
                    n_steps[i] = steps[j]
                    n_rejected[i] = rejected[j]
                    patient[j] = -1
                    continue
                if out_index[kj] >= 0:  # at stop kj: its outputs, then its doses
                    for r in range(n_s):
                        out[i, out_index[kj], r] = y[r, j]
                given = False
                for e in range(event_first[kj], event_first[kj + 1]):
                    if increments[e, i] != 0.0:
                        y[event_rows[e], j] += increments[e, i]
                        given = True
                if given:
                    h[j] = min(h[j], h_later if dosed[j] else h0)
                    dosed[j] = True
                k[j] = kj + 1
            busy = busy or ready[j]
        if not busy:
            break
        # one attempt on every ready lane (an idle lane computes numbers nobody reads)
        for j in range(LANES):
            t_at[j] = t[j]
        jac_lanes(fns, t_at, y, p, c, f0, dfdy, ft)
        for a in range(n_o):  # d/dt of the forcing: (d rates / d y_S) (d y_S / dt)
            r = m + a
            for b in range(m):
                for j in range(LANES):
                    ft[r, j] += dfdy[r, b, j] * f0[b, j]
        for q in range(n_f):  # u = y - X: the input leaves u's rate, and X(t) forces every rate of y_r
            for j in range(LANES):
                fed_in[q, j] = 0.0
                for i in range(m):
                    fed_in[q, j] += B[j, q, i] * y[i, j]
                    ft[fed[q], j] -= B[j, q, i] * f0[i, j]
            for a in range(n_o):
                for j in range(LANES):
                    ft[m + a, j] += dfdy[m + a, fed[q], j] * fed_in[q, j]
        for q in range(n_f):
            for j in range(LANES):
                f0[fed[q], j] -= fed_in[q, j]
        for j in range(LANES):
            diagonal[j] = 1.0 / (GAM * h[j])
        w_assemble_lanes(fns, w, dfdy, diagonal)
        passed = w_factor_lanes(fns, w, limit)
        for j in range(LANES):
            pivoted[j] = ready[j] and ((passed >> j) & 1) == 0
            if pivoted[j]:  # partial pivoting on the lane's own copy of W
                for a in range(n_o):
                    for b in range(n_o):
                        ws[j, a, b] = -dfdy[m + a, m + b, j]
                    ws[j, a, a] += diagonal[j]
                _lu(ws[j], piv[j])
        if m > 0:
            _lanes_exact(ready, A, k_aug, lower, h, Q, table, in_table, X, T, y, m, y_exact, at3, at5, v, u)
        for a in range(n_o):
            r = m + a
            for j in range(LANES):
                g1[a, j] = f0[r, j] + h[j] * C1X * ft[r, j]
        _lanes_solve(fns, w, ws, piv, pivoted, g1, column)
        for a in range(n_o):
            for j in range(LANES):
                tmp[m + a, j] = y[m + a, j] + A21 * g1[a, j]
        _lanes_place_and_feed(tmp, y, at5, K, kc, A2X, h, m, fed)
        for j in range(LANES):
            t_at[j] = min(t[j] + A2X * h[j], before[j])
        rhs_lanes(fns, t_at, tmp, p, c, f1)
        _lanes_unfeed(f1, tmp, B, m, fed)
        for a in range(n_o):
            r = m + a
            for j in range(LANES):
                g2[a, j] = f1[r, j] + h[j] * C2X * ft[r, j] + C21 * g1[a, j] / h[j]
        _lanes_solve(fns, w, ws, piv, pivoted, g2, column)
        for a in range(n_o):
            for j in range(LANES):
                tmp[m + a, j] = y[m + a, j] + A31 * g1[a, j] + A32 * g2[a, j]
        _lanes_place_and_feed(tmp, y, at3, K, kc, A3X, h, m, fed)
        for j in range(LANES):
            t_at[j] = t[j] + A3X * h[j]
        rhs_lanes(fns, t_at, tmp, p, c, f2)
        _lanes_unfeed(f2, tmp, B, m, fed)
        for a in range(n_o):
            r = m + a
            for j in range(LANES):
                g3[a, j] = f2[r, j] + h[j] * C3X * ft[r, j] + (C31 * g1[a, j] + C32 * g2[a, j]) / h[j]
        _lanes_solve(fns, w, ws, piv, pivoted, g3, column)
        for a in range(n_o):
            r = m + a
            for j in range(LANES):
                g4[a, j] = f2[r, j] + h[j] * C4X * ft[r, j] + (C41 * g1[a, j] + C42 * g2[a, j] + C43 * g3[a, j]) / h[j]
        _lanes_solve(fns, w, ws, piv, pivoted, g4, column)
        for a in range(n_o):
            for j in range(LANES):
                ynew[m + a, j] = y[m + a, j] + B1 * g1[a, j] + B2 * g2[a, j] + B3 * g3[a, j] + B4 * g4[a, j]
        _lanes_place_and_feed(ynew, y, at5, K, kc, 1.0, h, m, fed)
        for j in range(LANES):
            err[j] = 0.0
            finite[j] = True
            overshoot[j] = False
        for a in range(n_o):
            r = m + a
            for j in range(LANES):
                if not _m.isfinite(ynew[r, j]):
                    finite[j] = False
                if ynew[r, j] < -atol[r] and ynew[r, j] < y[r, j]:  # as in kernels/rosenbrock.py
                    overshoot[j] = True
                scale = (atol[r] + rtol * max(abs(y[r, j]), abs(ynew[r, j]))) * relax[j]
                e = (E1 * g1[a, j] + E2 * g2[a, j] + E3 * g3[a, j] + E4 * g4[a, j]) / scale
                err[j] += e * e
        for j in range(LANES):
            if not ready[j]:
                continue
            norm = _m.sqrt(err[j] / max(n_o, 1))
            if not finite[j]:
                norm = 1e10
            elif overshoot[j]:
                norm = max(norm, 8.0)
            if norm <= 1.0:
                t[j] = t[j] + h[j]
                for r in range(n_s):
                    y[r, j] = ynew[r, j]
                h[j] = h[j] * min(4.0, 0.9 * norm**-0.25) if norm > 0 else 4.0 * h[j]
                if m > 0:
                    h[j] = _on_grid(h[j])
                ready[j] = False
                continue
            h[j] = h[j] * max(0.2, 0.9 * norm ** (-1.0 / 3.0))
            if m > 0:
                h[j] = _on_grid(h[j])
            rejected[j] += 1
            if h[j] < 1e-12 * max(1.0, abs(t[j])):
                code[j] = 2
                ready[j] = False
                continue
            target = stops[k[j]]
            if target - t[j] - h[j] < 1e-9 * max(1.0, abs(target)):
                h[j] = target - t[j]
