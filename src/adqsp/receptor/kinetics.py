"""Full mass-action model of IL-4 / IL-13 receptor assembly on one cell, with turnover and drugs (time in min).

Species (copies/cell), in the order of :data:`SPECIES`: free IL-4Ra, gamma-c, IL-13Ra1, IL-13Ra2;
dupilumab:IL-4Ra; IL-4:IL-4Ra; type I IL-4:IL-4Ra:gamma-c; type II IL-4:IL-4Ra:IL-13Ra1; IL-13:IL-13Ra1;
type II IL-13:IL-13Ra1:IL-4Ra; IL-13:IL-13Ra2 (decoy); lebrikizumab:IL-13:IL-13Ra1 (no signal).

Assembly (reference csv): IL-4 binds IL-4Ra, then recruits gamma-c (type I) or IL-13Ra1 (type II); IL-13 binds
IL-13Ra1, then recruits IL-4Ra (type II). Second-chain recruitment is a 2D reaction with a fitted effective
membrane area; a ternary complex falls apart by losing its second chain. Each free chain is synthesised at
``kint_free * copies`` and internalised at ``kint_free``; ligand complexes (decoy and lebrikizumab complex included)
at ``kint_complex``; dupilumab:IL-4Ra at ``kint_drug``.

Assumptions: (1) the medium is in excess, so IL-4, IL-13 and drug concentrations are constant (no depletion by
the cells), unless ``volume_per_cell_pL`` is given to :func:`steady_state`; (2) the IL-13 antibodies bind IL-13 in
solution at equilibrium, two independent sites per IgG, antibody depletion included (at 1 nM and kon 1e6 1/(M*s)
equilibrium takes ~15 min, at therapeutic 10-100 nM seconds); the tralokinumab complex is inert; the
lebrikizumab complex binds IL-13Ra1 like IL-13 but neither recruits IL-4Ra nor binds IL-13Ra2 (not in the
reference; left out); (3) dupilumab binds IL-4Ra monovalently (no avidity); (4) pSTAT6 is a saturable function
of the type I + type II complexes per cell, ``S^h / (S^h + K^h)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import brentq, least_squares, root

from adqsp.errors import InputError
from adqsp.receptor.constants import (
    CELLS,
    CYTOKINES,
    DRUGS,
    FITTED_CELLS,
    PSTAT6_EC50_TARGETS_PM,
    typical_values,
)

SPECIES = (
    "il4ra",
    "gammac",
    "il13ra1",
    "il13ra2",
    "dupilumab_il4ra",
    "il4_il4ra",
    "type1",
    "type2_il4",
    "il13_il13ra1",
    "type2_il13",
    "il13_il13ra2",
    "lebrikizumab_il13_il13ra1",
)
#: which species hold each chain (for mass balances)
CHAIN_SPECIES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "il4ra": ("il4ra", "dupilumab_il4ra", "il4_il4ra", "type1", "type2_il4", "type2_il13"),
        "gammac": ("gammac", "type1"),
        "il13ra1": ("il13ra1", "type2_il4", "il13_il13ra1", "type2_il13", "lebrikizumab_il13_il13ra1"),
        "il13ra2": ("il13ra2", "il13_il13ra2"),
    }
)
PER_PM_MIN = 60e-12  # kon [1/(M*s)] * C [pM] * PER_PM_MIN = pseudo-first-order rate [1/min]
MOLECULES_PER_PM_PL = 0.6022  # molecules in 1 pL at 1 pM
TOP_PM = 1e6  # highest cytokine concentration of a dose-response (1 uM): taken as the maximal response


@dataclass(frozen=True)
class Rates:
    """Rate constants of one cell in one medium, all per minute (2D recruitment per copy per minute)."""

    synthesis: tuple[float, float, float, float]  # IL-4Ra, gamma-c, IL-13Ra1, IL-13Ra2 (copies/min)
    kint_free: float
    kint_complex: float
    kint_drug: float
    il4_on: float  # kon * [IL-4]
    il4_off: float
    il13_on: float  # kon * [free IL-13]
    il13_off: float
    leb_on: float  # kon * [lebrikizumab:IL-13]
    decoy_on: float  # IL-13Ra2: kon * [free IL-13]
    decoy_off: float
    dup_on: float  # kon * [dupilumab]
    dup_off: float
    recruit_type1: float
    recruit_type2_il4: float
    recruit_type2_il13: float
    recruit_off: float
    il13_free_pM: float  # IL-13 bound to no antibody, in the medium


def il13_in_solution(
    il13_pM: float, tralokinumab_nM: float, lebrikizumab_nM: float, values: Mapping[str, float]
) -> tuple[float, float]:
    """(free IL-13, lebrikizumab-bound IL-13) in pM from total IL-13 (pM) and antibodies (nM).

    Equilibrium in solution with ``rc_igg_sites`` independent IL-13 sites per antibody, antibody depletion
    included (the mass balance of IL-13 is solved exactly).
    """
    sites_t = values["rc_igg_sites"] * 1e3 * tralokinumab_nM  # pM of binding sites
    sites_l = values["rc_igg_sites"] * 1e3 * lebrikizumab_nM
    kd_t, kd_l = 1e3 * values["rc_tralokinumab_kd_nM"], 1e3 * values["rc_lebrikizumab_kd_nM"]
    if il13_pM <= 0.0 or sites_t + sites_l == 0.0:
        return max(il13_pM, 0.0), 0.0

    def excess(free: float) -> float:
        return free + sites_t * free / (kd_t + free) + sites_l * free / (kd_l + free) - il13_pM

    free = brentq(excess, 0.0, il13_pM, xtol=1e-15 * il13_pM, rtol=1e-14)
    return free, sites_l * free / (kd_l + free)


def check_inputs(cell: str, drugs_nM: Mapping[str, float] | None) -> dict[str, float]:
    """Validate the cell and drug names and doses; the drug concentrations (nM) of every drug."""
    if cell not in CELLS:
        raise InputError("cell", f"unknown cell type {cell!r} (allowed: {', '.join(CELLS)})")
    drugs = dict(drugs_nM or {})
    for drug, conc in drugs.items():
        if drug not in DRUGS:
            raise InputError("drug", f"unknown drug {drug!r} (allowed: {', '.join(DRUGS)})")
        if not conc >= 0.0:
            raise InputError("drug_nM", f"drug concentration must be >= 0 nM, got {conc}")
    return {d: float(drugs.get(d, 0.0)) for d in DRUGS}


def rates(
    cell: str,
    il4_pM: float,
    il13_pM: float,
    drugs_nM: Mapping[str, float] | None = None,
    values: Mapping[str, float] | None = None,
) -> Rates:
    """Per-minute rate constants for ``cell`` in a medium of free IL-4 and total IL-13 (pM) and drugs (nM)."""
    v = {**typical_values(), **(values or {})}
    drugs = check_inputs(cell, drugs_nM)
    for name, conc in (("il4_pM", il4_pM), ("il13_pM", il13_pM)):
        if not (np.isfinite(conc) and conc >= 0.0):
            raise InputError(name, f"cytokine concentration must be finite and >= 0 pM, got {conc}")
    il13_free, il13_leb = il13_in_solution(il13_pM, drugs["tralokinumab"], drugs["lebrikizumab"], v)
    copies = [v[f"rc_{cell}_{chain}_copies"] for chain in ("il4ra", "gammac", "il13ra1", "il13ra2")]
    decoy_kon = v["rc_il13ra2_koff"] / (v["rc_il13ra2_kd_nM"] * 1e-9)
    per_copy = v["rc_recruit_koff"] / v["rc_recruit_area_um2"]
    return Rates(
        synthesis=tuple(v["rc_kint_free"] * c for c in copies),  # type: ignore[arg-type]
        kint_free=v["rc_kint_free"],
        kint_complex=v["rc_kint_complex"],
        kint_drug=v["rc_kint_drug"],
        il4_on=v["rc_il4_kon"] * PER_PM_MIN * il4_pM,
        il4_off=v["rc_il4_koff"] * 60.0,
        il13_on=v["rc_il13_kon"] * PER_PM_MIN * il13_free,
        il13_off=v["rc_il13_kon"] * v["rc_il13_kd_nM"] * 1e-9 * 60.0,
        leb_on=v["rc_il13_kon"] * PER_PM_MIN * il13_leb,
        decoy_on=decoy_kon * PER_PM_MIN * il13_free,
        decoy_off=v["rc_il13ra2_koff"] * 60.0,
        dup_on=v["rc_dupilumab_kon"] * PER_PM_MIN * 1e3 * drugs["dupilumab"],
        dup_off=v["rc_dupilumab_kon"] * v["rc_dupilumab_kd_nM"] * 1e-9 * 60.0,
        recruit_type1=per_copy / v["rc_type1_kd_2d"],
        recruit_type2_il4=per_copy / v["rc_type2_il4_kd_2d"],
        recruit_type2_il13=per_copy / v["rc_type2_il13_kd_2d"],
        recruit_off=v["rc_recruit_koff"],
        il13_free_pM=il13_free,
    )


def rhs(t: float, y: np.ndarray, r: Rates) -> np.ndarray:
    """Time derivatives (copies/cell/min) of the species in :data:`SPECIES` order."""
    r4, g, r13, a2, d, b4, t1, t2a, b13, t2b, q, e = y
    s4, sg, s13, sa = r.synthesis
    v_dup = r.dup_on * r4 - r.dup_off * d
    v_il4 = r.il4_on * r4 - r.il4_off * b4
    v_t1 = r.recruit_type1 * b4 * g - r.recruit_off * t1
    v_t2a = r.recruit_type2_il4 * b4 * r13 - r.recruit_off * t2a
    v_il13 = r.il13_on * r13 - r.il13_off * b13
    v_t2b = r.recruit_type2_il13 * b13 * r4 - r.recruit_off * t2b
    v_decoy = r.decoy_on * a2 - r.decoy_off * q
    v_leb = r.leb_on * r13 - r.il13_off * e
    kc = r.kint_complex
    return np.array(
        [
            s4 - r.kint_free * r4 - v_dup - v_il4 - v_t2b,
            sg - r.kint_free * g - v_t1,
            s13 - r.kint_free * r13 - v_t2a - v_il13 - v_leb,
            sa - r.kint_free * a2 - v_decoy,
            v_dup - r.kint_drug * d,
            v_il4 - v_t1 - v_t2a - kc * b4,
            v_t1 - kc * t1,
            v_t2a - kc * t2a,
            v_il13 - v_t2b - kc * b13,
            v_t2b - kc * t2b,
            v_decoy - kc * q,
            v_leb - kc * e,
        ]
    )


def _complexes(r: Rates, r4: float, g: float, r13: float) -> np.ndarray:
    """Every species at steady state given the free IL-4Ra, gamma-c and IL-13Ra1 (exact, closed form)."""
    kc, kr = r.kint_complex, r.recruit_off
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
            r.dup_on * r4 / (r.dup_off + r.kint_drug),
            b4,
            x1 * b4,
            x2 * b4,
            b13,
            x3 * b13,
            r.decoy_on * a2 / (r.decoy_off + kc),
            r.leb_on * r13 / (r.il13_off + kc),
        ]
    )


def internalisation(r: Rates, y: np.ndarray) -> np.ndarray:
    """Internalisation flux (copies/cell/min) of each species."""
    k = np.full(len(SPECIES), r.kint_complex)
    k[:4] = r.kint_free
    k[4] = r.kint_drug
    return k * y


def _free_chain_balance(r: Rates) -> np.ndarray:
    """Free IL-4Ra, gamma-c, IL-13Ra1 (copies/cell) at steady state: synthesis = internalisation, per chain."""
    synth = np.array(r.synthesis[:3])
    present = synth > 0.0
    scale = np.where(present, synth / r.kint_free, 1.0)
    index = {name: i for i, name in enumerate(SPECIES)}
    members = [[index[s] for s in CHAIN_SPECIES[c]] for c in ("il4ra", "gammac", "il13ra1")]

    def chains(z: np.ndarray) -> np.ndarray:
        return np.where(present, np.exp(z) * scale, 0.0)

    def residual(z: np.ndarray) -> np.ndarray:
        flux = internalisation(r, _complexes(r, *chains(z)))
        lost = np.array([flux[m].sum() for m in members])
        return np.where(present, lost / np.where(present, synth, 1.0) - 1.0, z)

    kc = r.kint_complex
    first = np.array(
        [  # chains bound by their first ligand (or drug) only: the starting guess
            r.kint_free + r.dup_on * r.kint_drug / (r.dup_off + r.kint_drug) + r.il4_on * kc / (r.il4_off + kc),
            r.kint_free,
            r.kint_free + (r.il13_on + r.leb_on) * kc / (r.il13_off + kc),
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
        """Fraction of all IL-4Ra bound by dupilumab."""
        return self.amounts["dupilumab_il4ra"] / max(sum(self.amounts[s] for s in CHAIN_SPECIES["il4ra"]), 1e-12)


def pstat6(signalling: float | np.ndarray, cell: str, values: Mapping[str, float] | None = None) -> float | np.ndarray:
    """pSTAT6 (fraction of maximum) from type I + type II complexes per cell."""
    v = {**typical_values(), **(values or {})}
    s, k, h = np.maximum(signalling, 0.0), v[f"rc_{cell}_pstat6_k"], v["rc_pstat6_hill"]
    return s**h / (s**h + k**h)


def steady_state(
    cell: str,
    il4_pM: float,
    il13_pM: float,
    drugs_nM: Mapping[str, float] | None = None,
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
        bound13 = sum(a[x] for x in ("il13_il13ra1", "type2_il13", "il13_il13ra2", "lebrikizumab_il13_il13ra1"))
        bound13 /= per_pM
        total = np.array([sol4 + bound4, sol13 + bound13])
        return np.where(present, total / np.where(present, totals, 1.0) - 1.0, z)

    sol = root(residual, np.zeros(2), method="hybr", options={"xtol": 1e-12})
    if np.max(np.abs(residual(sol.x))) > 1e-9:  # hybr may stop "without progress" at machine precision
        raise RuntimeError(f"free cytokine in a finite volume not found: {sol.message}")
    return _steady_state_free(cell, *in_solution(sol.x), drugs_nM, values)


def _steady_state_free(
    cell: str, il4_pM: float, il13_pM: float, drugs_nM: Mapping[str, float] | None, values: Mapping[str, float] | None
) -> SteadyState:
    r = rates(cell, il4_pM, il13_pM, drugs_nM, values)
    y = _complexes(r, *_free_chain_balance(r))
    amounts = dict(zip(SPECIES, (float(x) for x in y), strict=True))
    signalling = amounts["type1"] + amounts["type2_il4"] + amounts["type2_il13"]
    return SteadyState(
        cell=cell,
        amounts=MappingProxyType(amounts),
        il4_free_pM=float(il4_pM),
        il13_free_pM=float(r.il13_free_pM),
        pstat6=float(pstat6(signalling, cell, values)),
    )


@dataclass(frozen=True)
class TimeCourse:
    """Species (copies/cell, ``amounts[species, time]``) and pSTAT6 at the times ``t_min`` (min)."""

    cell: str
    t_min: np.ndarray
    amounts: np.ndarray
    pstat6: np.ndarray

    def species(self, name: str) -> np.ndarray:
        """One species over time (copies/cell)."""
        return self.amounts[SPECIES.index(name)]


def time_course(
    cell: str,
    il4_pM: float,
    il13_pM: float,
    t_min: np.ndarray,
    drugs_nM: Mapping[str, float] | None = None,
    values: Mapping[str, float] | None = None,
    y0: np.ndarray | None = None,
) -> TimeCourse:
    """Integrate the full model (BDF) in a constant medium from ``y0`` (copies/cell).

    Default ``y0``: cells equilibrated with the drug but no cytokine, i.e. cytokine added at ``t = 0`` after
    drug pre-incubation, as in an assay.
    """
    t = np.asarray(t_min, float)
    if y0 is None:
        y0 = np.array([_steady_state_free(cell, 0.0, 0.0, drugs_nM, values).amounts[s] for s in SPECIES])
    r = rates(cell, il4_pM, il13_pM, drugs_nM, values)
    sol = solve_ivp(rhs, (t[0], t[-1]), y0, method="BDF", t_eval=t, args=(r,), rtol=1e-8, atol=1e-8)
    if not sol.success:
        raise RuntimeError(f"receptor time course failed: {sol.message}")
    index = [SPECIES.index(s) for s in ("type1", "type2_il4", "type2_il13")]
    return TimeCourse(cell=cell, t_min=t, amounts=sol.y, pstat6=np.asarray(pstat6(sol.y[index].sum(0), cell, values)))


def response(
    cytokine: str,
    cell: str,
    cytokine_pM: float,
    drugs_nM: Mapping[str, float] | None = None,
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
    drugs_nM: Mapping[str, float] | None = None,
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
