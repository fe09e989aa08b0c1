"""The parameter-only part of the rates, computed once per patient instead of at every right-hand side call.

A name *varies* when it depends on a state or on time. Declared assignments that do not vary, and every largest
non-varying subexpression (other than a bare name or number) inside a varying assignment or rate, are constants
of the patient: the compiled engine evaluates them once (``consts``) and the right-hand side and Jacobian read
them. The model itself is unchanged; this is a rewriting for code generation only.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import replace

from adqsp.model.declaration import Assignment, Model
from adqsp.model.expressions import names_in, parse


def varying_names(model: Model) -> set[str]:
    """States, ``t`` and the assignments that depend on them (directly or through other assignments)."""
    varying = set(model.state_names) | {"t"}
    for a in model.assignments:  # declared in dependency order
        if names_in(a.expression) & varying:
            varying.add(a.name)
    return varying


def split_constants(model: Model) -> tuple[Model, tuple[Assignment, ...]]:
    """The model as the rates need it, with its constant subexpressions replaced by names ``_k<i>``, and the
    constants in evaluation order (declared constant assignments, then the hoisted subexpressions)."""
    varying = varying_names(model)
    needed = model.assignments_needed(model.rates.values())
    declared = tuple(a for a in needed if a.name not in varying)
    hoisted: dict[str, str] = {}  # constant source -> name

    class Hoist(ast.NodeTransformer):
        def visit(self, node: ast.AST) -> ast.AST:
            if isinstance(node, ast.BinOp | ast.UnaryOp | ast.Call) and not _names(node) & varying:
                name = hoisted.setdefault(ast.unparse(node), f"_k{len(hoisted)}")
                return ast.Name(id=name, ctx=ast.Load())
            return self.generic_visit(node)

    def rewrite(expression: str) -> str:
        return ast.unparse(Hoist().visit(copy.deepcopy(parse(expression))))  # parse's trees are shared

    assignments = tuple(replace(a, expression=rewrite(a.expression)) for a in needed if a.name in varying)
    rates = {s: rewrite(rate) for s, rate in model.rates.items()}
    constants = declared + tuple(Assignment(name, source, "") for source, name in hoisted.items())
    return replace(model, assignments=assignments, rates=rates), constants


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
