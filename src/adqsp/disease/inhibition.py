"""Drugs that act inside cells on a signalling pathway rather than on receptor assembly (the ``inhibits_pathways``
motif): each pathway's inhibition as a direct Emax function of the drug's concentration, and the factor by which it
scales the disease terms that need the pathway.

Each inhibited pathway's activity is the product over inhibitors of (1 - inhibition); the effect follows the
concentration without delay (calcineurin activity in blood tracks cyclosporine levels with no lag: Halloran et al.
Transplantation 1999;68:1356; JAK inhibition of ex vivo pSTAT tracks plasma levels within the dosing interval).
Under interval-mean dosing (:mod:`adqsp.pk.interval_mean`) each inhibition is its mean over the dosing interval: the
quadrature over the interval's phases of the Emax function of the interval-mean concentration times the steady-state
shape at each phase (``pk_shape_<j>``, weights ``pk_weight_<j>``), and the activity is 1 minus that mean (one drug
per model, so one inhibitor per pathway).

- ``calcineurin`` (``tcell_activation``): T cells need calcineurin-NFAT signalling to be primed, to proliferate on
  antigen and to transcribe their cytokines (IL-4, IL-13, IL-5, IL-31, IFN-gamma, IL-17, IL-22): it scales the
  priming of every T-helper subset in the lymph node, their expansion in skin and the cytokines T cells make, so a
  T-cell cytokine in skin falls about as the cube of the factor at steady state. Innate type 2 cells (ILC2s,
  basophils, mast cells) are left alone.
- ``jak1_jak3`` (``jak1_jak3_activity``): the type I IL-4 receptor (IL-4Ra/gamma-c) signals through JAK1/JAK3: it
  scales the type I complexes' contribution to pSTAT6 in every cell.
- ``jak1_tyk2`` (``jak1_tyk2_activity``): the type II IL-4 receptor (IL-4Ra/IL-13Ra1) and the IL-22 receptor signal
  through JAK1/TYK2: it scales the type II complexes' contribution to pSTAT6 and every effect of IL-22 (epidermal
  hyperplasia, barrier differentiation, antimicrobial clearance, the IL-22 gene module).
- ``jak1_jak2`` (``jak1_jak2_activity``): IFN-gamma, IL-31 (IL-31RA/OSMR) and TSLP receptors signal through JAK1/JAK2:
  it scales IFN-gamma's antimicrobial effect, IL-31's itch and TSLP's drive of type 2 cells.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from adqsp.drugs.record import DrugRecord, InhibitsPathways
from adqsp.model.declaration import Assignment, Model, Parameter
from adqsp.model.expressions import names_in, rename

#: the disease factor each pathway scales (1: no inhibition)
ACTIVITY = {
    "calcineurin": "tcell_activation",
    "jak1_jak3": "jak1_jak3_activity",
    "jak1_tyk2": "jak1_tyk2_activity",
    "jak1_jak2": "jak1_jak2_activity",
}


@dataclass(frozen=True)
class Activities:
    """`` * <factor>`` for each pathway a drug of the model inhibits, empty for the others: appended to the disease
    terms that need the pathway, so a model without an inhibitor keeps its expressions exactly."""

    calcineurin: str = ""
    jak1_jak3: str = ""
    jak1_tyk2: str = ""
    jak1_jak2: str = ""


@dataclass(frozen=True)
class Inhibitor:
    """A drug acting on intracellular pathways: its name (for parameter and input names) and its motif."""

    drug: str
    mechanism: InhibitsPathways
    #: interval-mean dosing: (shape, weight) names of each quadrature phase over the interval; empty: the
    #: concentration acts as it is (dose-by-dose)
    phases: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, record: DrugRecord | None, phases: tuple[tuple[str, str], ...] = ()) -> tuple[Inhibitor, ...]:
        """The record's inhibitor, if its motif is ``inhibits_pathways`` (else none); ``phases`` as above."""
        if record is None or not isinstance(record.mechanism, InhibitsPathways):
            return ()
        return (cls(record.name, record.mechanism, phases),)

    @property
    def concentration(self) -> str:
        """The model name of the concentration driving it: the PK model's central one (mg/L)."""
        return f"{self.drug}_serum_mg_L"


def inhibitor_parameters(inhibitor: Inhibitor) -> tuple[Parameter, ...]:
    """``pd_<drug>_<pathway>_ic50_mg_L`` and ``pd_<drug>_<pathway>_emax`` for each pathway it inhibits."""
    out = []
    for i in inhibitor.mechanism.inhibits:
        stem = f"pd_{inhibitor.drug}_{i.pathway}"
        for key, v in (("ic50_mg_L", i.ic50_mg_L), ("emax", i.emax)):
            out.append(Parameter(f"{stem}_{key}", v.value, v.unit, v.source, description=v.description))
    return tuple(out)


