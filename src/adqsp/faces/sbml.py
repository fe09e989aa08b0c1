"""SBML Level 3 Version 2 export of the declared model, with the regimen as events.

The model's amounts are species in compartments (drug in the absorption chain and the PK compartments, cells in
lesional and nonlesional skin, the lymph node and the circulation, cytokine complexes, serum IgE, blood
eosinophils), changed by reactions with kinetic laws (absorption and distribution as transfers, elimination, death
and drainage as decays, the rest as production; :mod:`adqsp.faces.sbml_network`) and annotated with SBO terms;
states that measure a property (barrier integrity, epidermal thickness, itch, FcεRI density, chronicity) are
non-constant parameters with rate rules. Assignments become assignment rules (or constants with initial assignments
where they depend on parameters only), every parameter carries its unit (as an SBML unit definition) and its source
(in notes). Dose events add ``amount * F`` to the
dose state at each dose time of the typical patient
(split among the dose target's inputs: a zero-order input is a rate state raised at its start and lowered at its end).

Every dose event also sets to exactly zero what is left, below :data:`RESIDUE` of its scale, in the states of the
absorption chain that doses do not enter directly (the closed linear part that doses feed,
:func:`adqsp.engine.linear.exact_states`, less the dose inputs: transit compartments, and the central and peripheral
compartments of a linear PK). Such a residue is what remains of an earlier dose after many absorption half-lives
(dupilumab's transit chain, at 38/day: 1e-30 mg or less two weeks after a dose, 1e-57 mg in libRoadRunner's
solution); the model's values move by no more than that, far below the absolute tolerance adqsp integrates with
(1e-6 of the scale). Without it the file fails under libRoadRunner's default integrator: at the start and after
every event libRoadRunner sets each state's absolute tolerance to its default (1e-12) times the state's current
value where that is not zero, so a transit state holding 1e-57 mg is held to 1e-69 mg while the next dose raises it
to tens of mg, and CVODE's BDF/Newton iteration fails ("CV_CONV_FAILURE ... |h| = hmin", steps near 1e-88 day). A
state at exactly zero keeps the unscaled default. COPASI's LSODA does not scale its tolerances so and ran the file
either way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape

import libsbml
import numpy as np

from adqsp.engine.linear import exact_states
from adqsp.faces.sbml_network import (
    COMPARTMENTS,
    SBO,
    Reaction,
    Species,
    modifiers,
    reactions_of,
    species_of,
)
from adqsp.model.declaration import DoseTarget, Model
from adqsp.model.expressions import names_in, to_sbml
from adqsp.pk.regimen import Regimen

#: a dose event sets an absorption-chain state to zero where its magnitude is below this fraction of its scale
RESIDUE = 1e-12

#: base unit symbol -> list of (SBML kind, exponent, scale, multiplier)
_BASE: dict[str, list[tuple[int, float, int, float]]] = {
    "g": [(libsbml.UNIT_KIND_GRAM, 1, 0, 1.0)],
    "mg": [(libsbml.UNIT_KIND_GRAM, 1, -3, 1.0)],
    "kg": [(libsbml.UNIT_KIND_GRAM, 1, 3, 1.0)],
    "L": [(libsbml.UNIT_KIND_LITRE, 1, 0, 1.0)],
    "mL": [(libsbml.UNIT_KIND_LITRE, 1, -3, 1.0)],
    "uL": [(libsbml.UNIT_KIND_LITRE, 1, -6, 1.0)],
    "pg": [(libsbml.UNIT_KIND_GRAM, 1, -12, 1.0)],
    "nmol": [(libsbml.UNIT_KIND_MOLE, 1, -9, 1.0)],
    "pmol": [(libsbml.UNIT_KIND_MOLE, 1, -12, 1.0)],
    "rad": [(libsbml.UNIT_KIND_RADIAN, 1, 0, 1.0)],
    "week": [(libsbml.UNIT_KIND_SECOND, 1, 0, 604800.0)],
    "day": [(libsbml.UNIT_KIND_SECOND, 1, 0, 86400.0)],
    "h": [(libsbml.UNIT_KIND_SECOND, 1, 0, 3600.0)],
    "min": [(libsbml.UNIT_KIND_SECOND, 1, 0, 60.0)],
    "s": [(libsbml.UNIT_KIND_SECOND, 1, 0, 1.0)],
    "M": [(libsbml.UNIT_KIND_MOLE, 1, 0, 1.0), (libsbml.UNIT_KIND_LITRE, -1, 0, 1.0)],
    "nM": [(libsbml.UNIT_KIND_MOLE, 1, -9, 1.0), (libsbml.UNIT_KIND_LITRE, -1, 0, 1.0)],
    "pM": [(libsbml.UNIT_KIND_MOLE, 1, -12, 1.0), (libsbml.UNIT_KIND_LITRE, -1, 0, 1.0)],
    "m": [(libsbml.UNIT_KIND_METRE, 1, 0, 1.0)],
    "um": [(libsbml.UNIT_KIND_METRE, 1, -6, 1.0)],
    "kDa": [(libsbml.UNIT_KIND_GRAM, 1, 3, 1.0), (libsbml.UNIT_KIND_MOLE, -1, 0, 1.0)],
    "copies": [(libsbml.UNIT_KIND_ITEM, 1, 0, 1.0)],
    "molecules": [(libsbml.UNIT_KIND_ITEM, 1, 0, 1.0)],
    "sites": [(libsbml.UNIT_KIND_ITEM, 1, 0, 1.0)],
    "cells": [(libsbml.UNIT_KIND_ITEM, 1, 0, 1.0)],
}
#: symbols that carry no SBML dimension (clinical scores, arbitrary and international units, per-cell counts)
_DIMENSIONLESS = {"dimensionless", "1", "cell", "points", "fraction", "%", "AU", "IU", "antibody"}


def unit_factors(unit: str) -> list[tuple[int, float, int, float]]:
    """Parse a unit string such as ``mg/L/day``, ``1/(nM*min)``, ``g/m^2/h`` into SBML unit factors."""
    factors: list[tuple[int, float, int, float]] = []
    for sign, group in _groups(unit):
        for token in filter(None, group.split("*")):
            symbol, _, power = token.partition("^")
            exponent = sign * (float(power) if power else 1.0)
            if symbol in _DIMENSIONLESS:
                continue
            if symbol not in _BASE:
                raise ValueError(f"unit {unit!r}: unknown symbol {symbol!r}")
            factors += [(k, e * exponent, s, m) for k, e, s, m in _BASE[symbol]]
    return factors


def _groups(unit: str) -> list[tuple[int, str]]:
    """Split ``a*b/c/(d*e)`` into (+1, 'a*b'), (-1, 'c'), (-1, 'd*e')."""
    parts = re.split(r"/(?![^()]*\))", unit.replace(" ", ""))
    return [(1 if i == 0 else -1, p.strip("()")) for i, p in enumerate(parts)]


def unit_id(unit: str) -> str:
    if not unit_factors(unit):
        return "dimensionless"
    return "u_" + re.sub(r"\W", "_", unit.replace("/", "_per_").replace("^", "pow").replace("*", "_"))


def to_sbml_document(
    model: Model,
    regimen: Regimen | None = None,
    horizon_days: float = 112.0,
    weight_kg: float = 75.0,
    initial_state: Mapping[str, float] | None = None,
    dose_parameters: bool = False,
) -> libsbml.SBMLDocument:
    """Build the SBML document of ``model`` at its typical parameter values; ``initial_state``: the states' values
    to start from instead of the declared initial values (e.g. :func:`adqsp.trial.course.enrolment_state`);
    ``dose_parameters``: each dose's amount as a parameter ``dose_<i>_mg`` (so that, e.g., PEtab conditions can set
    it) instead of a number in its event."""
    doc = libsbml.SBMLDocument(3, 2)
    sm = doc.createModel()
    sm.setId(re.sub(r"\W", "_", model.name))
    sm.setName(f"adqsp {model.name}")
    species = species_of(model)
    units = {p.unit for p in model.parameters} | {s.unit for s in model.states} | {a.unit for a in model.assignments}
    units |= {u for sp in species.values() for u in (sp.substance_unit, sp.volume_unit)}
    for unit in sorted(units | {model.time_unit}):
        _add_unit(sm, unit)
    sm.setTimeUnits(unit_id(model.time_unit))
    for p in model.parameters:
        value = weight_kg if p.name == "WT" else p.value
        _parameter(sm, p.name, value, p.unit, True, f"{p.description} Source: {p.source}. log-SD {p.log_sd:g}.")
    _compartments(sm, model, species)
    for s in model.states:
        value = s.initial if initial_state is None else initial_state[s.name]
        formula = isinstance(value, str)  # a declared initial value computed from parameters
        if s.name in species:
            _species(sm, species[s.name], s.unit, 0.0 if formula else value, f"{s.description}")
        else:
            _parameter(sm, s.name, 0.0 if formula else value, s.unit, False, f"state: {s.description}")
            rule = sm.createRateRule()
            rule.setVariable(s.name)
            rule.setMath(_math(model.rates[s.name]))
        if formula:
            ia = sm.createInitialAssignment()
            ia.setSymbol(s.name)
            ia.setMath(_math(str(s.initial)))
    for reaction in reactions_of(model, species):
        _reaction(sm, reaction, species)
    for a in model.assignments:
        constant = a.name in derived_constants(model)
        _parameter(sm, a.name, None, a.unit, constant, a.description)
        rule = sm.createInitialAssignment() if constant else sm.createAssignmentRule()
        rule.setSymbol(a.name) if constant else rule.setVariable(a.name)
        rule.setMath(_math(a.expression))
    if regimen is not None and model.dose_target is not None:
        times, amounts = regimen.events(horizon_days, np.array([weight_kg]))
        scales = dict(zip(model.state_names, model.state_scales, strict=True))
        dosed = {part.state for part in model.dose_target.inputs}
        chain = {s: RESIDUE * scales[s] for s in exact_states(model) if s not in dosed}
        value = {p.name: p.value for p in model.parameters}
        changes: dict[float, tuple[str, dict[str, list[str]]]] = {}
        for i, (t, amt) in enumerate(zip(times, amounts[:, 0], strict=True)):
            amount: float | str = float(amt)
            if dose_parameters:
                amount = f"dose_{i}_mg"
                _parameter(sm, amount, float(amt), "mg", True, f"amount of dose {i} (day {float(t):g})")
            for at, trigger, state, change in _dose_changes(model.dose_target, float(t), amount, value):
                changes.setdefault(round(at, 9), (trigger, {}))[1].setdefault(state, []).append(change)
        flush = {s: f"where(max({s}, -{s}) < {limit!r}, 0.0, {s})" for s, limit in chain.items()}
        for k, (_, (trigger, by_state)) in enumerate(sorted(changes.items())):
            _event(sm, f"dose_{k}", trigger, {**flush, **{s: f"{s} {' '.join(c)}" for s, c in by_state.items()}})
    return doc


def _dose_changes(
    target: DoseTarget, day: float, mg: float | str, value: Mapping[str, float]
) -> list[tuple[float, str, str, str]]:
    """What one dose of ``mg`` (a number, or the name of a parameter holding it) at ``day`` does: per input of the
    target a bolus, or the start and end of a zero-order input (its rate state raised, then lowered, by the input's
    amount over its duration), as (time in days at the typical values, trigger time expression, state, signed
    change). Changes at one time are applied by one event, so that no simultaneous event undoes another's."""
    out = []
    for part in target.inputs:
        share = f"{mg if isinstance(mg, str) else repr(mg)} * {target.bioavailability}"
        if part.fraction:
            share += f" * (1 - {part.fraction})" if part.complement else f" * {part.fraction}"
        start = f"{day!r} + {part.lag}" if part.lag else repr(day)
        at = day + (value[part.lag] if part.lag else 0.0)
        if not part.duration:
            out.append((at, start, part.state, f"+ {share}"))
            continue
        rate = f"{share} / {part.duration}"
        out.append((at, start, part.state, f"+ {rate}"))
        out.append((at + value[part.duration], f"{start} + {part.duration}", part.state, f"- {rate}"))
    return out


