"""The source of a model's generated module: its scalar constants, rates and exact Jacobian, the matrix of its exactly
integrated part and the LU for its Jacobian's pattern, as plain Python (``engine/native.py`` compiles it; the
solver's kernels, the same for every model, call it by address).

The Jacobian and the time derivative of the rates are generated from the declaration by symbolic differentiation
(``model/derivatives.py``) and the chain rule forward through the assignments. The rates and the Jacobian compute only
the assignments the rates need; their parameter-only parts are computed once per patient (``consts``, see
``engine/constants.py``), and a division by such a part is a product with its reciprocal. Module constants: the number
of the patient's constants (``N_CONSTANTS``), of the leading states integrated exactly (``N_EXACT``) and the indices
of the states they feed (``FED``).
"""

from __future__ import annotations

import numpy as np

from adqsp.engine.constants import Constants, split_constants
from adqsp.engine.linear import exact_states, fed_states, feed_lines, linear_system_lines
from adqsp.engine.mathlib import PRIMITIVES, SOURCE
from adqsp.engine.sparse_lu import sparse_lu_lines
from adqsp.model.declaration import Assignment, Model
from adqsp.model.derivatives import derivative
from adqsp.model.expressions import names_in, to_scalar


def generated_source(model: Model) -> str:
    """Python source of the patient's constants, the scalar right-hand side, its exact Jacobian, the matrix of the
    exactly integrated part and the LU for this model."""
    split, hoisted = split_constants(model)
    jacobian_body, pattern = _jacobian(split, hoisted)  # may hoist more constants: before they are listed
    constants = hoisted.assignments
    jacobian = _jacobian_head(split, constants) + jacobian_body
    exact = exact_states(model)  # the leading states: the kernels integrate those after them
    fed = fed_states(model, exact)
    other = list(range(len(exact), len(model.states)))
    header = ["import math as _m", "", f"N_CONSTANTS = {len(constants)}", f"N_EXACT = {len(exact)}"]
    header += [f"FED = {[model.state_names.index(s) for s in fed]}", "", PRIMITIVES, SOURCE]
    parts = [
        _constant_lines(model, constants),
        _rhs_lines(split, constants),
        jacobian,
        linear_system_lines(model, exact),
        sparse_lu_lines(pattern[np.ix_(other, other)], other),
        feed_lines(model, exact, fed),
    ]
    return "\n".join(header + [line for part in parts for line in ["", *part, ""]])


def _constant_lines(model: Model, constants: tuple[Assignment, ...]) -> list[str]:
    """``consts(_p, _c)``: the patient's constants (see ``engine/constants.py``) into ``_c``."""
    lines = ["def consts(_p, _c):"]
    lines += [f"    {name} = _p[{i}]" for i, name in enumerate(model.parameter_names)]
    lines += [f"    {a.name} = {to_scalar(a.expression)}" for a in constants]
    return lines + [f"    _c[{k}] = {a.name}" for k, a in enumerate(constants)] + ["    return"]


def _unpack_lines(split: Model, constants: tuple[Assignment, ...]) -> list[str]:
    """Parameters, constants and states as local names, then the varying assignments the rates need."""
    lines = [f"    {name} = _p[{i}]" for i, name in enumerate(split.parameter_names)]
    lines += [f"    {a.name} = _c[{k}]" for k, a in enumerate(constants)]
    lines += [f"    {name} = _y[{i}]" for i, name in enumerate(split.state_names)]
    return lines + [f"    {a.name} = {to_scalar(a.expression)}" for a in split.assignments]


def _rhs_lines(split: Model, constants: tuple[Assignment, ...]) -> list[str]:
    """``rhs(t, _y, _p, _c, _out)``: the rates into ``_out`` (``_c``: the patient's constants)."""
    lines = ["def rhs(t, _y, _p, _c, _out):"]
    return lines + _unpack_lines(split, constants) + _rate_lines(split)


def _rate_lines(model: Model) -> list[str]:
    """The rates into ``_out``, from the unpacked names and assignments."""
    return [f"    _out[{i}] = {to_scalar(model.rates[s])}" for i, s in enumerate(model.state_names)]


def _jacobian_head(split: Model, constants: tuple[Assignment, ...]) -> list[str]:
    """The signature of ``jac`` (see :func:`_jacobian`) and its unpacking of names."""
    lines = ["def jac(t, _y, _p, _c, _out, _J, _ft):"]
    return lines + _unpack_lines(split, constants)


def _jacobian(split: Model, constants: Constants) -> tuple[list[str], np.ndarray]:
    """The body of ``jac(t, _y, _p, _c, _out, _J, _ft)`` after its unpacking (:func:`_jacobian_head`): the rates
    into ``_out`` (as ``rhs``, sharing one pass over the assignments), d rates / d states into ``_J`` (structural
    nonzeros only: the caller zero-fills it once) and d rates / dt into ``_ft``, by the chain rule forward through
    the assignments. The partials' constant subexpressions join ``constants``.

    ``_d_<a>__<j>`` is the derivative of assignment ``a`` with respect to state index ``j`` (or time ``t``);
    ``_g_<a>__<k>`` the partial of ``a`` with respect to its k-th operand that varies. Division by zero gives
    inf/nan (numpy error model), which the solver's step control rejects, rather than an exception.
    Also returns the structural pattern of the Jacobian (boolean, states x states).
    """
    key = {s: str(i) for i, s in enumerate(split.state_names)} | {"t": "t"}
    varies: dict[str, set[str]] = {s: {s} for s in key}
    lines: list[str] = []
    pattern = np.zeros((len(key) - 1, len(key) - 1), dtype=bool)
    for a in split.assignments:
        partials, totals = _chain_rule(a.name, a.expression, varies, key, constants, value=a.name)
        lines += partials + [f"    _d_{a.name}__{key[v]} = {total}" for v, total in totals.items()]
        varies[a.name] = set(totals)
    for i, s in enumerate(split.state_names):
        partials, totals = _chain_rule(s, split.rates[s], varies, key, constants)
        lines += partials + [f"    _J[{i}, {key[v]}] = {total}" for v, total in totals.items() if v != "t"]
        lines.append(f"    _ft[{i}] = {totals.get('t', '0.0')}")
        pattern[i, [int(key[v]) for v in totals if v != "t"]] = True
    return lines + _rate_lines(split), pattern


def _chain_rule(
    target: str,
    expression: str,
    varies: dict[str, set[str]],
    key: dict[str, str],
    constants: Constants,
    value: str | None = None,
) -> tuple[list[str], dict[str, str]]:
    """Lines computing the partials of ``expression`` with respect to its operands that vary, and, for each
    state or ``t`` it depends on, its total derivative as scalar source (a sum of partial x operand derivative).

    ``value``: the local name already holding the expression's value (an assignment's), reused in the partials.
    """
    partials: dict[str, str] = {}  # scalar source -> local name (equal partials are computed once)
    terms: dict[str, list[str]] = {}
    for operand in sorted(n for n in names_in(expression) if varies.get(n)):
        partial = constants.rewrite(derivative(expression, operand, value))
        if partial == "0.0":
            continue
        name = partials.setdefault(to_scalar(partial), f"_g_{target}__{len(partials)}")
        for v in varies[operand]:
            terms.setdefault(v, []).append(name if v == operand else f"{name} * _d_{operand}__{key[v]}")
    order = [*key]
    lines = [f"    {name} = {source}" for source, name in partials.items()]
    return lines, {v: " + ".join(terms[v]) for v in sorted(terms, key=order.index)}
