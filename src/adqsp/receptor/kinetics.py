"""Full mass-action model of IL-4 / IL-13 receptor assembly on one cell, with turnover and drugs (time in min).

Species (copies/cell), in the order of :func:`species`: free IL-4Ra, gamma-c, IL-13Ra1, IL-13Ra2; IL-4:IL-4Ra;
type I IL-4:IL-4Ra:gamma-c; type II IL-4:IL-4Ra:IL-13Ra1; IL-13:IL-13Ra1; type II IL-13:IL-13Ra1:IL-4Ra;
IL-13:IL-13Ra2 (decoy); then each drug's complexes by its motif (:mod:`adqsp.receptor.motifs`): ``<drug>_<chain>``
for a drug bound to a chain (e.g. dupilumab:IL-4Ra), ``<drug>_il13_il13ra1`` for IL-13 held by a drug that blocks
IL-4Ra recruitment (e.g. lebrikizumab:IL-13:IL-13Ra1, no signal).

Assembly (reference csv): IL-4 binds IL-4Ra, then recruits gamma-c (type I) or IL-13Ra1 (type II); IL-13 binds
IL-13Ra1, then recruits IL-4Ra (type II). Second-chain recruitment is a 2D reaction with a fitted effective
membrane area; a ternary complex falls apart by losing its second chain. Each free chain is synthesised at
``kint_free * copies`` and internalised at ``kint_free``; ligand complexes (decoy and drug:IL-13 complexes included)
at ``kint_complex``; a drug:chain complex at the drug's own rate.

Assumptions: (1) the medium is in excess, so IL-4, IL-13 and drug concentrations are constant (no depletion by
the cells), unless ``volume_per_cell_pL`` is given to :func:`steady_state`; (2) drugs that bind a cytokine bind it
in solution at equilibrium with independent sites, drug depletion included (at 1 nM and kon 1e6 1/(M*s)
equilibrium takes ~15 min, at therapeutic 10-100 nM seconds); a complex that blocks receptor binding is inert; one
that blocks IL-4Ra recruitment binds IL-13Ra1 like IL-13 but neither recruits IL-4Ra nor binds IL-13Ra2 (not in
the reference; left out); (3) a drug binds its chain monovalently (no avidity); (4) pSTAT6 is a saturable function
of the type I + type II complexes per cell, ``S^h / (S^h + K^h)``. Drugs are named by their records (shipped names,
or records in ``drugs_nM``'s keys through :func:`adqsp.drugs.registry.resolve`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import brentq, least_squares, root

from adqsp.drugs.record import DrugRecord
from adqsp.drugs.registry import resolve
from adqsp.errors import InputError
from adqsp.receptor.constants import (
    CELLS,
    CHAINS,
    CYTOKINES,
    FITTED_CELLS,
    PSTAT6_EC50_TARGETS_PM,
    typical_values,
)
from adqsp.receptor.motifs import Binder, binder_parameters, receptor_binder

#: the species without drugs, in order; drug complexes follow (:func:`species`)
BASE_SPECIES = (
    "il4ra",
    "gammac",
    "il13ra1",
    "il13ra2",
    "il4_il4ra",
    "type1",
    "type2_il4",
    "il13_il13ra1",
    "type2_il13",
    "il13_il13ra2",
)
#: which drug-free species hold each chain (for mass balances)
BASE_CHAIN_SPECIES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "il4ra": ("il4ra", "il4_il4ra", "type1", "type2_il4", "type2_il13"),
        "gammac": ("gammac", "type1"),
        "il13ra1": ("il13ra1", "type2_il4", "il13_il13ra1", "type2_il13"),
        "il13ra2": ("il13ra2", "il13_il13ra2"),
    }
)
PER_PM_MIN = 60e-12  # kon [1/(M*s)] * C [pM] * PER_PM_MIN = pseudo-first-order rate [1/min]
MOLECULES_PER_PM_PL = 0.6022  # molecules in 1 pL at 1 pM
TOP_PM = 1e6  # highest cytokine concentration of a dose-response (1 uM): taken as the maximal response

Drugs = Mapping[str | DrugRecord, float]


def species(binders: tuple[Binder, ...] = ()) -> tuple[str, ...]:
    """Species names: the drug-free ones, then each chain binder's complex, then each recruitment blocker's."""
    return (
        *BASE_SPECIES,
        *(f"{b.drug}_{b.chain}" for b in binders if b.chain is not None),
        *(f"{b.drug}_il13_il13ra1" for b in binders if b.blocks_recruitment),
    )


def chain_species(binders: tuple[Binder, ...] = ()) -> dict[str, tuple[str, ...]]:
    """Which species hold each chain, the drugs' complexes included."""
    out = {chain: list(members) for chain, members in BASE_CHAIN_SPECIES.items()}
    for b in binders:
        if b.chain is not None:
            out[b.chain].append(f"{b.drug}_{b.chain}")
        elif b.blocks_recruitment:
            out["il13ra1"].append(f"{b.drug}_il13_il13ra1")
    return {chain: tuple(members) for chain, members in out.items()}