def _event(sm, event_id: str, at: str, assignments: Mapping[str, str]) -> None:
    """An event at time ``at`` (day) that sets each variable of ``assignments`` to its value (expressions)."""
    ev = sm.createEvent()
    ev.setId(event_id)
    ev.setUseValuesFromTriggerTime(True)
    trig = ev.createTrigger()
    trig.setInitialValue(False)
    trig.setPersistent(True)
    trig.setMath(_math(f"t >= {at}"))
    for variable, value in assignments.items():
        ea = ev.createEventAssignment()
        ea.setVariable(variable)
        ea.setMath(_math(value))


def derived_constants(model: Model) -> set[str]:
    """Assignments that depend on parameters only: exported as constants set by initial assignments."""
    constant: set[str] = set()
    params = set(model.parameter_names)
    for a in model.assignments:
        if names_in(a.expression) <= params | constant:
            constant.add(a.name)
    return constant


def write_sbml(doc: libsbml.SBMLDocument) -> str:
    return libsbml.writeSBMLToString(doc)


def validation_errors(doc: libsbml.SBMLDocument) -> list[str]:
    """Errors (not warnings) reported by libSBML's consistency checks, units included."""
    doc.setConsistencyChecks(libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, True)
    doc.checkConsistency()
    log = doc.getErrorLog()
    return [
        log.getError(i).getMessage().strip()
        for i in range(log.getNumErrors())
        if log.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR
    ]


