"""Interval-mean dosing: a drug given at a regular interval, its PK and its inhibition averaged over the interval.

The disease states respond over days to weeks; an oral drug dosed once or twice daily swings within hours, and every
dose is an event that restarts the stiff solver and makes it resolve that swing. This variant replaces the dose-by-dose
PK by its moving average over one dosing interval ``tau`` (``pk_tau``, day) and each pathway's inhibition by its
average over the interval. Only for a drug acting through ``inhibits_pathways`` with linear PK (first-order or
parallel zero- and first-order absorption, one or two compartments, linear elimination; no TMDD, no saturable
elimination) and a regimen dosing at one interval (:meth:`adqsp.pk.regimen.Regimen.interval`):

- **Mean PK, exact for linear PK.** The moving average over ``tau`` of a linear time-invariant system's states obeys
  the same linear equations driven by the moving average of its input, and the moving average of doses ``D`` every
  ``tau`` is a constant input ``D / tau`` from the first dose on. Each dose becomes an input of its bioavailable
  amount spread evenly over ``tau`` into a rate state (``interval_mean_input``, mg/day: raised at the dose, after
  the lag, and lowered ``tau`` later, when the next dose raises it again: the engine cancels such pairs, see
  ``engine/doses.py``), which feeds the depot and, for zero-order absorption, the central compartment (shares
  ``1 - fz`` and ``fz``). The PK states then hold interval means and ``<drug>_serum_mg_L`` is the interval-mean
  concentration ``Cbar``. The one approximation of the mean PK: the moving average of the first dose's zero-order
  input ramps up over its duration ``D`` (hours), here it steps up at once.
- **Mean inhibition.** At steady state the concentration over an interval is ``Cbar x s(phi)`` at phase ``phi``
  (days since the last dose's absorption began), where the shape ``s`` (mean 1 over the interval) depends only on the
  patient's PK parameters: the steady-state periodic response is the single-dose response with each ``exp(-l t)``
  replaced by ``exp(-l phi) / (1 - exp(-l tau))``. Each pathway's inhibition is the mean over the interval of the
  Emax function of ``Cbar x s(phi)``, by a quadrature over fixed phases (:data:`RULE`), the ``s`` at each phase
  written in closed form from the PK parameters (computed once per patient). The lag shifts the phase only; it does
  not change the interval mean. Before steady state (the first days) the shape is that of steady state.
- **Mean rates.** The disease's rates are averaged over the interval as well, not taken at the mean inhibition: a
  JAK pair's activity enters pSTAT6 and other signals through saturating functions that follow the concentration
  within hours, so the response to the mean activity exceeds the mean response (at the mean inhibition, abrocitinib
  100 mg lost 4.0 week-16 EASI points against dose-by-dose dosing). Each rate that needs an inhibited pathway is the
  quadrature over a coarser rule of phases (:data:`RATE_RULE`, 8 nodes) of the rate at each phase's activity
  (``disease/inhibition.py``): every oral comparator arm then agrees with dose-by-dose dosing within 0.31 EASI and
  0.74 NRS points at week 16 (200 patients each, 2026-12-08).
- **Trough.** ``<drug>_serum_trough_mg_L`` = ``Cbar x s(tau - lag)``, the steady-state concentration just before a
  dose, is the captured ``serum_mg_L`` (a trial's visit read-out and summary's ``serum_trough_mg_L``), as the
  dose-by-dose model reads a visit at a dose time just before that dose.

The quadrature: the interval (for zero-order absorption, each of ``[0, D]`` and ``[D, tau]``, split at the kink the
end of the zero-order input makes) mapped as ``phi = a + (b - a) x^2`` (nodes crowded where absorption starts and the
concentration changes fastest) with Gauss-Legendre nodes in ``x``. Its nodes and weights are numbers of the rule, as
``n + 1`` is of a transit chain. The rule's size was chosen by measuring the quadrature error of the interval-mean
inhibition against a 40,000-point average, with the same formulas written standalone, for 300 patients per oral arm
of the comparators scenario (upadacitinib 15/30 mg, abrocitinib 100/200 mg, cyclosporine) drawn from their PK models'
log-normal CL, Vc and ka: 24 nodes give a largest error of 4e-5 in the inhibited fraction (99th percentile 1e-5);
16 nodes 1e-3 (2e-4), and the midpoint rule at 16 or 32 equally spaced phases 4e-3 or 2e-3, as it misses the
absorption's rise. With the model's own assignments against the dose-by-dose model averaged over an interval at
steady state, 40 patients per PK model drawn by the virtual population: at most 6.5e-6 (abrocitinib 200 mg);
``tests/test_interval_mean.py`` checks 1e-4.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from adqsp.drugs.record import DrugRecord, InhibitsPathways, PkModelTable
from adqsp.model.declaration import Assignment, DoseInput, Parameter, State
from adqsp.model.units import GUARD_RATES
from adqsp.schema import DOSINGS

#: the scenario's choices of an arm's dosing (``dosing`` of an arm)
INTERVAL_MEAN, EACH_DOSE = DOSINGS
#: the rate state of the interval-mean input (mg/day): each dose's bioavailable amount spread over the interval
MEAN_INPUT = "interval_mean_input"
#: nodes of the quadrature over the interval; with zero-order absorption, how many of them lie on ``[0, D]``
NODES = 24
NODES_ZERO_ORDER = 6
#: nodes of the coarser quadrature the disease's rates are averaged with (``disease/inhibition.py``), named
#: ``pk_rate_shape_<j>`` and ``pk_rate_weight_<j>``
RATE_NODES = 8
RATE_NODES_ZERO_ORDER = 2
#: the trough's phase: just before the next dose (the lag after the previous dose's absorption began, from tau)
TAU = Parameter(
    "pk_tau",
    1.0,
    "day",
    "assumed: a design setting, the interval between the arm's doses (set by the trial from its regimen;"
    " interval-mean dosing)",
    description="dosing interval of interval-mean dosing",
    role="conduct",
)


@dataclass(frozen=True)
class Rule:
    """Gauss-Legendre nodes ``x`` and weights ``w`` on [0, 1] for ``phi = a + (b - a) x^2``: the phase of each node
    as the fraction ``x^2`` of its panel, and its weight ``2 x w`` per unit of the panel's length."""

    nodes: int

    @property
    def fractions(self) -> tuple[float, ...]:
        x, _ = np.polynomial.legendre.leggauss(self.nodes)
        return tuple(float(((1.0 + v) / 2.0) ** 2) for v in x)

    @property
    def weights(self) -> tuple[float, ...]:
        x, w = np.polynomial.legendre.leggauss(self.nodes)
        return tuple(float(2.0 * ((1.0 + v) / 2.0) * (u / 2.0)) for v, u in zip(x, w, strict=True))