@dataclass(frozen=True)
class Rates:
    """Rate constants of one cell in one medium, all per minute (2D recruitment per copy per minute); the drugs'
    in the order of ``binders`` (chain binders: ``chain_*``; recruitment blockers: ``held_on``)."""

    binders: tuple[Binder, ...]
    synthesis: tuple[float, float, float, float]  # IL-4Ra, gamma-c, IL-13Ra1, IL-13Ra2 (copies/min)
    kint_free: float
    kint_complex: float
    il4_on: float  # kon * [free IL-4]
    il4_off: float
    il13_on: float  # kon * [free IL-13]
    il13_off: float
    decoy_on: float  # IL-13Ra2: kon * [free IL-13]
    decoy_off: float
    recruit_type1: float
    recruit_type2_il4: float
    recruit_type2_il13: float
    recruit_off: float
    il4_free_pM: float  # IL-4 bound to no drug, in the medium
    il13_free_pM: float  # IL-13 bound to no drug, in the medium
    chain_on: tuple[float, ...] = ()  # kon * [drug], per chain binder
    chain_off: tuple[float, ...] = ()
    chain_kint: tuple[float, ...] = ()
    held_on: tuple[float, ...] = ()  # IL-13 kon * [drug:IL-13], per recruitment blocker

    @property
    def chain_binders(self) -> tuple[Binder, ...]:
        return tuple(b for b in self.binders if b.chain is not None)

    @property
    def species(self) -> tuple[str, ...]:
        return species(self.binders)


def in_solution(
    total_pM: float, binders: tuple[Binder, ...], drugs_nM: tuple[float, ...], values: Mapping[str, float]
) -> tuple[float, tuple[float, ...]]:
    """(free cytokine, cytokine held by each binder) in pM from the total (pM) and the binders' concentrations (nM).

    Equilibrium in solution with ``rc_<drug>_sites`` independent sites per molecule, drug depletion included (the
    cytokine's mass balance is solved exactly).
    """
    sites = [values[f"rc_{b.drug}_sites"] * 1e3 * c for b, c in zip(binders, drugs_nM, strict=True)]
    kds = [1e3 * values[f"rc_{b.drug}_kd_nM"] for b in binders]
    if total_pM <= 0.0 or sum(sites) == 0.0:
        return max(total_pM, 0.0), tuple(0.0 for _ in binders)

    def excess(free: float) -> float:
        return free + sum(n * free / (kd + free) for n, kd in zip(sites, kds, strict=True)) - total_pM

    free = brentq(excess, 0.0, total_pM, xtol=1e-15 * total_pM, rtol=1e-14)
    return free, tuple(n * free / (kd + free) for n, kd in zip(sites, kds, strict=True))


