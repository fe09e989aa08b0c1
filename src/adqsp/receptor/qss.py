"""Closed-form quasi-steady state of the receptor layer, declared as assignments of the one model.

Receptor assembly settles within about an hour (:mod:`adqsp.receptor.kinetics`), so on the disease time scale
(days) each cell sits at its receptor steady state. The steady state of the full model is written without
iteration:

1. ligand-free free chains, exact with turnover: IL-4Ra with dupilumab binding and internalisation of the
   dupilumab:IL-4Ra complex, IL-13Ra1 with the lebrikizumab:IL-13 complex, gamma-c at its copy number;
2. ``corrections`` explicit fixed-point steps (default 1) that lower each free chain for the complexes that the
   cytokines form with it (chain depletion), from the complex levels of the previous step;
3. complexes from the corrected free chains with the exact steady-state formulas of the full model (linear in the
   free cytokine for given free chains), then pSTAT6 = S^h / (S^h + K^h), S = type I + type II complexes.

IL-13 is free or bound to tralokinumab / lebrikizumab in solution at equilibrium (two sites per IgG, antibody
depletion included: exact for one antibody, sequential when both are given); IL-4 and IL-13 (pM) are the tissue
concentrations in solution, not depleted by the cells. Validity (tested against the
full kinetic steady state for every cell type, dupilumab / tralokinumab / lebrikizumab 0-100 nM): with one
correction, complexes within 2% and pSTAT6 within 1% for IL-4 and IL-13 each 0-30 pM; beyond ~100 pM (strong
chain depletion) use ``corrections=2`` (within 1% up to 100 pM each).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import numpy as np

from adqsp.model.codegen import CompiledModel, compile_model
from adqsp.model.declaration import Assignment, Model, Parameter
from adqsp.receptor.constants import CELLS, all_parameters

TISSUE_CELLS = ("keratinocyte", "lymphocyte", "sensory_neuron")
DRUG_INPUTS = ("dupilumab_skin_nM", "tralokinumab_skin_nM", "lebrikizumab_skin_nM")

# derived constants (1/min), declared once as parameter-only assignments (constants in SBML)
KI, KC, KD_INT, KR = "rc_kint_free", "rc_kint_complex", "rc_kint_drug", "rc_recruit_koff"
IL4_OFF, IL13_OFF, DECOY_OFF, DUP_OFF = "rc_il4_off", "rc_il13_off", "rc_decoy_off", "rc_dup_off"
RECRUIT = {kind: f"rc_recruit_{kind}" for kind in ("type1", "type2_il4", "type2_il13")}


def receptor_constants() -> tuple[Assignment, ...]:
    """Rate constants derived from the declared parameters (no state dependence)."""
    recruit = {
        kind: Assignment(
            RECRUIT[kind],
            f"rc_recruit_koff / (rc_recruit_area_um2 * rc_{kind}_kd_2d) / ({KR} + {KC})",
            "cell/copies",
            f"2D recruitment of the second chain ({kind}) per copy, over (recruit koff + internalisation)",
        )
        for kind in RECRUIT
    }
    return (
        Assignment(IL4_OFF, "rc_il4_koff * 60.0", "1/min", "IL-4:IL-4Ra dissociation"),
        Assignment(IL13_OFF, "rc_il13_kon * rc_il13_kd_nM * 6e-08", "1/min", "IL-13:IL-13Ra1 dissociation"),
        Assignment(DECOY_OFF, "rc_il13ra2_koff * 60.0", "1/min", "IL-13:IL-13Ra2 dissociation"),
        Assignment(DUP_OFF, "rc_dupilumab_kon * rc_dupilumab_kd_nM * 6e-08", "1/min", "dupilumab:IL-4Ra dissociation"),
        *recruit.values(),
    )


def receptor_parameters() -> tuple[Parameter, ...]:
    """Every constant the receptor assignments use (all cell types), each declared once."""
    return all_parameters()


def receptor_assignments(
    site: str,
    il4_pM: str,
    il13_pM: str,
    cells: tuple[str, ...] = TISSUE_CELLS,
    corrections: int = 1,
    il13_antibodies: tuple[str, ...] = ("tralokinumab", "lebrikizumab"),
) -> tuple[Assignment, ...]:
    """Quasi-steady-state receptor assignments for one tissue site.

    ``il4_pM`` / ``il13_pM`` name the model's tissue IL-4 and total IL-13 (pM); the drug inputs are the model's
    ``dupilumab_skin_nM``, ``tralokinumab_skin_nM``, ``lebrikizumab_skin_nM``. Defines, per site,
    ``{site}_il13_free_pM`` and ``{site}_il13_lebrikizumab_pM`` and per cell ``{site}_{cell}_`` +
    ``il4ra_occupancy`` (dupilumab-bound fraction of IL-4Ra), ``type1``, ``type2_il4``, ``type2_il13``,
    ``type2``, ``dupilumab_il4ra``, ``il13_decoy`` (copies/cell), ``pstat6`` (0-1), and the intermediates of
    each step ``n`` (``il4ra_free_s{n}``, ``gammac_free_s{n}``, ``il13ra1_free_s{n}``, ``il4_il4ra_s{n}``,
    ``il13_il13ra1_s{n}``; the last step is the result). IL-13 antibodies left out of ``il13_antibodies`` are
    known to be absent (zero concentration), so their binding terms are dropped: the same values, shorter formulas.
    """
    unknown = set(cells) - set(CELLS)
    if unknown:
        raise ValueError(f"unknown cell types {sorted(unknown)} (allowed: {', '.join(CELLS)})")
    if corrections < 0:
        raise ValueError("corrections must be >= 0")
    s = site
    shared = (
        Assignment(
            f"{s}_il13_untralo_pM",
            _unbound(f"max({il13_pM}, 0.0)", "tralokinumab")
            if "tralokinumab" in il13_antibodies
            else f"max({il13_pM}, 0.0)",
            "pM",
            f"{s}: IL-13 not bound to tralokinumab",
        ),
        Assignment(
            f"{s}_il13_free_pM",
            _unbound(f"{s}_il13_untralo_pM", "lebrikizumab")
            if "lebrikizumab" in il13_antibodies
            else f"{s}_il13_untralo_pM",
            "pM",
            f"{s}: IL-13 bound to neither antibody",
        ),
        Assignment(
            f"{s}_il13_lebrikizumab_pM",
            f"{s}_il13_untralo_pM - {s}_il13_free_pM" if "lebrikizumab" in il13_antibodies else "0.0",
            "pM",
            f"{s}: lebrikizumab:IL-13 complex in solution",
        ),
        Assignment(
            f"{s}_il4_on",
            f"rc_il4_kon * 6e-11 * max({il4_pM}, 0.0)",
            "1/min",
            f"{s}: IL-4 binding rate per free IL-4Ra",
        ),
        Assignment(
            f"{s}_il13_on",
            f"rc_il13_kon * 6e-11 * {s}_il13_free_pM",
            "1/min",
            f"{s}: IL-13 binding rate per free IL-13Ra1",
        ),
        Assignment(
            f"{s}_leb_on",
            f"rc_il13_kon * 6e-11 * {s}_il13_lebrikizumab_pM",
            "1/min",
            f"{s}: lebrikizumab:IL-13 binding rate per free IL-13Ra1",
        ),
        Assignment(
            f"{s}_decoy_on",
            f"rc_il13ra2_koff * 0.06 / rc_il13ra2_kd_nM * {s}_il13_free_pM",
            "1/min",
            f"{s}: IL-13 binding rate per free IL-13Ra2 (kon = koff / KD)",
        ),
        Assignment(
            f"{s}_dup_on",
            "rc_dupilumab_kon * 6e-08 * dupilumab_skin_nM",
            "1/min",
            f"{s}: dupilumab binding rate per free IL-4Ra",
        ),
    )
    return shared + tuple(a for cell in cells for a in _cell(s, cell, corrections))


def _unbound(il13: str, drug: str) -> str:
    """IL-13 (pM) left unbound by ``drug`` at equilibrium in solution: the root of the quadratic mass balance,
    written in the form without cancellation for either sign of ``b = sites + KD - IL-13``."""
    sites, kd = f"(rc_igg_sites * 1000.0 * {drug}_skin_nM)", f"(1000.0 * rc_{drug}_kd_nM)"
    b = f"({sites} + {kd} - {il13})"
    root = f"sqrt({b} * {b} + 4.0 * {kd} * {il13})"
    return f"where({b} > 0.0, 2.0 * {kd} * {il13} / ({b} + {root}), 0.5 * ({root} - {b}))"


def _cell(site: str, cell: str, corrections: int) -> tuple[Assignment, ...]:
    p, c = f"{site}_{cell}", f"rc_{cell}"
    a4, a13, ae, ad, aq = (f"{site}_{x}" for x in ("il4_on", "il13_on", "leb_on", "dup_on", "decoy_on"))
    dup_loss = f"{ad} * {KD_INT} / ({DUP_OFF} + {KD_INT})"
    leb_loss = f"{ae} * {KC} / ({IL13_OFF} + {KC})"
    out = [
        Assignment(
            f"{p}_il4ra_free_s0",
            f"{c}_il4ra_copies * {KI} / ({KI} + {dup_loss})",
            "copies/cell",
            f"{p}: free IL-4Ra without cytokine (dupilumab bound, turnover)",
        ),
        Assignment(f"{p}_gammac_free_s0", f"{c}_gammac_copies", "copies/cell", f"{p}: free gamma-c without cytokine"),
        Assignment(
            f"{p}_il13ra1_free_s0",
            f"{c}_il13ra1_copies * {KI} / ({KI} + {leb_loss})",
            "copies/cell",
            f"{p}: free IL-13Ra1 without IL-13 (lebrikizumab:IL-13 bound)",
        ),
    ]
    for n in range(corrections + 1):
        r4, g, r13 = (f"{p}_{chain}_free_s{n}" for chain in ("il4ra", "gammac", "il13ra1"))
        x4 = f"(1.0 + {RECRUIT['type1']} * {g} + {RECRUIT['type2_il4']} * {r13})"
        x13 = f"(1.0 + {RECRUIT['type2_il13']} * {r4})"
        b4, b13 = f"{p}_il4_il4ra_s{n}", f"{p}_il13_il13ra1_s{n}"
        out += [
            Assignment(b4, f"{a4} * {r4} / ({IL4_OFF} + {KC} * {x4})", "copies/cell", f"{p}: IL-4:IL-4Ra, step {n}"),
            Assignment(
                b13, f"{a13} * {r13} / ({IL13_OFF} + {KC} * {x13})", "copies/cell", f"{p}: IL-13:IL-13Ra1, step {n}"
            ),
        ]
        if n == corrections:
            break
        il4_loss = f"{a4} * {x4} / ({IL4_OFF} + {KC} * {x4})"
        il13_loss = f"{a13} * {x13} / ({IL13_OFF} + {KC} * {x13})"
        out += [
            Assignment(
                f"{p}_il4ra_free_s{n + 1}",
                f"{c}_il4ra_copies * {KI} / ({KI} + {dup_loss} + {KC} * "
                f"({il4_loss} + {RECRUIT['type2_il13']} * {b13}))",
                "copies/cell",
                f"{p}: free IL-4Ra, depletion step {n + 1}",
            ),
            Assignment(
                f"{p}_gammac_free_s{n + 1}",
                f"{c}_gammac_copies * {KI} / ({KI} + {KC} * {RECRUIT['type1']} * {b4})",
                "copies/cell",
                f"{p}: free gamma-c, depletion step {n + 1}",
            ),
            Assignment(
                f"{p}_il13ra1_free_s{n + 1}",
                f"{c}_il13ra1_copies * {KI} / ({KI} + {leb_loss} + {KC} * "
                f"({il13_loss} + {RECRUIT['type2_il4']} * {b4}))",
                "copies/cell",
                f"{p}: free IL-13Ra1, depletion step {n + 1}",
            ),
        ]
    il4ra_total = f"({r4} + {p}_dupilumab_il4ra + {b4} + {p}_type1 + {p}_type2)"
    signal = f"({p}_type1 + {p}_type2)"
    h, k = "rc_pstat6_hill", f"{c}_pstat6_k"
    return (
        *out,
        Assignment(
            f"{p}_type1",
            f"{RECRUIT['type1']} * {g} * {b4}",
            "copies/cell",
            f"{p}: type I complexes IL-4:IL-4Ra:gamma-c",
        ),
        Assignment(
            f"{p}_type2_il4",
            f"{RECRUIT['type2_il4']} * {r13} * {b4}",
            "copies/cell",
            f"{p}: type II complexes IL-4:IL-4Ra:IL-13Ra1",
        ),
        Assignment(
            f"{p}_type2_il13",
            f"{RECRUIT['type2_il13']} * {r4} * {b13}",
            "copies/cell",
            f"{p}: type II complexes IL-13:IL-13Ra1:IL-4Ra",
        ),
        Assignment(
            f"{p}_type2", f"{p}_type2_il4 + {p}_type2_il13", "copies/cell", f"{p}: type II signalling complexes"
        ),
        Assignment(
            f"{p}_dupilumab_il4ra", f"{ad} * {r4} / ({DUP_OFF} + {KD_INT})", "copies/cell", f"{p}: dupilumab:IL-4Ra"
        ),
        Assignment(
            f"{p}_il4ra_occupancy",
            f"{p}_dupilumab_il4ra / max({il4ra_total}, 1e-12)",
            "dimensionless",
            f"{p}: fraction of IL-4Ra bound by dupilumab",
        ),
        Assignment(
            f"{p}_il13_decoy",
            f"{c}_il13ra2_copies * {KI} * {aq} / ({KI} * ({DECOY_OFF} + {KC}) + {aq} * {KC})",
            "copies/cell",
            f"{p}: IL-13:IL-13Ra2 decoy complexes",
        ),
        Assignment(
            f"{p}_pstat6",
            f"1.0 / (1.0 + ({k} / max({signal}, 1e-30)) ** {h})",
            "dimensionless",
            f"{p}: pSTAT6, fraction of maximum",
        ),
    )


@lru_cache(maxsize=4)
def _compiled(corrections: int) -> CompiledModel:
    inputs = tuple(
        Parameter(name, 0.0, unit, "input of the QSS evaluation")
        for name, unit in (("qss_il4_pM", "pM"), ("qss_il13_pM", "pM"), *((d, "nM") for d in DRUG_INPUTS))
    )
    model = Model(
        name="receptor_qss",
        parameters=(*receptor_parameters(), *inputs),
        states=(),
        assignments=(
            *receptor_constants(),
            *receptor_assignments("qss", "qss_il4_pM", "qss_il13_pM", CELLS, corrections),
        ),
        rates={},
    )
    return compile_model(model)


def evaluate(
    cell: str,
    il4_pM: float | np.ndarray,
    il13_pM: float | np.ndarray,
    dupilumab_nM: float | np.ndarray = 0.0,
    tralokinumab_nM: float | np.ndarray = 0.0,
    lebrikizumab_nM: float | np.ndarray = 0.0,
    values: Mapping[str, float] | None = None,
    corrections: int = 1,
) -> dict[str, np.ndarray]:
    """The QSS assignments of one cell for arrays of concentrations (pM; drugs nM), broadcast together.

    Generated from :func:`receptor_assignments` (the formula is written once). Keys drop the site and cell
    prefix: ``il4ra_occupancy``, ``type1``, ``type2``, ``pstat6``, ...
    """
    if cell not in CELLS:
        raise ValueError(f"unknown cell type {cell!r} (allowed: {', '.join(CELLS)})")
    compiled = _compiled(corrections)
    inputs = np.broadcast_arrays(
        *(np.asarray(x, float) for x in (il4_pM, il13_pM, dupilumab_nM, tralokinumab_nM, lebrikizumab_nM))
    )
    shape = inputs[0].shape
    names = ("qss_il4_pM", "qss_il13_pM", *DRUG_INPUTS)
    P = compiled.parameter_matrix(
        {**(values or {}), **dict(zip(names, (x.ravel() for x in inputs), strict=True))}, inputs[0].size
    )
    observed = compiled.observe(0.0, np.empty((0, inputs[0].size)), P)
    prefix = f"qss_{cell}_"
    return {
        name[len(prefix) :]: np.reshape(value, shape) for name, value in observed.items() if name.startswith(prefix)
    }