#: the quadrature rules in use: over the whole interval, and its two panels with zero-order absorption; the same
#: for the rates
RULE = Rule(NODES)
RULE_ZERO_ORDER = (Rule(NODES_ZERO_ORDER), Rule(NODES - NODES_ZERO_ORDER))
RATE_RULE = Rule(RATE_NODES)
RATE_RULE_ZERO_ORDER = (Rule(RATE_NODES_ZERO_ORDER), Rule(RATE_NODES - RATE_NODES_ZERO_ORDER))


def interval_phases() -> tuple[tuple[str, str], ...]:
    """The (shape, weight) names of each quadrature phase (:func:`shape_assignments`), as the inhibition reads them."""
    return tuple((f"pk_shape_{j}", f"pk_weight_{j}") for j in range(NODES))


def rate_phases() -> tuple[tuple[str, str], ...]:
    """The (shape, weight) names of each phase of the coarser quadrature the disease's rates are averaged with."""
    return tuple((f"pk_rate_shape_{j}", f"pk_rate_weight_{j}") for j in range(RATE_NODES))


def unsupported(record: DrugRecord | None, pk: PkModelTable | None) -> str:
    """Why the drug's model cannot be averaged over the interval (empty if it can)."""
    if record is None or pk is None:
        return "needs a drug"
    if not isinstance(record.mechanism, InhibitsPathways):
        return f"needs a drug acting through inhibits_pathways ({record.name} binds its target in the receptor layer)"
    if record.route == "intravenous":
        return f"needs an absorbed drug ({record.name} is given intravenously)"
    if pk.absorption not in ("first_order", "zero_first_order"):
        return f"needs first-order or zero/first-order absorption ({record.name}'s PK model has {pk.absorption})"
    if list(pk.elimination) != ["linear"]:
        return f"needs linear elimination only ({record.name}'s PK model has {', '.join(pk.elimination)})"
    return ""