def check_inputs(cell: str, drugs_nM: Drugs | None) -> tuple[tuple[Binder, ...], tuple[float, ...]]:
    """Validate the cell and the drugs and their concentrations: the drugs' motifs and concentrations (nM)."""
    if cell not in CELLS:
        raise InputError("cell", f"unknown cell type {cell!r} (allowed: {', '.join(CELLS)})")
    binders, concentrations = [], []
    for drug, conc in (drugs_nM or {}).items():
        binders.append(receptor_binder(resolve(drug)))
        if not conc >= 0.0:
            raise InputError("drug_nM", f"drug concentration must be >= 0 nM, got {conc}")
        concentrations.append(float(conc))
    return tuple(binders), tuple(concentrations)


def drug_values(binders: tuple[Binder, ...]) -> dict[str, float]:
    """The binders' declared constants by name."""
    return {p.name: p.value for b in binders for p in binder_parameters(b)}


def rates(
    cell: str,
    il4_pM: float,
    il13_pM: float,
    drugs_nM: Drugs | None = None,
    values: Mapping[str, float] | None = None,
) -> Rates:
    """Per-minute rate constants for ``cell`` in a medium of IL-4 and IL-13 (pM, drug-bound included) and drugs."""
    binders, conc = check_inputs(cell, drugs_nM)
    v = {**typical_values(), **drug_values(binders), **(values or {})}
    for name, c in (("il4_pM", il4_pM), ("il13_pM", il13_pM)):
        if not (np.isfinite(c) and c >= 0.0):
            raise InputError(name, f"cytokine concentration must be finite and >= 0 pM, got {c}")
    by_ligand = {}
    for ligand, total in (("il4", il4_pM), ("il13", il13_pM)):
        mine = [(b, c) for b, c in zip(binders, conc, strict=True) if b.ligand == ligand]
        free, held = in_solution(total, tuple(b for b, _ in mine), tuple(c for _, c in mine), v)
        by_ligand[ligand] = (free, dict(zip((b.drug for b, _ in mine), held, strict=True)))
    il4_free, il13_free = by_ligand["il4"][0], by_ligand["il13"][0]
    copies = [v[f"rc_{cell}_{chain}_copies"] for chain in CHAINS]
    decoy_kon = v["rc_il13ra2_koff"] / (v["rc_il13ra2_kd_nM"] * 1e-9)
    per_copy = v["rc_recruit_koff"] / v["rc_recruit_area_um2"]
    chain = [(b, c) for b, c in zip(binders, conc, strict=True) if b.chain is not None]
    return Rates(
        binders=binders,
        synthesis=tuple(v["rc_kint_free"] * c for c in copies),  # type: ignore[arg-type]
        kint_free=v["rc_kint_free"],
        kint_complex=v["rc_kint_complex"],
        il4_on=v["rc_il4_kon"] * PER_PM_MIN * il4_free,
        il4_off=v["rc_il4_koff"] * 60.0,
        il13_on=v["rc_il13_kon"] * PER_PM_MIN * il13_free,
        il13_off=v["rc_il13_kon"] * v["rc_il13_kd_nM"] * 1e-9 * 60.0,
        decoy_on=decoy_kon * PER_PM_MIN * il13_free,
        decoy_off=v["rc_il13ra2_koff"] * 60.0,
        recruit_type1=per_copy / v["rc_type1_kd_2d"],
        recruit_type2_il4=per_copy / v["rc_type2_il4_kd_2d"],
        recruit_type2_il13=per_copy / v["rc_type2_il13_kd_2d"],
        recruit_off=v["rc_recruit_koff"],
        il4_free_pM=il4_free,
        il13_free_pM=il13_free,
        chain_on=tuple(v[f"rc_{b.drug}_kon"] * PER_PM_MIN * 1e3 * c for b, c in chain),
        chain_off=tuple(v[f"rc_{b.drug}_kon"] * v[f"rc_{b.drug}_kd_nM"] * 1e-9 * 60.0 for b, _ in chain),
        chain_kint=tuple(v[f"rc_{b.drug}_kint"] for b, _ in chain),
        held_on=tuple(
            v["rc_il13_kon"] * PER_PM_MIN * by_ligand["il13"][1][b.drug] for b in binders if b.blocks_recruitment
        ),
    )


