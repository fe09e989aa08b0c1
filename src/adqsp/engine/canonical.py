"""Models that differ only in their names compile once: every parameter, state and assignment renamed ``v<k>`` by
its position before the solver's module is generated. A drug record copied under another name (a biosimilar, a
user's variant) then shares the generated module and machine code of the record it was copied from."""

from __future__ import annotations

from dataclasses import replace

from adqsp.model.declaration import DoseTarget, Model
from adqsp.model.expressions import rename as renamed


def canonical(model: Model) -> Model:
    """``model`` with positional names (``v0``, ``v1``, ...: parameters, then states, then assignments) and a
    fixed model name; structure, values and order unchanged."""
    names = [*model.parameter_names, *model.state_names, *model.assignment_names]
    table = {name: f"v{k}" for k, name in enumerate(names)}

    def rename(expression: str) -> str:
        return renamed(expression, table)

    target = model.dose_target
    return Model(
        name="canonical",
        parameters=tuple(replace(p, name=table[p.name]) for p in model.parameters),
        states=tuple(
            replace(s, name=table[s.name], initial=rename(s.initial) if isinstance(s.initial, str) else s.initial)
            for s in model.states
        ),
        assignments=tuple(replace(a, name=table[a.name], expression=rename(a.expression)) for a in model.assignments),
        rates={table[state]: rename(rate) for state, rate in model.rates.items()},
        dose_target=None
        if target is None
        else DoseTarget(
            "canonical",
            table[target.bioavailability],
            tuple(
                replace(
                    i,
                    state=table[i.state],
                    **{f: table[getattr(i, f)] for f in ("fraction", "lag", "duration") if getattr(i, f)},
                )
                for i in target.inputs
            ),
        ),
        correlations=tuple((table[a], table[b], rho) for a, b, rho in model.correlations),
        time_unit=model.time_unit,
    )