def mean_absorption(
    pk: PkModelTable, depot_name: str
) -> tuple[tuple[State, ...], dict[str, str], str, tuple[DoseInput, ...]]:
    """The depot (``depot_name``, the route's) and the mean input's rate state, their rates, the central
    compartment's input and where a dose enters: the whole bioavailable dose into :data:`MEAN_INPUT`, spread over
    ``pk_tau`` after the lag."""
    scale = 100.0  # mg (mg/day): the typical amount of a PK compartment, as the dose-by-dose states'
    depot = State(depot_name, 0.0, "mg", "absorption depot (interval mean)", scale=scale)
    rate = State(MEAN_INPUT, 0.0, "mg/day", "bioavailable dose per interval, spread over the interval", scale=scale)
    lag = "pk_lag" if "lag" in pk.parameters else ""
    inputs = (DoseInput(MEAN_INPUT, lag=lag, duration=TAU.name),)
    if pk.absorption == "zero_first_order":
        rates = {depot_name: f"(1.0 - pk_fz) * {MEAN_INPUT} - pk_ka * {depot_name}", MEAN_INPUT: "0.0"}
        return (depot, rate), rates, f"pk_ka * {depot_name} + pk_fz * {MEAN_INPUT}", inputs
    return (
        (depot, rate),
        {depot_name: f"{MEAN_INPUT} - pk_ka * {depot_name}", MEAN_INPUT: "0.0"},
        f"pk_ka * {depot_name}",
        inputs,
    )


def shape_assignments(pk: PkModelTable, value: Callable[[str], str]) -> tuple[Assignment, ...]:
    """The steady-state shape of the concentration over the interval, in closed form from the PK parameters:
    disposition rates and shares, each node's phase and weight (``pk_phase_<j>``, ``pk_weight_<j>``), the shape at
    each node (``pk_shape_<j>``) and just before a dose (``pk_shape_trough``); the same for the coarser rule of the
    rates (``pk_rate_phase_<j>``, ``pk_rate_weight_<j>``, ``pk_rate_shape_<j>``)."""
    out = [*_disposition(pk, value)]
    n = pk.compartments
    lam = [f"pk_lambda{i}" for i in range(1, n + 1)]
    periodic = {x: f"pk_periodic_{x.removeprefix('pk_')}" for x in (*lam, "pk_ka")}
    for x, name in periodic.items():
        out.append(
            Assignment(
                name, f"1.0 / (1.0 - exp(-{x} * pk_tau))", "dimensionless", f"sum of exp(-{x} k tau) over k >= 0"
            )
        )
    for prefix, rule in (("pk_", (RULE, *RULE_ZERO_ORDER)), ("pk_rate_", (RATE_RULE, *RATE_RULE_ZERO_ORDER))):
        for j, (phase, weight) in enumerate(_phases(pk, rule[0], rule[1:])):
            out.append(Assignment(f"{prefix}phase_{j}", phase, "day", f"quadrature phase {j} after absorption begins"))
            out.append(Assignment(f"{prefix}weight_{j}", weight, "dimensionless", f"quadrature weight of phase {j}"))
            out.append(
                Assignment(
                    f"{prefix}shape_{j}",
                    _shape(pk, f"{prefix}phase_{j}", lam, periodic),
                    "dimensionless",
                    f"concentration / mean at phase {j}",
                )
            )
    trough = "pk_tau - pk_lag" if "lag" in pk.parameters else "pk_tau"
    out.append(
        Assignment(
            "pk_shape_trough", _shape(pk, trough, lam, periodic), "dimensionless", "concentration / mean at the trough"
        )
    )
    return tuple(out)


def _disposition(pk: PkModelTable, value: Callable[[str], str]) -> tuple[Assignment, ...]:
    """``pk_k10`` and the disposition exponentials' rates ``pk_lambda<i>`` (1/day) and shares ``pk_share<i>`` of a
    bolus into the central compartment (two compartments: the quadratic formula's roots, the smaller as the product
    over the larger, free of cancellation)."""
    k10 = f"{value('CL')} / {value('Vc')}" if pk.clearances else value("ke")
    first = Assignment("pk_k10", k10, "1/day", "elimination rate constant of the central compartment")
    if pk.compartments == 1:
        return (
            first,
            Assignment("pk_lambda1", "pk_k10", "1/day", "disposition rate"),
            Assignment("pk_share1", "1.0", "dimensionless", "share of a central bolus in the disposition exponential"),
        )
    k12 = f"{value('Q')} / {value('Vc')}" if pk.clearances else value("kcp")
    k21 = f"{value('Q')} / {value('Vp')}" if pk.clearances else value("kpc")
    total = "(pk_k10 + pk_k12 + pk_k21)"
    return (
        first,
        Assignment("pk_k12", k12, "1/day", "central -> peripheral rate constant"),
        Assignment("pk_k21", k21, "1/day", "peripheral -> central rate constant"),
        Assignment(
            "pk_lambda1",
            f"({total} + sqrt({total} * {total} - 2.0 * 2.0 * pk_k10 * pk_k21)) / 2.0",
            "1/day",
            "fast disposition rate (alpha)",
        ),
        Assignment("pk_lambda2", "pk_k10 * pk_k21 / pk_lambda1", "1/day", "slow disposition rate (beta)"),
        Assignment(
            "pk_share1",
            "(pk_lambda1 - pk_k21) / (pk_lambda1 - pk_lambda2)",
            "dimensionless",
            "share of a central bolus in the fast exponential",
        ),
        Assignment(
            "pk_share2",
            "(pk_k21 - pk_lambda2) / (pk_lambda1 - pk_lambda2)",
            "dimensionless",
            "share of a central bolus in the slow exponential",
        ),
    )


