"""The calls of ``kernels/calls.py`` for the kernels run by the Python interpreter (``engine/fast.py`` runs a lone
patient so until the compiled kernels are loaded): the same machine code of the model's functions, called by
address through ctypes, so the interpreted kernels give the compiled ones' results bit for bit. An array argument is
passed as the pointer to its first element (C-contiguous float64, as the numba calls require), a number as a double.
:data:`numba_stand_in` takes the place of numba in the kernels' text: its ``njit`` leaves a function as it is.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from types import SimpleNamespace

import numpy as np

from adqsp.engine.kernels import FUNCTIONS

_DOUBLE, _POINTER = ctypes.c_double, ctypes.c_void_p
#: each function's result type and argument types (after ``fns``), as ``kernels/calls.py`` documents them
PROTOTYPES = {
    "consts": (None, (_POINTER, _POINTER)),
    "rhs": (None, (_DOUBLE, _POINTER, _POINTER, _POINTER, _POINTER)),
    "jac": (None, (_DOUBLE, _POINTER, _POINTER, _POINTER, _POINTER, _POINTER, _POINTER)),
    "lin": (None, (_POINTER, _POINTER)),
    "feed": (None, (_POINTER, _POINTER)),
    "w_assemble": (None, (_POINTER, _POINTER, _DOUBLE)),
    "w_factor": (ctypes.c_uint8, (_POINTER, _DOUBLE)),
    "w_solve": (None, (_POINTER, _POINTER)),
    **{f"{f}_lanes": (None, (_POINTER,) * n) for f, n in (("rhs", 5), ("jac", 7), ("w_assemble", 3), ("w_solve", 2))},
    "w_factor_lanes": (ctypes.c_uint8, (_POINTER, _POINTER)),
}
#: ctypes function objects by (function, address), made once
_MADE: dict[tuple[str, int], Callable] = {}


def _function(fns: np.ndarray, name: str) -> Callable:
    """The model's function ``name`` (its address at ``fns[FUNCTIONS.index(name)]``) as a ctypes function."""
    key = (name, int(fns[FUNCTIONS.index(name)]))
    if key not in _MADE:
        result, args = PROTOTYPES[name]
        _MADE[key] = ctypes.CFUNCTYPE(result, *args)(key[1])
    return _MADE[key]


def _argument(value):
    """An array as the address of its first element (refused unless C-contiguous float64), a number as a float."""
    if isinstance(value, np.ndarray):
        if value.dtype != np.float64 or not value.flags.c_contiguous:
            raise TypeError(f"arrays must be C-contiguous float64, got {value.dtype} {value.flags}")
        return value.ctypes.data
    return float(value)


def _call(name: str) -> Callable:
    returns = PROTOTYPES[name][0]

    def call(fns, *args):
        result = _function(fns, name)(*[_argument(a) for a in args])
        if returns is None:
            return None
        return result if name.endswith("_lanes") else result != 0  # a lane mask, or a bool

    call.__name__ = name
    return call


consts, rhs, jac, lin, feed, w_assemble, w_factor, w_solve = (_call(name) for name in FUNCTIONS[:8])
rhs_lanes, jac_lanes, w_assemble_lanes, w_factor_lanes, w_solve_lanes = (_call(name) for name in FUNCTIONS[8:])
numba_stand_in = SimpleNamespace(njit=lambda **options: lambda function: function)
