"""The expression language of model declarations and its two translations.

Expressions are Python syntax restricted to numbers, names, ``+ - * / **``, comparisons and the functions in
:data:`FUNCTIONS`. ``where(cond, a, b)`` is the conditional. The same text becomes vectorised numpy code
(the engine) and an SBML Level 3 infix formula (the export), so the equations are written once.
"""

from __future__ import annotations

import ast
import copy
from functools import cache

#: function name -> (numpy spelling, SBML L3 spelling, scalar spelling, number of arguments)
FUNCTIONS: dict[str, tuple[str, str, str, int]] = {
    "exp": ("_np.exp", "exp", "_exp", 1),
    "log": ("_np.log", "ln", "_m.log", 1),
    "sqrt": ("_np.sqrt", "sqrt", "_m.sqrt", 1),
    "sin": ("_np.sin", "sin", "_sin", 1),
    "cos": ("_np.cos", "cos", "_cos", 1),
    "tanh": ("_np.tanh", "tanh", "_m.tanh", 1),
    "min": ("_np.minimum", "min", "min", 2),
    "max": ("_np.maximum", "max", "max", 2),
    "where": ("_np.where", "piecewise", "", 3),
}
NUMPY, SBML, SCALAR = 0, 1, 2

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_CMPOPS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}


@cache
def parse(expression: str) -> ast.expr:
    """Parse and check an expression; raises ValueError naming what is not allowed."""
    try:
        tree = ast.parse(expression, mode="eval").body
    except SyntaxError as exc:
        raise ValueError(f"cannot parse expression {expression!r}: {exc.msg}") from None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                raise ValueError(f"unknown function in {expression!r}")
            if len(node.args) != FUNCTIONS[node.func.id][3] or node.keywords:
                raise ValueError(f"wrong arguments to {node.func.id} in {expression!r}")
        elif isinstance(node, ast.BinOp) and not isinstance(node.op, (*_BINOPS, ast.Pow)):
            raise ValueError(f"operator not allowed in {expression!r}")
        elif isinstance(node, ast.Compare) and (len(node.ops) != 1 or not isinstance(node.ops[0], tuple(_CMPOPS))):
            raise ValueError(f"comparison not allowed in {expression!r}")
        elif isinstance(node, ast.Constant) and not isinstance(node.value, (int, float)):
            raise ValueError(f"constant not allowed in {expression!r}")
        elif not isinstance(
            node,
            (
                ast.Call,
                ast.BinOp,
                ast.Compare,
                ast.Constant,
                ast.Name,
                ast.Load,
                ast.UnaryOp,
                ast.USub,
                ast.UAdd,
                *_BINOPS,
                ast.Pow,
                *_CMPOPS,
            ),
        ):
            raise ValueError(f"{type(node).__name__} not allowed in {expression!r}")
    return tree


def names_in(expression: str) -> set[str]:
    """The variable names an expression refers to."""
    return {n.id for n in ast.walk(parse(expression)) if isinstance(n, ast.Name) and n.id not in FUNCTIONS}


class _Rename(ast.NodeTransformer):
    def __init__(self, table: dict[str, str]) -> None:
        self.table = table

    def visit_Name(self, node: ast.Name) -> ast.Name:
        return ast.copy_location(ast.Name(self.table.get(node.id, node.id), node.ctx), node)


def rename(expression: str, table: dict[str, str]) -> str:
    """The expression with each name in ``table`` replaced by its value."""
    return ast.unparse(_Rename(table).visit(copy.deepcopy(parse(expression))))  # parse() shares its trees


def to_numpy(expression: str) -> str:
    """Python source evaluating the expression elementwise on numpy arrays (``_np`` is numpy)."""
    return _emit(parse(expression), NUMPY)


def to_sbml(expression: str) -> str:
    """SBML Level 3 infix formula (for ``libsbml.parseL3Formula``); time is ``time``."""
    return _emit(parse(expression), SBML)


def to_scalar(expression: str) -> str:
    """Python source on floats (``_m`` is the math module), for compiled per-patient code; a power with a
    parameter exponent calls ``_pow``, ``exp``, ``sin`` and ``cos`` call ``_exp``, ``_sin`` and ``_cos`` (which the
    generated module defines: ``engine/mathlib.py``)."""
    return _emit(parse(expression), SCALAR)


def _emit(node: ast.expr, target: int) -> str:
    if isinstance(node, ast.Constant):
        return repr(float(node.value))
    if isinstance(node, ast.Name):
        return "time" if node.id == "t" and target == SBML else node.id
    if isinstance(node, ast.UnaryOp):
        sign = "-" if isinstance(node.op, ast.USub) else "+"
        return f"({sign}{_emit(node.operand, target)})"
    if isinstance(node, ast.BinOp):
        left, right = _emit(node.left, target), _emit(node.right, target)
        if isinstance(node.op, ast.Pow):
            if target == SBML:
                return f"pow({left}, {right})"
            if target == SCALAR and not isinstance(node.right, ast.Constant):
                return f"_pow({left}, {right})"
            return f"({left} ** {right})"
        return f"({left} {_BINOPS[type(node.op)]} {right})"
    if isinstance(node, ast.Compare):
        left, right = _emit(node.left, target), _emit(node.comparators[0], target)
        return f"({left} {_CMPOPS[type(node.ops[0])]} {right})"
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    args = [_emit(a, target) for a in node.args]
    if node.func.id == "where":
        cond, a, b = args
        if target == SCALAR:
            return f"({a} if {cond} else {b})"
        if target == SBML:
            args = [a, cond, b]
    return f"{FUNCTIONS[node.func.id][target]}({', '.join(args)})"