def _phases(pk: PkModelTable, whole: Rule, panels: tuple[Rule, ...]) -> list[tuple[str, str]]:
    """(phase, weight) expressions of each node: over ``[0, tau]`` (rule ``whole``), or over ``[0, D]`` and
    ``[D, tau]`` (the two ``panels``)."""
    if pk.absorption != "zero_first_order":
        return [(f"pk_tau * {x!r}", f"{w!r}") for x, w in zip(whole.fractions, whole.weights, strict=True)]
    early, late = panels
    out = [(f"pk_D * {x!r}", f"{w!r} * pk_D / pk_tau") for x, w in zip(early.fractions, early.weights, strict=True)]
    out += [
        (f"pk_D + (pk_tau - pk_D) * {x!r}", f"{w!r} * (pk_tau - pk_D) / pk_tau")
        for x, w in zip(late.fractions, late.weights, strict=True)
    ]
    return out


def _shape(pk: PkModelTable, phi: str, lam: list[str], periodic: dict[str, str]) -> str:
    """The steady-state central amount at phase ``phi`` per unit bioavailable dose, times ``k10 tau`` (so its mean
    over the interval is 1): first-order absorption of the depot's share, and the zero-order input's share."""
    first = [f"pk_share{i} * {_absorbed(x, phi, periodic)}" for i, x in enumerate(lam, 1)]
    terms = " + ".join(first)
    if pk.absorption == "zero_first_order":
        zero = " + ".join(f"pk_share{i} * {_infused(x, phi, periodic[x])}" for i, x in enumerate(lam, 1))
        terms = f"(1.0 - pk_fz) * ({terms}) + pk_fz * ({zero})"
    return f"pk_k10 * pk_tau * ({terms})"


def _absorbed(lam: str, phi: str, periodic: dict[str, str]) -> str:
    """Steady state of a first-order absorption into one disposition exponential: ``ka (f(l) - f(ka)) / (ka - l)``
    with ``f(x) = exp(-x phi) / (1 - exp(-x tau))``; where ``ka`` and ``l`` are closer than :data:`GUARD_RATES`
    (relative), the divided difference's limit at their midpoint ``m``: ``ka f(m) (phi + tau exp(-m tau) / (1 -
    exp(-m tau)))``."""
    gap = f"(pk_ka - {lam})"
    apart = f"max({gap}, -{gap}) > {GUARD_RATES} * pk_ka"
    divided = (
        f"pk_ka * (exp(-{lam} * ({phi})) * {periodic[lam]} - exp(-pk_ka * ({phi})) * {periodic['pk_ka']})"
        f" / where({apart}, {gap}, 1.0)"
    )
    m = f"((pk_ka + {lam}) / 2.0)"
    tail = f"exp(-{m} * pk_tau) / (1.0 - exp(-{m} * pk_tau))"
    limit = f"pk_ka * exp(-{m} * ({phi})) / (1.0 - exp(-{m} * pk_tau)) * ({phi} + pk_tau * {tail})"
    return f"where({apart}, {divided}, {limit})"


def _infused(lam: str, phi: str, periodic: str) -> str:
    """Steady state of the zero-order input (unit amount over ``pk_D``, ``D <= tau``) into one disposition exponential:
    the current input's rise (``phi < D``) or decay, and the decaying tails of the earlier ones."""
    current = f"(1.0 - exp(-{lam} * min({phi}, pk_D))) * exp(-{lam} * max({phi} - pk_D, 0.0))"
    earlier = f"(1.0 - exp(-{lam} * pk_D)) * exp(-{lam} * ({phi} - pk_D)) * exp(-{lam} * pk_tau) * {periodic}"
    return f"({current} + {earlier}) / ({lam} * pk_D)"