def rhs(t: float, y: np.ndarray, r: Rates) -> np.ndarray:
    """Time derivatives (copies/cell/min) of the species in :attr:`Rates.species` order."""
    r4, g, r13, a2, b4, t1, t2a, b13, t2b, q = y[: len(BASE_SPECIES)]
    n_chain = len(r.chain_binders)
    drug_bound = y[len(BASE_SPECIES) : len(BASE_SPECIES) + n_chain]
    held = y[len(BASE_SPECIES) + n_chain :]
    free = {"il4ra": r4, "gammac": g, "il13ra1": r13}
    s4, sg, s13, sa = r.synthesis
    v_il4 = r.il4_on * r4 - r.il4_off * b4
    v_t1 = r.recruit_type1 * b4 * g - r.recruit_off * t1
    v_t2a = r.recruit_type2_il4 * b4 * r13 - r.recruit_off * t2a
    v_il13 = r.il13_on * r13 - r.il13_off * b13
    v_t2b = r.recruit_type2_il13 * b13 * r4 - r.recruit_off * t2b
    v_decoy = r.decoy_on * a2 - r.decoy_off * q
    v_drug = [
        on * free[b.chain] - off * d
        for b, on, off, d in zip(r.chain_binders, r.chain_on, r.chain_off, drug_bound, strict=True)
    ]
    v_held = [on * r13 - r.il13_off * e for on, e in zip(r.held_on, held, strict=True)]
    lost = {chain: sum(v for b, v in zip(r.chain_binders, v_drug, strict=True) if b.chain == chain) for chain in free}
    kc = r.kint_complex
    return np.array(
        [
            s4 - r.kint_free * r4 - v_il4 - v_t2b - lost["il4ra"],
            sg - r.kint_free * g - v_t1 - lost["gammac"],
            s13 - r.kint_free * r13 - v_t2a - v_il13 - sum(v_held) - lost["il13ra1"],
            sa - r.kint_free * a2 - v_decoy,
            v_il4 - v_t1 - v_t2a - kc * b4,
            v_t1 - kc * t1,
            v_t2a - kc * t2a,
            v_il13 - v_t2b - kc * b13,
            v_t2b - kc * t2b,
            v_decoy - kc * q,
            *(v - k * d for v, k, d in zip(v_drug, r.chain_kint, drug_bound, strict=True)),
            *(v - kc * e for v, e in zip(v_held, held, strict=True)),
        ]
    )


def _complexes(r: Rates, r4: float, g: float, r13: float) -> np.ndarray:
    """Every species at steady state given the free IL-4Ra, gamma-c and IL-13Ra1 (exact, closed form)."""
    kc, kr = r.kint_complex, r.recruit_off
    free = {"il4ra": r4, "gammac": g, "il13ra1": r13}
    x1 = r.recruit_type1 * g / (kr + kc)
    x2 = r.recruit_type2_il4 * r13 / (kr + kc)
    b4 = r.il4_on * r4 / (r.il4_off + kc * (1.0 + x1 + x2))
    x3 = r.recruit_type2_il13 * r4 / (kr + kc)
    b13 = r.il13_on * r13 / (r.il13_off + kc * (1.0 + x3))
    a2 = r.synthesis[3] / (r.kint_free + r.decoy_on * kc / (r.decoy_off + kc))
    return np.array(
        [
            r4,
            g,
            r13,
            a2,
            b4,
            x1 * b4,
            x2 * b4,
            b13,
            x3 * b13,
            r.decoy_on * a2 / (r.decoy_off + kc),
            *(
                on * free[b.chain] / (off + k)
                for b, on, off, k in zip(r.chain_binders, r.chain_on, r.chain_off, r.chain_kint, strict=True)
            ),
            *(on * r13 / (r.il13_off + kc) for on in r.held_on),
        ]
    )


