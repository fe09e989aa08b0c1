"""Generate batched numpy functions from a declared model.

States are rows of a ``(n_states, n_patients)`` array and parameters rows of a ``(n_parameters, n_patients)``
array, so a whole virtual population is evaluated in one call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

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
    _observers: dict[tuple[str, ...], Callable] = field(default_factory=dict, compare=False, repr=False)

    def observer(self, names: Iterable[str]) -> Callable[[float, Array, Array], dict[str, Array]]:
        """Like ``observe``, for the given states and assignments only: it computes just the assignments they
        need (generated once per set of names)."""
        names = tuple(dict.fromkeys(names))
        if names not in self._observers:
            unknown = set(names) - set(self.model.state_names) - set(self.model.assignment_names)
            if unknown:
                raise KeyError(f"unknown states or assignments: {', '.join(sorted(unknown))}")
            source = "\n".join(_observe_lines(self.model, names))
            self._observers[names] = _execute(source, self.model.name)["observe"]
        return self._observers[names]

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
    unpack_p, unpack_y = _unpack(model)
    rate_assigns = [f"    {a.name} = {to_numpy(a.expression)}" for a in model.assignments_needed(model.rates.values())]
    derivs = [f"    _out[{i}] = {to_numpy(model.rates[s])}" for i, s in enumerate(model.state_names)]
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
            *_observe_lines(model, (*model.state_names, *model.assignment_names)),
            "",
            "def initial(_P):",
            *unpack_p,
            f"    _out = _np.empty(({len(model.states)}, _P.shape[1]))",
            *inits,
            "    return _out",
            "",
        ]
    )
    functions = _execute(source, model.name)
    return CompiledModel(model, functions["rhs"], functions["observe"], functions["initial"], source)


def _observe_lines(model: Model, names: tuple[str, ...]) -> list[str]:
    """Source of ``observe(t, _y, _P)`` returning ``names`` (states or assignments) and computing only the
    assignments they depend on."""
    unpack_p, unpack_y = _unpack(model)
    assigns = [f"    {a.name} = {to_numpy(a.expression)}" for a in model.assignments_needed(names)]
    returned = ", ".join(f"{n!r}: {n}" for n in names)
    return ["def observe(t, _y, _P):", *unpack_p, *unpack_y, *assigns, f"    return {{{returned}}}"]


def _unpack(model: Model) -> tuple[list[str], list[str]]:
    """Lines naming each parameter row of ``_P`` and each state row of ``_y``."""
    return (
        [f"    {p} = _P[{i}]" for i, p in enumerate(model.parameter_names)],
        [f"    {s} = _y[{i}]" for i, s in enumerate(model.state_names)],
    )


def _execute(source: str, model_name: str) -> dict[str, Callable]:
    """The functions defined by generated ``source``."""
    namespace: dict[str, object] = {"_np": np}
    exec(compile(source, f"<adqsp model {model_name}>", "exec"), namespace)  # noqa: S102
    return {k: v for k, v in namespace.items() if callable(v)}
