"""The numba kernels of the solver, pasted into each model's generated module (``engine/generate.py``).

numba compiles a kernel together with the model's functions it calls (the rates, their Jacobian, the generated LU)
and caches the machine code per module file, so the kernels' text goes into the generated module rather than being
imported by it. Each kernel file is still an ordinary module, linted and formatted as one: a docstring, then its
imports, then the code. :func:`body` returns the code without the docstring and imports; the generated module
defines every name those imports bring in:

- ``math as _m``, ``numpy as np`` and ``numba as _nb``, imported by its header;
- the names of other kernels, pasted beside this one;
- the model's own names (its rates, Jacobian, state indices, ...), declared with their signatures in
  ``kernels/generated.py`` and written by the generator.
"""

from __future__ import annotations

import ast
from importlib import resources


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