def internalisation(r: Rates, y: np.ndarray) -> np.ndarray:
    """Internalisation flux (copies/cell/min) of each species."""
    k = np.full(len(r.species), r.kint_complex)
    k[:4] = r.kint_free
    k[len(BASE_SPECIES) : len(BASE_SPECIES) + len(r.chain_kint)] = r.chain_kint
    return k * y


def _free_chain_balance(r: Rates) -> np.ndarray:
    """Free IL-4Ra, gamma-c, IL-13Ra1 (copies/cell) at steady state: synthesis = internalisation, per chain."""
    synth = np.array(r.synthesis[:3])
    present = synth > 0.0
    scale = np.where(present, synth / r.kint_free, 1.0)
    index = {name: i for i, name in enumerate(r.species)}
    held_by = chain_species(r.binders)
    members = [[index[s] for s in held_by[c]] for c in ("il4ra", "gammac", "il13ra1")]

    def chains(z: np.ndarray) -> np.ndarray:
        return np.where(present, np.exp(z) * scale, 0.0)

    def residual(z: np.ndarray) -> np.ndarray:
        flux = internalisation(r, _complexes(r, *chains(z)))
        lost = np.array([flux[m].sum() for m in members])
        return np.where(present, lost / np.where(present, synth, 1.0) - 1.0, z)

    kc = r.kint_complex
    drug_loss = {c: 0.0 for c in ("il4ra", "gammac", "il13ra1")}
    for b, on, off, k in zip(r.chain_binders, r.chain_on, r.chain_off, r.chain_kint, strict=True):
        drug_loss[b.chain] += on * k / (off + k)
    first = np.array(
        [  # chains bound by their first ligand (or drug) only: the starting guess
            r.kint_free + drug_loss["il4ra"] + r.il4_on * kc / (r.il4_off + kc),
            r.kint_free + drug_loss["gammac"],
            r.kint_free + drug_loss["il13ra1"] + (r.il13_on + sum(r.held_on)) * kc / (r.il13_off + kc),
        ]
    )
    sol = root(residual, np.log(r.kint_free / first), method="hybr", options={"xtol": 1e-12})
    if np.max(np.abs(residual(sol.x))) > 1e-9:  # hybr may stop "without progress" at machine precision
        raise RuntimeError(f"receptor steady state not found: {sol.message}")
    return chains(sol.x)


@dataclass(frozen=True)
class SteadyState:
    """Steady state of one cell: ``amounts[species]`` in copies/cell, free ligand in pM, pSTAT6 (0-1)."""

    cell: str
    amounts: Mapping[str, float]
    il4_free_pM: float
    il13_free_pM: float
    pstat6: float
    binders: tuple[Binder, ...] = ()

    @property
    def type1(self) -> float:
        """Type I signalling complexes (copies/cell)."""
        return self.amounts["type1"]

    @property
    def type2(self) -> float:
        """Type II signalling complexes, IL-4 and IL-13 (copies/cell)."""
        return self.amounts["type2_il4"] + self.amounts["type2_il13"]

    @property
    def il4ra_occupancy(self) -> float:
        """Fraction of all IL-4Ra bound by a drug."""
        bound = sum(self.amounts[f"{b.drug}_il4ra"] for b in self.binders if b.chain == "il4ra")
        return bound / max(sum(self.amounts[s] for s in chain_species(self.binders)["il4ra"]), 1e-12)


def pstat6(signalling: float | np.ndarray, cell: str, values: Mapping[str, float] | None = None) -> float | np.ndarray:
    """pSTAT6 (fraction of maximum) from type I + type II complexes per cell."""
    v = {**typical_values(), **(values or {})}
    s, k, h = np.maximum(signalling, 0.0), v[f"rc_{cell}_pstat6_k"], v["rc_pstat6_hill"]
    return s**h / (s**h + k**h)


