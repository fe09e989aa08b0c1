"""The parameter-only part of the rates and their derivatives, computed once per patient instead of at every call.

A name *varies* when it depends on a state or on time. Declared assignments that do not vary, and every largest
non-varying subexpression (other than a bare name or number) inside a varying assignment, rate or Jacobian
partial, are constants of the patient: the compiled engine evaluates them once (``consts``) and the right-hand
side and Jacobian read them. A division by a constant becomes a product with its reciprocal, itself a constant
(a product costs a few cycles, a division up to twenty). The model itself is unchanged; this is a rewriting for
code generation only.
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


class Constants(ast.NodeTransformer):
    """The patient's constants of one model: the declared constant assignments, then every subexpression hoisted
    by :meth:`rewrite` (named ``_k<i>``, in the order they were first met, so each is computed after those it
    reads). One instance rewrites the rates and the Jacobian, so equal constants are computed once."""

    def __init__(self, varying: set[str], declared: tuple[Assignment, ...]) -> None:
        self.varying = varying
        self.declared = declared
        self._hoisted: dict[str, str] = {}  # constant source -> name

    @property
    def assignments(self) -> tuple[Assignment, ...]:
        """Every constant, in evaluation order."""
        return self.declared + tuple(Assignment(name, source, "") for source, name in self._hoisted.items())

    def rewrite(self, expression: str) -> str:
        """``expression`` with its constant subexpressions replaced by their names."""
        return ast.unparse(self.visit(copy.deepcopy(parse(expression))))  # parse's trees are shared

    def visit(self, node: ast.AST) -> ast.AST:
        if isinstance(node, ast.BinOp | ast.UnaryOp | ast.Call) and self._constant(node):
            return self._reference(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and self._constant(node.right):
            reciprocal = ast.BinOp(ast.Constant(1.0), ast.Div(), node.right)
            return ast.BinOp(self.visit(node.left), ast.Mult(), self._reference(reciprocal))
        return self.generic_visit(node)

    def _constant(self, node: ast.AST) -> bool:
        return not _names(node) & self.varying

    def _reference(self, node: ast.expr) -> ast.expr:
        """The name of a constant subexpression; one of numbers only stays (the compiler folds it)."""
        if not _names(node):
            return node
        return ast.Name(id=self._hoisted.setdefault(ast.unparse(node), f"_k{len(self._hoisted)}"), ctx=ast.Load())


def split_constants(model: Model) -> tuple[Model, Constants]:
    """The model as the rates need it, with its constant subexpressions replaced by names ``_k<i>``, and its
    :class:`Constants` (which can go on to rewrite the Jacobian's partials)."""
    varying = varying_names(model)
    needed = model.assignments_needed(model.rates.values())
    constants = Constants(varying, tuple(a for a in needed if a.name not in varying))
    assignments = tuple(replace(a, expression=constants.rewrite(a.expression)) for a in needed if a.name in varying)
    rates = {s: constants.rewrite(rate) for s, rate in model.rates.items()}
    return replace(model, assignments=assignments, rates=rates), constants


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