def inhibition_assignments(inhibitors: tuple[Inhibitor, ...]) -> tuple[Assignment, ...]:
    """Each inhibitor's inhibition of each pathway (0-1; under interval-mean dosing its mean over the interval), and
    each inhibited pathway's activity factor."""
    out, factors = [], {}
    for inh in inhibitors:
        for i in inh.mechanism.inhibits:
            if inh.phases:
                terms = [f"{w} * {_emax_term(inh, i.pathway, shape)}" for shape, w in inh.phases]
                expression, what = " + ".join(terms), "mean over the dosing interval"
            else:
                expression, what = _emax_term(inh, i.pathway), "0-1"
            out.append(
                Assignment(
                    f"{inh.drug}_{i.pathway}_inhibition",
                    expression,
                    "dimensionless",
                    f"{i.pathway} activity inhibited by {inh.drug} ({what})",
                )
            )
            factors.setdefault(i.pathway, []).append(f"(1.0 - {inh.drug}_{i.pathway}_inhibition)")
    for pathway, terms in factors.items():
        out.append(Assignment(ACTIVITY[pathway], " * ".join(terms), "dimensionless", f"{pathway} activity left (0-1)"))
    return tuple(out)


def _emax_term(inh: Inhibitor, pathway: str, shape: str = "") -> str:
    """The inhibition of ``pathway`` at the drug's concentration (times ``shape``, the concentration's ratio to its
    interval mean at a phase: Emax of ``c x shape`` is ``c / (c + IC50 / shape)``)."""
    stem, c = f"pd_{inh.drug}_{pathway}", f"max({inh.concentration}, 0.0)"
    ic50 = f"{stem}_ic50_mg_L / {shape}" if shape else f"{stem}_ic50_mg_L"
    return f"{stem}_emax * {c} / ({c} + {ic50})"


def phase_averaged(model: Model, inhibitors: tuple[Inhibitor, ...], phases: tuple[tuple[str, str], ...]) -> Model:
    """Under interval-mean dosing, the disease's rates averaged over the dosing interval rather than taken at the
    mean inhibition: a pathway's activity enters signals through saturating functions that follow the concentration
    within hours, and the response to the mean activity is not the mean response. Each rate that depends on an
    inhibited pathway's activity becomes the quadrature over the interval's ``phases`` ((shape, weight) names) of the
    rate with every assignment downstream of the activities at that phase's activity (copies named ``<name>__p<j>``):
    the first-order average of the dynamics over the interval, exact in the limit of states slow against it. Each
    downstream assignment's own name becomes the same quadrature of its copies, so the read-outs are interval means;
    the activities and inhibitions keep their interval means. Without inhibitors the model is returned unchanged."""
    if not inhibitors:
        return model
    if len({inh.drug for inh in inhibitors}) > 1:
        raise ValueError("phase averaging follows one drug's dosing interval: one drug per model")
    activity: dict[str, list[tuple[Inhibitor, str]]] = {}  # each inhibited pathway's factor: its inhibitors
    for inh in inhibitors:
        for i in inh.mechanism.inhibits:
            activity.setdefault(ACTIVITY[i.pathway], []).append((inh, i.pathway))
    downstream = set(activity)
    for a in model.assignments:
        if names_in(a.expression) & downstream:
            downstream.add(a.name)
    moved = [a for a in model.assignments if a.name in downstream and a.name not in activity]
    copies, tables = [], []
    for j, (shape, _) in enumerate(phases):
        table = {name: f"{name}__p{j}" for name in downstream}
        tables.append(table)
        for name, terms in activity.items():
            factors = " * ".join(f"(1.0 - {_emax_term(inh, pathway, shape)})" for inh, pathway in terms)
            copies.append(Assignment(table[name], factors, "dimensionless", f"{name} at phase {j} of the interval"))
        copies += [
            Assignment(table[a.name], rename(a.expression, table), a.unit, f"{a.name} at phase {j} of the interval")
            for a in moved
        ]

    def averaged(expression: str) -> str:
        return " + ".join(f"{w} * ({rename(expression, t)})" for (_, w), t in zip(phases, tables, strict=True))

    means = [replace(a, expression=averaged(a.name)) for a in moved]
    kept = tuple(a for a in model.assignments if a not in moved)
    rates = {s: averaged(r) if names_in(r) & downstream else r for s, r in model.rates.items()}
    return replace(model, assignments=(*kept, *copies, *means), rates=rates)


def activities(inhibitors: tuple[Inhibitor, ...]) -> Activities:
    """For each pathway, `` * <factor>`` to append to the disease terms that need it, or nothing when no drug of the
    model inhibits it."""
    inhibited = {i.pathway for inh in inhibitors for i in inh.mechanism.inhibits}
    return Activities(**{p: f" * {ACTIVITY[p]}" if p in inhibited else "" for p in ACTIVITY})
