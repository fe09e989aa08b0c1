"""The model declared as data: parameters, states, assignments, rate laws, dose targets.

Every other face (the batched right-hand side, the SBML export, the parameter table) is generated from
one :class:`Model`. Expressions are strings in a small Python-syntax language (see ``expressions.py``).
"""

from __future__ import annotations

import keyword
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from functools import cached_property
from types import MappingProxyType

from adqsp.model.expressions import names_in

#: what a parameter describes: a patient (it may vary between patients), the instruments (raters and diaries), or
#: the trial's conduct (rescue rules); the last two are the same for every patient
ROLES = ("patient", "instrument", "conduct")


@dataclass(frozen=True)
class Parameter:
    """A constant of the model: typical value, unit, source, between-patient variability and role.

    ``log_sd`` is the standard deviation of ln(value) across patients (0: no variability); only a ``patient``
    parameter may vary. ``source`` is a citation, or starts with ``calibrated:`` and names the targets it was fitted
    to; a calibrated value carries its 95% interval from the calibration's residual Jacobian.
    """

    name: str
    value: float
    unit: str
    source: str
    log_sd: float = 0.0
    description: str = ""
    role: str = "patient"
    interval: tuple[float, float] | None = None  # 95% interval of a calibrated typical value
    log_sd_interval: tuple[float, float] | None = None  # 95% interval of a calibrated log-SD

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"parameter {self.name!r}: role must be one of {', '.join(ROLES)}")
        if self.role != "patient" and self.log_sd:
            raise ValueError(f"parameter {self.name!r}: a {self.role} parameter is the same for every patient")

    @property
    def calibrated(self) -> bool:
        return self.source.startswith("calibrated")


@dataclass(frozen=True)
class State:
    """A state variable integrated over time (days). ``initial`` is a number or an expression.

    ``scale`` is the state's typical magnitude (its unit); absolute integration tolerances are relative to it.
    ``capture`` names the column under which a trial keeps it per visit (none if empty).
    """

    name: str
    initial: str | float
    unit: str
    description: str = ""
    scale: float = 1.0
    capture: str = ""


@dataclass(frozen=True)
class Assignment:
    """A named expression evaluated at every time point (intermediate or observable); ``capture`` names the column
    under which a trial keeps it per visit (none if empty)."""

    name: str
    expression: str
    unit: str
    description: str = ""
    capture: str = ""


@dataclass(frozen=True)
class DoseInput:
    """One way a dose enters the model: ``fraction`` (a parameter; its complement ``1 - fraction`` with
    ``complement``; the whole dose when empty) of the bioavailable amount enters ``state`` ``lag`` days after the
    dose (a parameter, the same for every patient; none when empty), at once, or, with ``duration`` (a parameter,
    day), as a constant input over that long: ``state`` is then an input rate (mg/day), raised by
    ``amount / duration`` at the start and lowered by it at the end (zero-order absorption)."""

    state: str
    fraction: str = ""
    complement: bool = False
    lag: str = ""
    duration: str = ""

    @property
    def parameters(self) -> tuple[str, ...]:
        """The parameter names it reads."""
        return tuple(n for n in (self.fraction, self.lag, self.duration) if n)


@dataclass(frozen=True)
class DoseTarget:
    """Where a dose of a drug goes: ``amount_mg * bioavailability`` split among ``inputs`` (one bolus into a depot,
    or parallel first- and zero-order absorption)."""

    drug: str
    bioavailability: str
    inputs: tuple[DoseInput, ...]

    @property
    def state(self) -> str:
        """The state the first input doses (the depot of a first-order absorption)."""
        return self.inputs[0].state


