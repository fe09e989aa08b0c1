"""The exponential of a small matrix (the exactly integrated part's, ``engine/linear.py``) by scaling and squaring
of its Taylor polynomial, and the matrix product it uses."""

import math as _m

import numba as _nb
import numpy as np

_INV_FACTORIAL = np.array([1.0 / _m.factorial(k) for k in range(13)])


@_nb.njit(cache=True, inline="always")
def _matmul(a, b, out, lower):
    """``out = a b``; ``lower``: both lower triangular (so is the product: a third of the work for 4 x 4)."""
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
    """``E = exp(M tau)``: the degree-12 Taylor polynomial of ``M tau / 2^s``, with ``s`` such that the scaled
    1-norm is <= 0.5 (truncation error below 1e-13), by Paterson-Stockmeyer (Paterson & Stockmeyer, SIAM J Comput
    1973;2:60: powers 2-4, then Horner in the 4th power: 5 products instead of 12), squared ``s`` times.
    ``X`` holds 4 work matrices: ``X[0] = A = M tau / 2^s``, ``X[1] = A^2``, ``X[2] = A^3``, ``X[3] = A^4``; ``T``
    one more; ``lower``: ``M`` is lower triangular."""
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
    scale = tau / 2.0**squarings
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
