"""The rates, their Jacobian and time derivative at one point, for callers outside the solver (tests, checks)."""

import numba as _nb
import numpy as np

from adqsp.engine.kernels.calls import consts, jac


@_nb.njit(cache=True)
def jacobian(fns, n_constants, t, y, p, out, J, ft):
    """``jac`` at ``(t, y)`` for parameters ``p``, the patient's constants computed first (``J`` zeroed before)."""
    c = np.empty(n_constants)
    consts(fns, p, c)
    jac(fns, t, y, p, c, out, J, ft)