@dataclass(frozen=True)
class Model:
    """One declared model: the single source of truth for every face of the project."""

    name: str
    parameters: tuple[Parameter, ...]
    states: tuple[State, ...]
    assignments: tuple[Assignment, ...]
    rates: Mapping[str, str]
    dose_target: DoseTarget | None = None
    correlations: tuple[tuple[str, str, float], ...] = ()
    time_unit: str = "day"

    def __post_init__(self) -> None:
        object.__setattr__(self, "rates", MappingProxyType(dict(self.rates)))

    def __reduce__(self) -> tuple:
        """Pickled with the rates as a plain dict (a mapping proxy cannot be): for worker processes."""
        return Model, tuple(dict(self.rates) if f.name == "rates" else getattr(self, f.name) for f in fields(self))

    def check(self) -> Model:
        """Raise ValueError unless names are unique, every state has a rate and every name is defined."""
        _check(self)
        return self

    @cached_property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)

    @cached_property
    def state_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.states)

    @cached_property
    def state_scales(self) -> tuple[float, ...]:
        """Each state's typical magnitude, in its unit (tolerances and sanity bounds are relative to it)."""
        return tuple(s.scale for s in self.states)

    @cached_property
    def assignment_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.assignments)

    @cached_property
    def captured(self) -> dict[str, str]:
        """The read-outs a trial keeps per visit: column name -> state or assignment name, in declaration order."""
        return {x.capture: x.name for x in (*self.states, *self.assignments) if x.capture}

    def with_role(self, role: str) -> tuple[Parameter, ...]:
        """The parameters of one role (``patient``, ``instrument`` or ``conduct``)."""
        return tuple(p for p in self.parameters if p.role == role)

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(f"no parameter named {name!r}")

    def assignments_needed(self, expressions: Iterable[str]) -> tuple[Assignment, ...]:
        """The assignments the expressions depend on (directly or through other assignments), in order."""
        by_name = {a.name: a for a in self.assignments}
        needed: set[str] = set()
        pending = [n for e in expressions for n in names_in(e) if n in by_name]
        while pending:
            name = pending.pop()
            if name not in needed:
                needed.add(name)
                pending.extend(n for n in names_in(by_name[name].expression) if n in by_name)
        return tuple(a for a in self.assignments if a.name in needed)

    def typical_values(self) -> dict[str, float]:
        return {p.name: p.value for p in self.parameters}

    def with_values(self, values: Mapping[str, float], log_sds: Mapping[str, float] | None = None) -> Model:
        """A copy with new typical values and (optionally) between-patient log-SDs (sources kept)."""
        log_sds = log_sds or {}
        unknown = (set(values) | set(log_sds)) - set(self.parameter_names)
        if unknown:
            raise KeyError(f"unknown parameters: {', '.join(sorted(unknown))}")
        params = tuple(
            replace(p, value=float(values.get(p.name, p.value)), log_sd=float(log_sds.get(p.name, p.log_sd)))
            for p in self.parameters
        )
        return replace(self, parameters=params)


def combine(name: str, *parts: Model, dose_target: DoseTarget | None = None) -> Model:
    """Join model parts (PK, receptor, disease) into one checked model; names must not clash."""
    rates: dict[str, str] = {}
    for part in parts:
        rates.update(part.rates)
    targets = [p.dose_target for p in parts if p.dose_target is not None]
    return Model(
        name=name,
        parameters=tuple(p for part in parts for p in part.parameters),
        states=tuple(s for part in parts for s in part.states),
        assignments=tuple(a for part in parts for a in part.assignments),
        rates=rates,
        dose_target=dose_target or (targets[0] if targets else None),
        correlations=tuple(c for part in parts for c in part.correlations),
    ).check()


def _check(model: Model) -> None:
    """Declared names are unique, every state has a rate, every expression refers to known names."""
    names = list(model.parameter_names) + list(model.state_names) + list(model.assignment_names)
    bad = sorted(n for n in names if not n.isidentifier() or n.startswith("_") or n == "t" or keyword.iskeyword(n))
    if bad:
        raise ValueError(f"model {model.name!r}: invalid names {bad} (identifiers, no leading underscore, not 't')")
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"model {model.name!r}: names declared twice: {', '.join(dupes)}")
    captures = [x.capture for x in (*model.states, *model.assignments) if x.capture]
    if len(captures) != len(set(captures)):
        raise ValueError(f"model {model.name!r}: a capture column is declared twice")
    if set(model.rates) != set(model.state_names):
        missing = set(model.state_names) ^ set(model.rates)
        raise ValueError(f"model {model.name!r}: states and rate laws differ for {sorted(missing)}")
    known = set(model.parameter_names) | set(model.state_names) | {"t"}
    for a in model.assignments:
        unknown = names_in(a.expression) - known
        if unknown:
            raise ValueError(f"assignment {a.name!r} uses undefined names {sorted(unknown)}")
        known.add(a.name)
    for state, expr in model.rates.items():
        unknown = names_in(expr) - known
        if unknown:
            raise ValueError(f"rate of {state!r} uses undefined names {sorted(unknown)}")
    for s in model.states:
        if isinstance(s.initial, str) and names_in(s.initial) - set(model.parameter_names):
            raise ValueError(f"initial value of {s.name!r} may use parameters only")
    target = model.dose_target
    if target is not None:
        states, params = set(model.state_names), set(model.parameter_names)
        unknown = sorted({i.state for i in target.inputs} - states) + sorted(
            {target.bioavailability, *(n for i in target.inputs for n in i.parameters)} - params
        )
        if unknown or not target.inputs:
            raise ValueError(f"model {model.name!r}: dose target of {target.drug!r} needs inputs; unknown: {unknown}")
