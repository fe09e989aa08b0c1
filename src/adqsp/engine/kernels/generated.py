"""The model's names that the kernels call: each model's generated module defines them (``engine/generate.py``,
``engine/linear.py``, ``engine/sparse_lu.py``). Declared here, with their signatures, so the kernel files import
them and are valid Python on their own; the generator drops those imports (``kernels/__init__.py``), so nothing here
runs in a solver.

Arrays are float64 unless said otherwise; ``_p``: a patient's parameters, ``_c``: its constants, ``_y``: its states,
``t``: time (day).
"""

import numpy as np

#: how many constants a patient has (parameter-only subexpressions, see ``engine/constants.py``)
N_CONSTANTS = 0
#: indices (int64) of the states integrated exactly (see ``engine/linear.py``), and of the others
EXACT = np.zeros(0, dtype=np.int64)
OTHER = np.zeros(0, dtype=np.int64)


def consts(_p: np.ndarray, _c: np.ndarray) -> None:
    """The patient's constants into ``_c`` (``N_CONSTANTS``)."""


def rhs(t: float, _y: np.ndarray, _p: np.ndarray, _c: np.ndarray, _out: np.ndarray) -> None:
    """The rates (amount/day) into ``_out``."""


def jac(
    t: float, _y: np.ndarray, _p: np.ndarray, _c: np.ndarray, _out: np.ndarray, _J: np.ndarray, _ft: np.ndarray
) -> None:
    """The rates into ``_out``, their derivatives with respect to the states into ``_J`` (structural nonzeros only)
    and with respect to time into ``_ft``."""


def lin(_p: np.ndarray, _M: np.ndarray) -> None:
    """The augmented matrix ``[[A, c], [0, 0]]`` of the exact part (``dy_S/dt = A y_S + c``) into ``_M`` (zeroed)."""


def feed(_p: np.ndarray, _B: np.ndarray) -> None:
    """``_B[k, j]``: the coefficient of exact state ``j`` in the rate of fed state ``k`` (``_B`` zeroed)."""


def w_assemble(w: np.ndarray, dfdy: np.ndarray, diagonal: float) -> None:
    """``W = diagonal I - J`` over the other states, on the entries the sparse LU reads."""


def w_factor(w: np.ndarray, limit: float) -> bool:
    """Sparse LU of ``W`` in place in the static pivot order; False where a pivot is zero or not finite or a
    multiplier exceeds ``limit`` in magnitude."""
    return False


def w_solve(w: np.ndarray, b: np.ndarray) -> None:
    """``b <- W^-1 b`` with the factors of :func:`w_factor`."""