def _compartments(sm, model: Model, species: Mapping[str, Species]) -> None:
    """The compartments that hold species: a PK compartment sized by its typical volume where the PK model has one
    (its species are amounts, so the size is for the reader); the others of nominal size 1 in their species'
    volume unit (a concentration species' laws are amounts per day: the declared term times the compartment)."""
    names = set(model.parameter_names) | set(model.state_names) | set(model.assignment_names)
    described = {c: what for _, c, what in COMPARTMENTS}
    volumes = {"central_compartment": ("pk_Vc_i", "pk_Vc"), "peripheral_compartment": ("pk_Vp_i", "pk_Vp")}
    units: dict[str, str] = {}
    for sp in species.values():
        units.setdefault(sp.compartment, sp.volume_unit)
    for cid, unit in units.items():
        if cid in names:
            raise ValueError(f"compartment {cid!r} has the name of a model quantity")
        c = sm.createCompartment()
        c.setId(cid)
        c.setName(described[cid])
        c.setConstant(True)
        c.setSpatialDimensions(3)
        c.setUnits(unit_id(unit))
        c.setSBOTerm("SBO:0000290")
        volume = next((v for v in volumes.get(cid, ()) if v in names), None)
        c.setSize(1.0)
        if volume is not None:
            ia = sm.createInitialAssignment()
            ia.setSymbol(cid)
            ia.setMath(_math(volume))


