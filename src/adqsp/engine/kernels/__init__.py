"""The numba kernels of the solver, the same machine code for every model.

The kernels call a model's own functions (its rates, their Jacobian, the generated LU), compiled apart by
``engine/native.py``, by address (``kernels/calls.py``), so numba compiles them once per version of this code. Their
text is pasted into one module in the cache folder (``engine/cache.py``) whose first line is the digest of this
package's code, so numba's machine code cached beside it is never that of older kernels or calls. Each kernel file is
still an ordinary module, linted and formatted as one: a docstring, then its imports, then the code. :func:`body`
returns the code without the docstring and imports; the pasted module imports ``math as _m``, ``numpy as np``, ``numba
as _nb`` and the calls of ``kernels/calls.py``, and defines the other kernels' names.
"""

from __future__ import annotations

import ast
import linecache
from functools import cache
from importlib import resources
from types import ModuleType

from adqsp.engine.cache import code_digest


def body(name: str) -> str:
    """The source of kernel ``kernels/<name>.py`` from the line after its docstring and imports to its end."""
    text = resources.files(__name__).joinpath(f"{name}.py").read_text(encoding="utf-8")
    statements = ast.parse(text).body
    n = _header_length(statements)
    if any(isinstance(s, ast.Import | ast.ImportFrom) for s in statements[n:]):
        raise ValueError(f"kernel {name!r}: an import after its code would be pasted into the generated module")
    start = statements[n - 1].end_lineno if n else 0
    return "".join(text.splitlines(keepends=True)[start:]).lstrip("\n")


def _header_length(statements: list[ast.stmt]) -> int:
    """How many leading statements are the module docstring and imports."""
    n = 0
    for s in statements:
        docstring = n == 0 and isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)
        if not (docstring or isinstance(s, ast.Import | ast.ImportFrom)):
            break
        n += 1
    return n


#: patients integrated side by side by ``kernels/lanes.py`` (one machine vector of doubles on AVX-512, two on AVX2)
LANES = 8
#: the model's functions also compiled for :data:`LANES` patients at once (``<name>_lanes``, ``engine/emit.py``)
LANED = ("rhs", "jac", "w_assemble", "w_factor", "w_solve")
#: the model's functions in the order of their addresses in ``fns`` (``kernels/calls.py``)
FUNCTIONS = ("consts", "rhs", "jac", "lin", "feed", "w_assemble", "w_factor", "w_solve", *(f"{f}_lanes" for f in LANED))
#: the kernel files in the order they are pasted (each after those it calls)
KERNELS = ("lu", "expm", "exact", "rosenbrock", "lanes", "steady", "point")
_HEADER = """import math as _m

import numba as _nb
import numpy as np

from adqsp.engine.kernels import LANES
from adqsp.engine.kernels.calls import consts, feed, jac, lin, rhs, w_assemble, w_factor, w_solve
from adqsp.engine.kernels.calls import jac_lanes, rhs_lanes, w_assemble_lanes, w_factor_lanes, w_solve_lanes
"""
_PYTHON_HEADER = """import math as _m

import numpy as np

from adqsp.engine.kernels import LANES
from adqsp.engine.kernels.python_calls import consts, feed, jac, lin, rhs, w_assemble, w_factor, w_solve
from adqsp.engine.kernels.python_calls import jac_lanes, rhs_lanes, w_assemble_lanes, w_factor_lanes, w_solve_lanes
from adqsp.engine.kernels.python_calls import numba_stand_in as _nb
"""


@cache
def source() -> str:
    """The module of all kernels (``engine/cache.py`` imports it from the cache folder), its first line the digest
    of this package's code: numba's cache checks only the kernels' own file, not the calls they import."""
    return f"# adqsp code {code_digest()}\n" + _HEADER + "\n\n" + _bodies()


def _bodies() -> str:
    return "\n\n".join(body(name) for name in KERNELS)


@cache
def python_module() -> ModuleType:
    """The same kernels run by the Python interpreter, calling the model's machine code through ctypes
    (``kernels/python_calls.py``): no compilation, a few hundred times slower per step, the same results bit for bit
    (IEEE operations in the same order, the same C library functions)."""
    name = "adqsp_kernels_python"
    text = _PYTHON_HEADER + "\n\n" + _bodies()
    linecache.cache[f"<{name}>"] = (len(text), None, text.splitlines(keepends=True), f"<{name}>")  # for tracebacks
    module = ModuleType(name)
    exec(compile(text, f"<{name}>", "exec"), module.__dict__)
    return module