def steady_state(
    cell: str,
    il4_pM: float,
    il13_pM: float,
    drugs_nM: Drugs | None = None,
    values: Mapping[str, float] | None = None,
    volume_per_cell_pL: float | None = None,
) -> SteadyState:
    """Steady state of the full model for constant medium concentrations (pM; drugs in nM), solved algebraically.

    With ``volume_per_cell_pL`` the cytokine concentrations are instead the totals in that volume per cell
    (free + antibody-bound + bound to the cell, as in tissue where production replaces what is internalised),
    and the free concentrations are solved for: this is where the decoy IL-13Ra2 acts, by holding IL-13.
    """
    if volume_per_cell_pL is None:
        return _steady_state_free(cell, il4_pM, il13_pM, drugs_nM, values)
    per_pM = MOLECULES_PER_PM_PL * volume_per_cell_pL
    totals = np.array([il4_pM, il13_pM])
    present = totals > 0.0

    def in_solution(z: np.ndarray) -> np.ndarray:
        """IL-4 and IL-13 in solution (pM; IL-13 free + antibody-bound) as fractions exp(z) of the totals."""
        return np.where(present, np.exp(z) * totals, 0.0)

    def residual(z: np.ndarray) -> np.ndarray:
        sol4, sol13 = in_solution(z)
        a = _steady_state_free(cell, sol4, sol13, drugs_nM, values).amounts
        bound4 = (a["il4_il4ra"] + a["type1"] + a["type2_il4"]) / per_pM
        held = [x for x in a if x.endswith("_il13_il13ra1") and x != "il13_il13ra1"]
        bound13 = sum(a[x] for x in ("il13_il13ra1", "type2_il13", "il13_il13ra2", *held))
        bound13 /= per_pM
        total = np.array([sol4 + bound4, sol13 + bound13])
        return np.where(present, total / np.where(present, totals, 1.0) - 1.0, z)

    sol = root(residual, np.zeros(2), method="hybr", options={"xtol": 1e-12})
    if np.max(np.abs(residual(sol.x))) > 1e-9:  # hybr may stop "without progress" at machine precision
        raise RuntimeError(f"free cytokine in a finite volume not found: {sol.message}")
    return _steady_state_free(cell, *in_solution(sol.x), drugs_nM, values)


def _steady_state_free(
    cell: str, il4_pM: float, il13_pM: float, drugs_nM: Drugs | None, values: Mapping[str, float] | None
) -> SteadyState:
    r = rates(cell, il4_pM, il13_pM, drugs_nM, values)
    y = _complexes(r, *_free_chain_balance(r))
    amounts = dict(zip(r.species, (float(x) for x in y), strict=True))
    signalling = amounts["type1"] + amounts["type2_il4"] + amounts["type2_il13"]
    return SteadyState(
        cell=cell,
        amounts=MappingProxyType(amounts),
        il4_free_pM=float(r.il4_free_pM),
        il13_free_pM=float(r.il13_free_pM),
        pstat6=float(pstat6(signalling, cell, values)),
        binders=r.binders,
    )


@dataclass(frozen=True)
class TimeCourse:
    """Species (copies/cell, ``amounts[species, time]``) and pSTAT6 at the times ``t_min`` (min)."""

    cell: str
    t_min: np.ndarray
    amounts: np.ndarray
    pstat6: np.ndarray
    names: tuple[str, ...] = BASE_SPECIES

    def species(self, name: str) -> np.ndarray:
        """One species over time (copies/cell)."""
        return self.amounts[self.names.index(name)]