def _species(sm, sp: Species, unit: str, value: float, note: str) -> None:
    """A species holding the state's value: an amount, or a concentration in its compartment."""
    x = sm.createSpecies()
    x.setId(sp.name)
    x.setCompartment(sp.compartment)
    x.setHasOnlySubstanceUnits(sp.kind == "amount")
    x.setBoundaryCondition(False)
    x.setConstant(False)
    x.setSubstanceUnits(unit_id(sp.substance_unit))
    if sp.kind == "amount":
        x.setInitialAmount(float(value))
    else:
        x.setInitialConcentration(float(value))
    x.setSBOTerm("SBO:0000247" if unit == "mg" else "SBO:0000240")  # simple chemical (drug), material entity
    x.setNotes(f'<body xmlns="http://www.w3.org/1999/xhtml"><p>{escape(note)} Unit: {escape(unit)}.</p></body>')


def _reaction(sm, reaction: Reaction, species: Mapping[str, Species]) -> None:
    r = sm.createReaction()
    r.setId(reaction.id)
    r.setReversible(reaction.kind == "production" and "-" in reaction.law)
    r.setSBOTerm(SBO[reaction.kind])
    for name, make in ((reaction.reactant, r.createReactant), (reaction.product, r.createProduct)):
        if name is not None:
            ref = make()
            ref.setSpecies(name)
            ref.setStoichiometry(1.0)
            ref.setConstant(True)
    for name in modifiers(reaction, species):
        r.createModifier().setSpecies(name)
    r.createKineticLaw().setMath(_math(reaction.law))


def _parameter(sm, name: str, value: float | None, unit: str, constant: bool, note: str) -> None:
    par = sm.createParameter()
    par.setId(name)
    par.setConstant(constant)
    par.setUnits(unit_id(unit))
    if value is not None:
        par.setValue(float(value))
    par.setNotes(f'<body xmlns="http://www.w3.org/1999/xhtml"><p>{escape(note)} Unit: {escape(unit)}.</p></body>')


def _add_unit(sm, unit: str) -> None:
    uid = unit_id(unit)
    if uid == "dimensionless" or sm.getUnitDefinition(uid) is not None:
        return
    ud = sm.createUnitDefinition()
    ud.setId(uid)
    ud.setName(unit)
    for kind, exponent, scale, multiplier in unit_factors(unit):
        u = ud.createUnit()
        u.setKind(kind)
        u.setExponent(exponent)
        u.setScale(scale)
        u.setMultiplier(multiplier)


def _math(expression: str):
    ast_node = libsbml.parseL3Formula(to_sbml(expression))
    if ast_node is None:
        raise ValueError(f"libSBML could not parse {expression!r}: {libsbml.getLastParseL3Error()}")
    return ast_node
