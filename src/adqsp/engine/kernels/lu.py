"""Solving with the Rosenbrock matrix ``W = diagonal I - J`` over the integrated states: the LU generated for the
Jacobian's pattern (``engine/sparse_lu.py``, called by address: ``kernels/calls.py``), or, where its static pivot
order meets a small pivot, a dense LU with partial pivoting."""

import numba as _nb

from adqsp.engine.kernels.calls import w_assemble, w_factor, w_solve


@_nb.njit(cache=True)
def _lu(a, piv):
    """Dense LU with partial pivoting in place (L unit lower, U upper); the row swaps into ``piv``."""
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
    """``b <- A^-1 b`` with the factors of :func:`_lu`."""
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
def _assemble(w, dfdy, m, diagonal):
    """``W = diagonal I - J`` over the integrated states (those after the ``m`` exact ones), every entry."""
    n = w.shape[0]
    for a in range(n):
        for b in range(n):
            w[a, b] = -dfdy[m + a, m + b]
        w[a, a] += diagonal


@_nb.njit(cache=True, inline="always")
def _factor(fns, w, piv, dfdy, m, diagonal, multiplier_limit):
    """LU of ``W = diagonal I - J`` in ``w``: the generated static order, or, where it meets a small pivot, partial
    pivoting on a fresh copy. Returns whether it pivoted (then solve with ``piv``)."""
    w_assemble(fns, w, dfdy, diagonal)
    if w_factor(fns, w, multiplier_limit):
        return False
    _assemble(w, dfdy, m, diagonal)
    _lu(w, piv)
    return True


@_nb.njit(cache=True, inline="always")
def _w_solve(fns, w, piv, pivoted, b):
    """``b <- W^-1 b`` with the factors of :func:`_factor`."""
    if pivoted:
        _lu_solve(w, piv, b)
    else:
        w_solve(fns, w, b)
