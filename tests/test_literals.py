"""No hidden constants (issue 28): every number in a declared expression of a shipped model is structural (0, 1, 2),
a unit conversion, mathematical constant or numerical guard named once in :mod:`adqsp.model.units`, or a structural
count of the model; any other number is a declared parameter with unit and source.

The one structural count is the transit absorption rate ``(n + 1) / MTT`` of a PK model with ``n`` transit
compartments: ``n`` fixes the model's states, so it is not a parameter a scenario could override; the test allows
``n + 1`` in ``pk_ktr`` only, with ``n`` read from the drug record. Interval-mean dosing's quadrature over the
dosing interval (``adqsp.pk.interval_mean``) has the numbers of its rule, nodes and weights, in the phases
``pk_phase_<j>`` and weights ``pk_weight_<j>`` only; its models are checked as well.
"""

from __future__ import annotations

import ast
import re

import pytest

from adqsp.assembly import build_model
from adqsp.drugs.registry import shipped
from adqsp.model.declaration import Model, Parameter, State
from adqsp.model.expressions import parse
from adqsp.model.units import ALLOWED
from adqsp.pk.interval_mean import RATE_RULE, RATE_RULE_ZERO_ORDER, RULE, RULE_ZERO_ORDER, unsupported

ARMS = [(None, None), *((drug, pk) for drug, record in shipped().items() for pk in record.pk_models)]
#: the shipped drugs' PK models that interval-mean dosing supports, built with it
MEAN_ARMS = [(d, pk) for d, pk in ARMS if d and not unsupported(shipped()[d], shipped()[d].pk_models[pk])]


def expressions(model: Model) -> list[tuple[str, str]]:
    """(owner, expression) of every expression the model declares."""
    out = [(f"assignment {a.name}", a.expression) for a in model.assignments]
    out += [(f"rate of {state}", rate) for state, rate in model.rates.items()]
    out += [(f"initial value of {s.name}", s.initial) for s in model.states if isinstance(s.initial, str)]
    if model.dose_target is not None:
        out.append((f"bioavailability of {model.dose_target.drug}", model.dose_target.bioavailability))
    return out


def structural_counts(drug: str | None, pk_model: str | None) -> dict[str, set[float]]:
    """Numbers an owner may hold because they are derived from a structural count of the model."""
    if drug is None:
        return {}
    record = shipped()[drug]
    pk = record.pk_models[pk_model or record.default_pk_model]
    return {"assignment pk_ktr": {float(pk.transit_compartments + 1)}} if pk.absorption == "transit" else {}


def numbers(expression: str) -> list[float]:
    """The numeric literals of an expression (a negative number is a negated literal)."""
    return [float(n.value) for n in ast.walk(parse(expression)) if isinstance(n, ast.Constant)]


def hidden_literals(model: Model, counts: dict[str, set[float]] | None = None) -> list[str]:
    """``owner: literal`` for every number that is neither allowed nor a structural count of its owner."""
    allowed = set(ALLOWED.values())
    return [
        f"{owner}: {x!r}"
        for owner, expression in expressions(model)
        for x in numbers(expression)
        if x not in allowed and x not in (counts or {}).get(owner, ())
    ]


def quadrature_numbers(model: Model) -> dict[str, set[float]]:
    """The numbers of interval-mean dosing's quadrature rules (the inhibition's and the rates'), in each node's phase
    and weight."""
    rules = (RULE, *RULE_ZERO_ORDER, RATE_RULE, *RATE_RULE_ZERO_ORDER)
    rule = {x for r in rules for x in (*r.fractions, *r.weights)}
    pattern = r"pk_(rate_)?(phase|weight)_\d+"
    return {f"assignment {a.name}": rule for a in model.assignments if re.fullmatch(pattern, a.name)}


@pytest.mark.parametrize(("drug", "pk_model"), ARMS, ids=[f"{d}-{p}" for d, p in ARMS])
def test_no_undeclared_number_in_any_expression(drug, pk_model):
    model = build_model(drug, pk_model)
    assert hidden_literals(model, structural_counts(drug, pk_model)) == []


@pytest.mark.parametrize(("drug", "pk_model"), MEAN_ARMS, ids=[f"{d}-{p}" for d, p in MEAN_ARMS])
def test_no_undeclared_number_under_interval_mean_dosing(drug, pk_model):
    model = build_model(drug, pk_model, dosing="interval_mean")
    assert hidden_literals(model, quadrature_numbers(model)) == []
    assert [p.name for p in model.parameters if not p.unit.strip() or not p.source.strip()] == []


def test_interval_mean_dosing_covers_the_oral_drugs():
    assert {d for d, _ in MEAN_ARMS} == {"upadacitinib", "abrocitinib", "cyclosporine"}


@pytest.mark.parametrize(("drug", "pk_model"), ARMS, ids=[f"{d}-{p}" for d, p in ARMS])
def test_every_parameter_has_a_unit_and_a_source(drug, pk_model):
    model = build_model(drug, pk_model)
    assert [p.name for p in model.parameters if not p.unit.strip() or not p.source.strip()] == []


def test_the_check_finds_a_hidden_number_and_names_its_owner():
    model = Model(
        "toy",
        (Parameter("k", 2.0, "1/day", "test"),),
        (State("a", "3.0 * k", "mg"),),
        (),
        {"a": "-k * a + 0.5 * max(a, 1e-12) / 60.0 - 2.0"},
    ).check()
    assert hidden_literals(model) == ["rate of a: 0.5", "initial value of a: 3.0"]