def time_course(
    cell: str,
    il4_pM: float,
    il13_pM: float,
    t_min: np.ndarray,
    drugs_nM: Drugs | None = None,
    values: Mapping[str, float] | None = None,
    y0: np.ndarray | None = None,
) -> TimeCourse:
    """Integrate the full model (BDF) in a constant medium from ``y0`` (copies/cell).

    Default ``y0``: cells equilibrated with the drug but no cytokine, i.e. cytokine added at ``t = 0`` after
    drug pre-incubation, as in an assay.
    """
    t = np.asarray(t_min, float)
    r = rates(cell, il4_pM, il13_pM, drugs_nM, values)
    if y0 is None:
        y0 = np.array([_steady_state_free(cell, 0.0, 0.0, drugs_nM, values).amounts[s] for s in r.species])
    sol = solve_ivp(rhs, (t[0], t[-1]), y0, method="BDF", t_eval=t, args=(r,), rtol=1e-8, atol=1e-8)
    if not sol.success:
        raise RuntimeError(f"receptor time course failed: {sol.message}")
    index = [r.species.index(s) for s in ("type1", "type2_il4", "type2_il13")]
    signalling = sol.y[index].sum(0)
    return TimeCourse(cell, t, sol.y, np.asarray(pstat6(signalling, cell, values)), r.species)


def response(
    cytokine: str,
    cell: str,
    cytokine_pM: float,
    drugs_nM: Drugs | None = None,
    values: Mapping[str, float] | None = None,
    volume_per_cell_pL: float | None = None,
) -> float:
    """Steady-state pSTAT6 (0-1) of ``cell`` with one cytokine at ``cytokine_pM`` (pM), see :func:`steady_state`."""
    if cytokine not in CYTOKINES:
        raise InputError("cytokine", f"unknown cytokine {cytokine!r} (allowed: {', '.join(CYTOKINES)})")
    il4, il13 = (cytokine_pM, 0.0) if cytokine == "IL-4" else (0.0, cytokine_pM)
    return steady_state(cell, il4, il13, drugs_nM, values, volume_per_cell_pL).pstat6


def ec50_pM(
    cytokine: str,
    cell: str,
    drugs_nM: Drugs | None = None,
    values: Mapping[str, float] | None = None,
    volume_per_cell_pL: float | None = None,
) -> tuple[float, float]:
    """(EC50 in pM, maximal response): half of the response at :data:`TOP_PM` (1 uM), found by bisection."""
    top = response(cytokine, cell, TOP_PM, drugs_nM, values, volume_per_cell_pL)

    def half(log_c: float) -> float:
        return response(cytokine, cell, 10.0**log_c, drugs_nM, values, volume_per_cell_pL) - 0.5 * top

    return 10.0 ** brentq(half, -6.0, np.log10(TOP_PM), xtol=1e-6), top


def fit_pstat6(values: Mapping[str, float] | None = None) -> dict[str, float]:
    """Refit the effective recruitment area and the monocyte/fibroblast pSTAT6 K to the measured EC50s.

    Least squares on log EC50 against the geometric middle of each measured range
    (:data:`~adqsp.receptor.constants.PSTAT6_EC50_TARGETS_PM`). Returns the fitted values by parameter name;
    copy them into ``constants.py``. Takes a few seconds.
    """
    base = {**typical_values(), **(values or {})}
    names = ("rc_recruit_area_um2", *(f"rc_{cell}_pstat6_k" for cell in FITTED_CELLS))
    targets = {key: np.sqrt(lo * hi) for key, (lo, hi) in PSTAT6_EC50_TARGETS_PM.items()}

    def residual(log_x: np.ndarray) -> np.ndarray:
        trial = {**base, **dict(zip(names, np.exp(log_x), strict=True))}
        return np.array(
            [np.log(ec50_pM(cyt, cell, None, trial)[0] / target) for (cell, cyt), target in targets.items()]
        )

    sol = least_squares(residual, np.log([base[n] for n in names]), x_scale=1.0, diff_step=1e-4)
    return dict(zip(names, (float(x) for x in np.exp(sol.x)), strict=True))
