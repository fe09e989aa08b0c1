"""Symbolic partial derivatives of model expressions, as expressions of the same language.

``derivative(expression, name)`` differentiates with respect to one name, every other name held fixed, and
simplifies as it builds (no terms that are 0, no factors that are 1, constants folded), so the generated
Jacobian stays small. Conventions at points where the derivative jumps:

* ``min(a, b)`` / ``max(a, b)``: the derivative of the argument the function returns; on a tie that is the
  first one (``where(a <= b, da, db)`` / ``where(a >= b, da, db)``), as Python's ``min``/``max`` do.
* ``where(c, a, b)``: the derivative of the chosen branch; conditions and comparisons have derivative 0.
* ``u ** c`` (c free of the name) is ``c * u ** (c - 1) * du`` with ``c - 1`` folded, so ``x ** 1`` and
  ``x ** 2`` stay finite at ``x = 0``; ``exp``/``log`` appear only when the exponent depends on the name.
"""

from __future__ import annotations

import ast
import math

from adqsp.model.expressions import parse

_FOLD = {ast.Add: float.__add__, ast.Sub: float.__sub__, ast.Mult: float.__mul__, ast.Div: float.__truediv__}


def derivative(expression: str, name: str, value: str | None = None) -> str:
    """The partial derivative of ``expression`` with respect to ``name`` (``"0.0"`` where it is zero).

    ``value``: a name holding the expression's value; the whole expression, where it reappears in the
    derivative (as in ``d exp(u) = exp(u) du``), is replaced by it.
    """
    tree = parse(expression)
    result = _d(tree, name)
    return ast.unparse(result if value is None else _replace(result, ast.dump(tree), ast.Name(value)))


def _replace(node: ast.AST, dump: str, by: ast.expr) -> ast.AST:
    """A copy of ``node`` with every subtree whose ``ast.dump`` is ``dump`` replaced by ``by``."""
    if ast.dump(node) == dump:
        return by
    fields = {}
    for field, old in ast.iter_fields(node):
        if isinstance(old, ast.AST):
            fields[field] = _replace(old, dump, by)
        elif isinstance(old, list):
            fields[field] = [_replace(x, dump, by) if isinstance(x, ast.AST) else x for x in old]
        else:
            fields[field] = old
    return type(node)(**fields)


def _d(node: ast.expr, name: str) -> ast.expr:
    """The derivative of one node (dispatch on its kind)."""
    if isinstance(node, ast.Name):
        return _const(1.0 if node.id == name else 0.0)
    if isinstance(node, ast.UnaryOp):
        inner = _d(node.operand, name)
        return _neg(inner) if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp):
        return _d_binop(node, name)
    if isinstance(node, ast.Call):
        return _d_call(node, name)
    return _const(0.0)  # numbers and comparisons


def _d_binop(node: ast.BinOp, name: str) -> ast.expr:
    """Sum, difference, product, quotient and power rules."""
    u, v = node.left, node.right
    du, dv = _d(u, name), _d(v, name)
    if isinstance(node.op, ast.Add):
        return _add(du, dv)
    if isinstance(node.op, ast.Sub):
        return _sub(du, dv)
    if isinstance(node.op, ast.Mult):
        return _add(_mul(du, v), _mul(u, dv))
    if isinstance(node.op, ast.Div):
        return _sub(_div(du, v), _mul(_div(_div(u, v), v), dv))
    return _d_pow(u, v, du, dv)


def _d_pow(u: ast.expr, v: ast.expr, du: ast.expr, dv: ast.expr) -> ast.expr:
    """Derivative of ``u ** v`` given ``du`` and ``dv``."""
    if _is(dv, 0.0):
        return _mul(_mul(v, _pow(u, _sub(v, _const(1.0)))), du)
    power = _pow(u, v)
    if _is(du, 0.0):
        return _mul(_mul(power, _log(u)), dv)
    return _mul(power, _add(_mul(dv, _log(u)), _div(_mul(v, du), u)))


