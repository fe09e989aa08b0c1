"""Generate batched numpy functions from a declared model.

States are rows of a ``(n_states, n_patients)`` array and parameters rows of a ``(n_parameters, n_patients)``
array, so a whole virtual population is evaluated in one call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from adqsp.model.declaration import Model
from adqsp.model.expressions import to_numpy

Array = np.ndarray


@dataclass(frozen=True)
class CompiledModel:
    """Generated batched functions of one model.

    ``rhs(t, y, P)``: time derivatives, shape of ``y``. ``observe(t, y, P)``: every state and assignment, a
    dict of arrays. ``initial(P)``: initial states. ``source``: the generated Python code, for inspection.
    """

    model: Model
    rhs: Callable[[float, Array, Array], Array]
    observe: Callable[[float, Array, Array], dict[str, Array]]
    initial: Callable[[Array], Array]
    source: str

    def parameter_matrix(self, values: dict[str, Array | float], n: int) -> Array:
        """Stack per-patient values (missing ones take the typical value) into ``(n_parameters, n)``."""
        unknown = set(values) - set(self.model.parameter_names)
        if unknown:
            raise KeyError(f"unknown parameters: {', '.join(sorted(unknown))}")
        matrix = np.empty((len(self.model.parameters), n))
        for i, p in enumerate(self.model.parameters):
            matrix[i] = values.get(p.name, p.value)
        return matrix


def compile_model(model: Model) -> CompiledModel:
    """Translate the declaration to numpy source once and compile it."""
    model.check()
    unpack_p = [f"    {p} = _P[{i}]" for i, p in enumerate(model.parameter_names)]
    unpack_y = [f"    {s} = _y[{i}]" for i, s in enumerate(model.state_names)]
    assigns = [f"    {a.name} = {to_numpy(a.expression)}" for a in model.assignments]
    rate_assigns = [f"    {a.name} = {to_numpy(a.expression)}" for a in model.assignments_needed(model.rates.values())]
    derivs = [f"    _out[{i}] = {to_numpy(model.rates[s])}" for i, s in enumerate(model.state_names)]
    observed = ", ".join(f"{n!r}: {n}" for n in (*model.state_names, *model.assignment_names))
    inits = [f"    _out[{i}] = {to_numpy(str(s.initial))}" for i, s in enumerate(model.states)]
    source = "\n".join(
        [
            "def rhs(t, _y, _P):",
            *unpack_p,
            *unpack_y,
            *rate_assigns,
            "    _out = _np.empty(_y.shape)",
            *derivs,
            "    return _out",
            "",
            "def observe(t, _y, _P):",
            *unpack_p,
            *unpack_y,
            *assigns,
            f"    return {{{observed}}}",
            "",
            "def initial(_P):",
            *unpack_p,
            f"    _out = _np.empty(({len(model.states)}, _P.shape[1]))",
            *inits,
            "    return _out",
            "",
        ]
    )
    namespace: dict[str, object] = {"_np": np}
    exec(compile(source, f"<adqsp model {model.name}>", "exec"), namespace)  # noqa: S102
    return CompiledModel(
        model=model,
        rhs=namespace["rhs"],  # type: ignore[arg-type]
        observe=namespace["observe"],  # type: ignore[arg-type]
        initial=namespace["initial"],  # type: ignore[arg-type]
        source=source,
    )
