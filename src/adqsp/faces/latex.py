"""The model's expression language (``adqsp.model.expressions``) written as LaTeX math, for the model document."""

from __future__ import annotations

import ast

from adqsp.model.expressions import parse

_FUNCTIONS = {"exp": r"\exp", "log": r"\ln", "sin": r"\sin", "cos": r"\cos", "tanh": r"\tanh", "max": r"\max"}
_FUNCTIONS["min"] = r"\min"
_COMPARE = {ast.Lt: "<", ast.LtE: r"\le", ast.Gt: ">", ast.GtE: r"\ge"}
#: binding strength of an operator: an operand that binds more loosely than its context is put in parentheses
_ADD, _UNARY, _MUL, _POW, _ATOM = 1, 2, 3, 4, 5


def to_latex(expression: str) -> str:
    """LaTeX for an expression: names as ``\\mathrm{...}``, quotients as ``\\frac``, ``where`` as cases."""
    return _emit(parse(expression))


def name(identifier: str) -> str:
    """A declared name as upright text (underscores escaped); time ``t`` stays an italic variable."""
    return "t" if identifier == "t" else r"\mathrm{" + identifier.replace("_", r"\_") + "}"


def number(value: float) -> str:
    """A constant: integers without a decimal point, powers of ten as ``\\times 10^{n}``."""
    if float(value).is_integer() and abs(value) < 1e6:
        return str(int(value))
    text = repr(float(value))
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    power = f"10^{{{int(exponent)}}}"
    return power if mantissa in ("1", "1.0") else rf"{mantissa} \times {power}"


def _strength(node: ast.expr) -> int:
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, (ast.Add, ast.Sub)):
            return _ADD
        return _POW if isinstance(node.op, ast.Pow) else _MUL
    if isinstance(node, ast.UnaryOp):
        return _UNARY
    if isinstance(node, ast.Compare):
        return 0
    return _ATOM


def _wrap(node: ast.expr, least: int) -> str:
    """The node's LaTeX, in parentheses if it binds more loosely than ``least``."""
    text = _emit(node)
    return rf"\left({text}\right)" if _strength(node) < least else text


def _emit(node: ast.expr) -> str:
    if isinstance(node, ast.Constant):
        return number(node.value)
    if isinstance(node, ast.Name):
        return name(node.id)
    if isinstance(node, ast.UnaryOp):
        sign = "-" if isinstance(node.op, ast.USub) else "+"
        return sign + _wrap(node.operand, _MUL)
    if isinstance(node, ast.BinOp):
        return _binary(node)
    if isinstance(node, ast.Compare):
        return f"{_wrap(node.left, _ADD)} {_COMPARE[type(node.ops[0])]} {_wrap(node.comparators[0], _ADD)}"
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    args = [_emit(a) for a in node.args]
    if node.func.id == "where":
        cond, a, b = args
        return rf"\begin{{cases}} {a} & \text{{if }} {cond} \\ {b} & \text{{otherwise}} \end{{cases}}"
    if node.func.id == "sqrt":
        return rf"\sqrt{{{args[0]}}}"
    return rf"{_FUNCTIONS[node.func.id]}\left({', '.join(args)}\right)"


def _binary(node: ast.BinOp) -> str:
    if isinstance(node.op, ast.Div):
        return rf"\frac{{{_emit(node.left)}}}{{{_emit(node.right)}}}"
    if isinstance(node.op, ast.Pow):
        return f"{{{_wrap(node.left, _ATOM)}}}^{{{_emit(node.right)}}}"
    if isinstance(node.op, ast.Mult):
        return rf"{_wrap(node.left, _UNARY)} \cdot {_wrap(node.right, _MUL)}"  # -a \cdot b reads as (-a) \cdot b
    sign = "+" if isinstance(node.op, ast.Add) else "-"
    # sums associate to the left: a sum or a negation on the right keeps its parentheses
    return f"{_wrap(node.left, _ADD)} {sign} {_wrap(node.right, _MUL)}"
