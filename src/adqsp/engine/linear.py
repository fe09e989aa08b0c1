"""States the engine integrates exactly: a closed, linear, time-invariant part of the model.

A state belongs to the exact part ``S`` when its rate is affine in the states of ``S``
(``dy_S/dt = A y_S + c``) with ``A`` and ``c`` free of states and time, and no state outside ``S`` appears
in it. Absorption depots and transit chains are such a part: after each dose their fast, linear dynamics
would otherwise set the step size for a day (the dupilumab transit rate is 38/day). Between stops their
solution is ``exp(M tau) [y_S; 1]`` with the augmented matrix ``M = [[A, c], [0, 0]]``; the solver
evaluates it wherever it needs ``y_S`` and integrates only the other states, for which ``y_S(t)`` is a known
forcing. Found automatically from the declaration; the declaration (and so the SBML export) is unchanged.

An integrated state the part feeds linearly (``dy_r/dt = b . y_S + g``: the central compartment, fed
``ka * transit3``) is integrated as ``u = y_r - X`` with ``X(tau) = b . integral_0^tau y_S``, the amount fed since
the step began, in closed form ``X = b A^-1 (y_S(tau) - y_S(0) - c tau)``. The method then sees only
``du/dt = g``, not the sharp pulse that each dose sends through the chain, which otherwise set the step size for
half a day after every dose.
"""

from __future__ import annotations

import ast

from adqsp.engine.constants import varying_names
from adqsp.model.declaration import Model
from adqsp.model.derivatives import derivative
from adqsp.model.expressions import names_in, parse, to_scalar


def exact_states(model: Model) -> tuple[str, ...]:
    """The states of the largest closed part of the model that is linear with state- and time-free coefficients,
    among its leading states (the solver's kernels take the exact part as the first states: a linear state after
    the first other one is integrated as the others)."""
    states = set(model.state_names)
    varying = varying_names(model)
    exact = set()
    for s in model.state_names:
        rate = model.rates[s]
        operands = names_in(rate)
        if operands & (varying - states) or _switches_on(rate, varying):
            continue
        if all(not names_in(derivative(rate, x)) & varying for x in operands & states):
            exact.add(s)
    while True:  # closure: drop states fed by states outside the part, and those after the first state outside it
        leading = set()
        for s in model.state_names:
            if s not in exact:
                break
            leading.add(s)
        fed = {s for s in leading if names_in(model.rates[s]) & (states - leading)}
        if not fed and leading == exact:
            return tuple(s for s in model.state_names if s in exact)
        exact = leading - fed


def fed_states(model: Model, exact: tuple[str, ...]) -> tuple[str, ...]:
    """Integrated states fed by the exact part through a term linear in its states with state- and time-free
    coefficients (``dy_r/dt = b . y_S + g(other states)``, as a central compartment is fed by absorption), and
    through nothing else (no assignment the rate uses depends on the exact part)."""
    varying, part = varying_names(model), set(exact)
    fed = []
    for s in model.state_names:
        rate = model.rates[s]
        inputs = names_in(rate) & part
        if s in part or not inputs or _switches_on(rate, part):
            continue
        through_assignments = any(names_in(a.expression) & part for a in model.assignments_needed([rate]))
        if not through_assignments and all(not names_in(derivative(rate, x)) & varying for x in inputs):
            fed.append(s)
    return tuple(fed)


def _switches_on(expression: str, varying: set[str]) -> bool:
    """Whether a comparison in the expression (a ``where`` condition) depends on a varying name: a switch the
    derivative does not see."""
    return any(
        isinstance(node, ast.Compare) and {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} & varying
        for node in ast.walk(parse(expression))
    )


def linear_system_lines(model: Model, exact: tuple[str, ...]) -> list[str]:
    """``lin(_p, _M)``: the augmented matrix ``[[A, c], [0, 0]]`` of the exact part into ``_M`` (zeroed)."""
    lines = ["def lin(_p, _M):"]
    lines += [f"    {name} = _p[{i}]" for i, name in enumerate(model.parameter_names)]
    lines += [f"    {s} = 0.0" for s in exact]
    rates = [model.rates[s] for s in exact]
    lines += [f"    {a.name} = {to_scalar(a.expression)}" for a in model.assignments_needed(rates)]
    m = len(exact)
    for i, rate in enumerate(rates):
        lines += [
            f"    _M[{i}, {j}] = {to_scalar(d)}" for j, s in enumerate(exact) if (d := derivative(rate, s)) != "0.0"
        ]
        lines.append(f"    _M[{i}, {m}] = {to_scalar(rate)}")
    return lines + ["    return"]


def feed_lines(model: Model, exact: tuple[str, ...], fed: tuple[str, ...]) -> list[str]:
    """``feed(_p, _B)``: ``_B[k, j]``, the coefficient of exact state ``j`` in the rate of fed state ``k`` (zeroed)."""
    lines = ["def feed(_p, _B):"]
    lines += [f"    {name} = _p[{i}]" for i, name in enumerate(model.parameter_names)]
    coefficients = {
        (k, j): d
        for k, s_fed in enumerate(fed)
        for j, s in enumerate(exact)
        if (d := derivative(model.rates[s_fed], s)) != "0.0"
    }
    # only what the coefficients use: the rest of a fed rate may read states (a target-bound central amount)
    lines += [
        f"    {a.name} = {to_scalar(a.expression)}" for a in model.assignments_needed(list(coefficients.values()))
    ]
    lines += [f"    _B[{k}, {j}] = {to_scalar(d)}" for (k, j), d in coefficients.items()]
    return lines + ["    return"]