def _d_call(node: ast.Call, name: str) -> ast.expr:
    """Chain rule through the language's functions."""
    func = node.func.id  # type: ignore[attr-defined]
    args = node.args
    if func == "where":
        return _where(args[0], _d(args[1], name), _d(args[2], name))
    if func in ("min", "max"):
        first_chosen = ast.Compare(args[0], [ast.LtE() if func == "min" else ast.GtE()], [args[1]])
        return _where(first_chosen, _d(args[0], name), _d(args[1], name))
    u = args[0]
    du = _d(u, name)
    if _is(du, 0.0):
        return du
    if func == "exp":
        return _mul(node, du)
    if func == "log":
        return _div(du, u)
    if func == "sqrt":
        return _div(_mul(_const(0.5), du), node)
    if func == "sin":
        return _mul(_call("cos", u), du)
    if func == "cos":
        return _neg(_mul(_call("sin", u), du))
    assert func == "tanh", func
    return _mul(_sub(_const(1.0), _mul(node, node)), du)


def _value(node: ast.expr) -> float | None:
    """The number a node stands for, if it is a (possibly negated) constant."""
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        return -float(node.operand.value)
    return None


def _is(node: ast.expr, number: float) -> bool:
    return _value(node) == number


def _const(number: float) -> ast.expr:
    """A float constant; negative ones are written as a negation, as the parser reads them."""
    return _neg(ast.Constant(-number)) if number < 0 else ast.Constant(float(number))


def _fold(op: ast.operator, a: ast.expr, b: ast.expr) -> ast.expr | None:
    """The constant ``a op b`` when both are numbers and the result is finite, else None."""
    x, y = _value(a), _value(b)
    if x is None or y is None or (isinstance(op, ast.Div) and y == 0.0):
        return None
    result = _FOLD[type(op)](x, y)
    return _const(result) if math.isfinite(result) else None


def _neg(a: ast.expr) -> ast.expr:
    number = _value(a)
    if number is not None and number != 0.0:
        return ast.Constant(-number) if number < 0 else ast.UnaryOp(ast.USub(), ast.Constant(number))
    if number == 0.0:
        return ast.Constant(0.0)
    if isinstance(a, ast.UnaryOp) and isinstance(a.op, ast.USub):
        return a.operand
    return ast.UnaryOp(ast.USub(), a)


def _add(a: ast.expr, b: ast.expr) -> ast.expr:
    if _is(a, 0.0):
        return b
    if _is(b, 0.0):
        return a
    if isinstance(b, ast.UnaryOp) and isinstance(b.op, ast.USub):
        return _sub(a, b.operand)
    return _fold(ast.Add(), a, b) or ast.BinOp(a, ast.Add(), b)


def _sub(a: ast.expr, b: ast.expr) -> ast.expr:
    if _is(b, 0.0):
        return a
    if _is(a, 0.0):
        return _neg(b)
    if isinstance(b, ast.UnaryOp) and isinstance(b.op, ast.USub):
        return _add(a, b.operand)
    return _fold(ast.Sub(), a, b) or ast.BinOp(a, ast.Sub(), b)


def _mul(a: ast.expr, b: ast.expr) -> ast.expr:
    if _is(a, 0.0) or _is(b, 0.0):
        return _const(0.0)
    if _is(a, 1.0):
        return b
    if _is(b, 1.0):
        return a
    for x, y in ((a, b), (b, a)):
        if isinstance(x, ast.UnaryOp) and isinstance(x.op, ast.USub) and _value(x) is None:
            return _neg(_mul(x.operand, y))
    return _fold(ast.Mult(), a, b) or ast.BinOp(a, ast.Mult(), b)


def _div(a: ast.expr, b: ast.expr) -> ast.expr:
    if _is(a, 0.0):
        return _const(0.0)
    if _is(b, 1.0):
        return a
    return _fold(ast.Div(), a, b) or ast.BinOp(a, ast.Div(), b)


def _pow(a: ast.expr, b: ast.expr) -> ast.expr:
    if _is(b, 0.0):
        return _const(1.0)
    if _is(b, 1.0):
        return a
    return ast.BinOp(a, ast.Pow(), b)


def _log(a: ast.expr) -> ast.expr:
    number = _value(a)
    return _const(math.log(number)) if number is not None and number > 0.0 else _call("log", a)


def _call(func: str, *args: ast.expr) -> ast.expr:
    return ast.Call(ast.Name(func), list(args), [])


def _where(cond: ast.expr, a: ast.expr, b: ast.expr) -> ast.expr:
    """``where(cond, a, b)``, or the common value when both branches are the same number."""
    x, y = _value(a), _value(b)
    if x is not None and x == y:
        return a
    return _call("where", cond, a, b)
