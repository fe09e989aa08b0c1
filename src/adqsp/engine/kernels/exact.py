"""The exactly integrated part at a step's stage times, and the states it feeds (``engine/linear.py``).

The part's solution over a step is ``exp(M tau) [y_S; 1]``. Where the model has such a part, the step size is kept
on a grid (``2^(k / STEP_GRID)`` day) and each patient keeps the exponential of every grid step it has used in a
table, so it is computed again only for steps cut to reach a stop and for new grid steps. A state the part feeds
linearly is integrated as ``u = y - X``, ``X`` the amount fed since the step began.
"""

import math as _m

import numba as _nb
import numpy as np

from adqsp.engine.kernels.lu import _lu, _lu_solve

#: grid steps per doubling of the step size, and the slots of a patient's table (steps from 2^-12 to 2^11.875 day)
STEP_GRID, GRID_SLOTS = 8.0, 192


@_nb.njit(cache=True, inline="always")
def _on_grid(h):
    """The grid step ``2^(k / STEP_GRID)`` day (``k`` an integer) nearest to ``h`` (on the log scale)."""
    return 2.0 ** (_m.floor(STEP_GRID * _m.log2(h) + 0.5) / STEP_GRID)


@_nb.njit(cache=True, inline="always")
def _grid_slot(h):
    """The table slot of a step on the grid, or -1 (a step cut to reach a stop, a capped one, or out of range)."""
    k = round(STEP_GRID * _m.log2(h)) if 0.0 < h < _m.inf else 1 << 30
    slot = k + GRID_SLOTS // 2
    if 0 <= slot < GRID_SLOTS and 2.0 ** (k / STEP_GRID) == h:
        return slot
    return -1


@_nb.njit(cache=True, inline="always")
def _chain(Q, y, m, at3, at5, v, u, lower):
    """The exact part at 3 and 5 fifths of the step into ``at3`` and ``at5``: ``Q = exp(M h / 5)`` applied 3 and 5
    times to ``[y_S; 1]`` (fewer operations than forming ``Q^3`` and ``Q^5``); ``v``, ``u``: work vectors."""
    n = Q.shape[0]
    for a in range(n):
        v[a] = y[a] if a < m else 1.0
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
def _place(dst, values, m):
    """The exact part's ``values`` into the state vector ``dst``."""
    for a in range(m):
        dst[a] = values[a]


@_nb.njit(cache=True)
def _feed_gain(A, m, B, K):
    """``K = B A^-1`` for the exact part's matrix ``A = M[:m, :m]`` (``K A = B``, so ``A^T K^T = B^T``); False where
    ``A`` is (nearly) singular: then the fed states are integrated without the split."""
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
def _feed(dst, y, K, kc, tau, m, fed):
    """Fed states at a stage ``tau`` into the step: ``u + X``, ``X = K (y_S(tau) - y_S(0)) - K c tau`` (``dst``
    holds ``y_S(tau)``)."""
    for k in range(fed.shape[0]):
        x = -kc[k] * tau
        for j in range(m):
            x += K[k, j] * (dst[j] - y[j])
        dst[fed[k]] += x


@_nb.njit(cache=True, inline="always")
def _unfeed(f, ys, B, m, fed):
    """The rates of the integrated variables ``u = y_r - X``: the fed state's rate less its input ``b . y_S``."""
    for k in range(fed.shape[0]):
        for j in range(m):
            f[fed[k]] -= B[k, j] * ys[j]
