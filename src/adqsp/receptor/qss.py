"""Closed-form quasi-steady state of the receptor layer, declared as assignments of the one model.

Receptor assembly settles within about an hour (:mod:`adqsp.receptor.kinetics`), so on the disease time scale
(days) each cell sits at its receptor steady state. The steady state of the full model is written without
iteration:

1. ligand-free free chains, exact with turnover: each chain with the drugs that bind it (their complexes are
   internalised at their own rates), IL-13Ra1 also with IL-13 held by a drug that blocks IL-4Ra recruitment;
2. ``corrections`` explicit fixed-point steps (default 1) that lower each free chain for the complexes that the
   cytokines form with it (chain depletion), from the complex levels of the previous step;
3. complexes from the corrected free chains with the exact steady-state formulas of the full model (linear in the
   free cytokine for given free chains), then pSTAT6 = S^h / (S^h + K^h), S = type I + type II complexes.

The drugs enter as :class:`~adqsp.receptor.motifs.Binder` motifs. A cytokine is free or bound to its binders in
solution at equilibrium (drug depletion included: exact for one binder, in turn when several are given); IL-4 and
IL-13 (pM) are the tissue concentrations in solution, not depleted by the cells. Validity (tested against the
full kinetic steady state for every cell type, dupilumab / tralokinumab / lebrikizumab 0-100 nM): with one
correction, complexes within 2% and pSTAT6 within 1% for IL-4 and IL-13 each 0-30 pM; beyond ~100 pM (strong
chain depletion) use ``corrections=2`` (within 1% up to 100 pM each).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import numpy as np

from adqsp.drugs.registry import resolve
from adqsp.model.codegen import CompiledModel, compile_model
from adqsp.model.declaration import Assignment, Model, Parameter
from adqsp.model.units import (
    GUARD_COPIES,
    GUARD_SIGNAL,
    PER_M_S_TO_PER_NM_MIN,
    PER_M_S_TO_PER_PM_MIN,
    PER_NM_S_TO_PER_PM_MIN,
    PER_S_TO_PER_MIN,
)
from adqsp.receptor.constants import CELLS, all_parameters
from adqsp.receptor.motifs import Binder, binder_constants, binder_parameters, receptor_binder, unbound

TISSUE_CELLS = ("keratinocyte", "lymphocyte", "sensory_neuron")
#: the site and cell whose IL-4Ra occupancy a trial keeps per visit (as ``il4ra_occupancy``)
CAPTURED_OCCUPANCY = ("les", "keratinocyte")

# derived constants (1/min), declared once as parameter-only assignments (constants in SBML)
KI, KC, KR = "rc_kint_free", "rc_kint_complex", "rc_recruit_koff"
IL4_OFF, IL13_OFF, DECOY_OFF = "rc_il4_off", "rc_il13_off", "rc_decoy_off"
RECRUIT = {kind: f"rc_recruit_{kind}" for kind in ("type1", "type2_il4", "type2_il13")}


def receptor_constants(binders: tuple[Binder, ...] = ()) -> tuple[Assignment, ...]:
    """Rate constants derived from the declared parameters (no state dependence), the binders' included."""
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
        Assignment(IL4_OFF, f"rc_il4_koff * {PER_S_TO_PER_MIN}", "1/min", "IL-4:IL-4Ra dissociation"),
        Assignment(
            IL13_OFF, f"rc_il13_kon * rc_il13_kd_nM * {PER_M_S_TO_PER_NM_MIN}", "1/min", "IL-13:IL-13Ra1 dissociation"
        ),
        Assignment(DECOY_OFF, f"rc_il13ra2_koff * {PER_S_TO_PER_MIN}", "1/min", "IL-13:IL-13Ra2 dissociation"),
        *(a for b in binders for a in binder_constants(b)),
        *recruit.values(),
    )


def receptor_parameters(binders: tuple[Binder, ...] = ()) -> tuple[Parameter, ...]:
    """Every constant the receptor assignments use (all cell types), each declared once, the binders' included."""
    return (*all_parameters(), *(p for b in binders for p in binder_parameters(b)))


def receptor_assignments(
    site: str,
    il4_pM: str,
    il13_pM: str,
    binders: tuple[Binder, ...] = (),
    cells: tuple[str, ...] = TISSUE_CELLS,
    corrections: int = 1,
    signalling: Mapping[str, str] | None = None,
    held: Mapping[str, str] | None = None,
) -> tuple[Assignment, ...]:
    """Quasi-steady-state receptor assignments for one tissue site.

    ``held`` (drug -> expression, pM): IL-13 binders whose complexes the caller models with their own turnover
    (:mod:`adqsp.disease.complexes`); ``il13_pM`` is then already free of them, and the expression is the IL-13 each
    holds (a recruitment blocker's complex still binds IL-13Ra1). Other binders are at equilibrium in solution.

    ``signalling`` (``type1``, ``type2``): a factor suffix (`` * <name>``) on each complex type's contribution to
    pSTAT6, for a drug that inhibits its JAK pair (none by default).

    ``il4_pM`` / ``il13_pM`` name the model's tissue IL-4 and IL-13 (pM, free of drug); each binder's input is the
    model's ``<drug>_skin_nM``. Defines, per site, ``{site}_il4_free_pM`` and ``{site}_il13_free_pM`` (bound to no
    drug), ``{site}_il13_<drug>_pM`` (IL-13 held by a drug that blocks IL-4Ra recruitment) and per cell
    ``{site}_{cell}_`` + ``il4ra_occupancy`` (drug-bound fraction of IL-4Ra), ``type1``, ``type2_il4``,
    ``type2_il13``, ``type2``, ``<drug>_<chain>`` (a chain binder's complexes), ``il13_decoy`` (copies/cell),
    ``pstat6`` (0-1), and the intermediates of each step ``n`` (``il4ra_free_s{n}``, ``gammac_free_s{n}``,
    ``il13ra1_free_s{n}``, ``il4_il4ra_s{n}``, ``il13_il13ra1_s{n}``; the last step is the result).
    """
    unknown = set(cells) - set(CELLS)
    if unknown:
        raise ValueError(f"unknown cell types {sorted(unknown)} (allowed: {', '.join(CELLS)})")
    if corrections < 0:
        raise ValueError("corrections must be >= 0")
    s = site
    shared = [
        *_in_solution(s, "il4", il4_pM, binders),
        *_in_solution(s, "il13", il13_pM, binders, held or {}),
        Assignment(
            f"{s}_il4_on",
            f"rc_il4_kon * {PER_M_S_TO_PER_PM_MIN} * {s}_il4_free_pM",
            "1/min",
            f"{s}: IL-4 binding rate per free IL-4Ra",
        ),
        Assignment(
            f"{s}_il13_on",
            f"rc_il13_kon * {PER_M_S_TO_PER_PM_MIN} * {s}_il13_free_pM",
            "1/min",
            f"{s}: IL-13 binding rate per free IL-13Ra1",
        ),
        Assignment(
            f"{s}_decoy_on",
            f"rc_il13ra2_koff * {PER_NM_S_TO_PER_PM_MIN} / rc_il13ra2_kd_nM * {s}_il13_free_pM",
            "1/min",
            f"{s}: IL-13 binding rate per free IL-13Ra2 (kon = koff / KD)",
        ),
    ]
    for b in binders:
        if b.chain is not None:
            shared.append(
                Assignment(
                    f"{s}_{b.drug}_on",
                    f"rc_{b.drug}_kon * {PER_M_S_TO_PER_NM_MIN} * {b.concentration}",
                    "1/min",
                    f"{s}: {b.drug} binding rate per free {b.mechanism.chain}",
                )
            )
        elif b.blocks_recruitment:
            shared.append(
                Assignment(
                    f"{s}_{b.drug}_on",
                    f"rc_il13_kon * {PER_M_S_TO_PER_PM_MIN} * {s}_il13_{b.drug}_pM",
                    "1/min",
                    f"{s}: {b.drug}:IL-13 binding rate per free IL-13Ra1",
                )
            )
    factors = dict(signalling or {})
    return (*shared, *(a for cell in cells for a in _cell(s, cell, corrections, binders, factors)))


def _in_solution(
    site: str, ligand: str, total_pM: str, binders: tuple[Binder, ...], held: Mapping[str, str] | None = None
) -> tuple[Assignment, ...]:
    """The cytokine left free by its binders, in turn, and what each recruitment-blocking binder holds (pM); the
    binders in ``held`` are the caller's (see :func:`receptor_assignments`)."""
    label = {"il4": "IL-4", "il13": "IL-13"}[ligand]
    held = held or {}
    out = [
        Assignment(f"{site}_{ligand}_{b.drug}_pM", held[b.drug], "pM", f"{site}: {b.drug}:{label}")
        for b in binders
        if b.ligand == ligand and b.drug in held and b.blocks_recruitment
    ]
    mine = [b for b in binders if b.ligand == ligand and b.drug not in held]
    before = f"max({total_pM}, 0.0)"
    if not mine:
        return (*out, Assignment(f"{site}_{ligand}_free_pM", before, "pM", f"{site}: {label} in solution"))
    for k, b in enumerate(mine):
        name = f"{site}_{ligand}_free_pM" if k == len(mine) - 1 else f"{site}_{ligand}_after_{b.drug}_pM"
        what = "bound to no drug" if k == len(mine) - 1 else f"not bound to {b.drug}"
        out.append(Assignment(name, unbound(before, b), "pM", f"{site}: {label} {what}"))
        if b.blocks_recruitment:
            out.append(
                Assignment(f"{site}_{ligand}_{b.drug}_pM", f"{before} - {name}", "pM", f"{site}: {b.drug}:{label}")
            )
        before = name
    return tuple(out)


def _cell(
    site: str, cell: str, corrections: int, binders: tuple[Binder, ...], factors: Mapping[str, str]
) -> tuple[Assignment, ...]:
    p, c = f"{site}_{cell}", f"rc_{cell}"
    a4, a13, aq = (f"{site}_{x}" for x in ("il4_on", "il13_on", "decoy_on"))
    losses: dict[str, list[str]] = {"il4ra": [], "gammac": [], "il13ra1": []}
    for b in binders:
        on, d = f"{site}_{b.drug}_on", b.drug
        if b.chain is not None:
            losses[b.chain].append(f"{on} * rc_{d}_kint / (rc_{d}_off + rc_{d}_kint)")
        elif b.blocks_recruitment:
            losses["il13ra1"].append(f"{on} * {KC} / ({IL13_OFF} + {KC})")

    def free(chain: str, *cytokine: str) -> str:
        terms = [*losses[chain], *cytokine]
        copies = f"{c}_{chain}_copies"
        return f"{copies} * {KI} / ({' + '.join([KI, *terms])})" if terms else copies

    label = {"il4ra": "IL-4Ra", "gammac": "gamma-c", "il13ra1": "IL-13Ra1"}
    out = [
        Assignment(f"{p}_{chain}_free_s0", free(chain), "copies/cell", f"{p}: free {label[chain]} without cytokine")
        for chain in ("il4ra", "gammac", "il13ra1")
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
        depleted = {
            "il4ra": free("il4ra", f"{KC} * ({il4_loss} + {RECRUIT['type2_il13']} * {b13})"),
            "gammac": free("gammac", f"{KC} * {RECRUIT['type1']} * {b4}"),
            "il13ra1": free("il13ra1", f"{KC} * ({il13_loss} + {RECRUIT['type2_il4']} * {b4})"),
        }
        out += [
            Assignment(
                f"{p}_{chain}_free_s{n + 1}", expr, "copies/cell", f"{p}: free {label[chain]}, depletion step {n + 1}"
            )
            for chain, expr in depleted.items()
        ]
    free_now = {"il4ra": r4, "gammac": g, "il13ra1": r13}
    drug_complexes = [
        Assignment(
            f"{p}_{b.drug}_{b.chain}",
            f"{site}_{b.drug}_on * {free_now[b.chain]} / (rc_{b.drug}_off + rc_{b.drug}_kint)",
            "copies/cell",
            f"{p}: {b.drug}:{b.mechanism.chain}",
        )
        for b in binders
        if b.chain is not None
    ]
    on_il4ra = [a.name for a in drug_complexes if a.name.endswith("_il4ra")]
    il4ra_total = f"({' + '.join([r4, *on_il4ra, b4, f'{p}_type1', f'{p}_type2'])})"
    occupancy = f"{' + '.join(on_il4ra)} / max({il4ra_total}, {GUARD_COPIES})" if on_il4ra else "0.0"
    signal = f"({p}_type1{factors.get('type1', '')} + {p}_type2{factors.get('type2', '')})"
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
        *drug_complexes,
        Assignment(
            f"{p}_il4ra_occupancy",
            occupancy,
            "dimensionless",
            f"{p}: fraction of IL-4Ra bound by a drug",
            "il4ra_occupancy" if (site, cell) == CAPTURED_OCCUPANCY else "",
        ),
        Assignment(
            f"{p}_il13_decoy",
            f"{c}_il13ra2_copies * {KI} * {aq} / ({KI} * ({DECOY_OFF} + {KC}) + {aq} * {KC})",
            "copies/cell",
            f"{p}: IL-13:IL-13Ra2 decoy complexes",
        ),
        Assignment(
            f"{p}_pstat6",
            f"1.0 / (1.0 + ({k} / max({signal}, {GUARD_SIGNAL})) ** {h})",
            "dimensionless",
            f"{p}: pSTAT6, fraction of maximum",
        ),
    )


@lru_cache(maxsize=16)
def _compiled(corrections: int, binders: tuple[Binder, ...]) -> CompiledModel:
    inputs = tuple(
        Parameter(name, 0.0, unit, "input of the QSS evaluation")
        for name, unit in (("qss_il4_pM", "pM"), ("qss_il13_pM", "pM"), *((b.concentration, "nM") for b in binders))
    )
    model = Model(
        name="receptor_qss",
        parameters=(*receptor_parameters(binders), *inputs),
        states=(),
        assignments=(
            *receptor_constants(binders),
            *receptor_assignments("qss", "qss_il4_pM", "qss_il13_pM", binders, CELLS, corrections),
        ),
        rates={},
    )
    return compile_model(model)


def evaluate(
    cell: str,
    il4_pM: float | np.ndarray,
    il13_pM: float | np.ndarray,
    drugs_nM: Mapping[str, float | np.ndarray] | None = None,
    values: Mapping[str, float] | None = None,
    corrections: int = 1,
) -> dict[str, np.ndarray]:
    """The QSS assignments of one cell for arrays of concentrations (pM; drugs nM, by shipped drug name or record
    name in ``values``' model), broadcast together.

    Generated from :func:`receptor_assignments` (the formula is written once). Keys drop the site and cell
    prefix: ``il4ra_occupancy``, ``type1``, ``type2``, ``pstat6``, ...
    """
    if cell not in CELLS:
        raise ValueError(f"unknown cell type {cell!r} (allowed: {', '.join(CELLS)})")
    drugs = dict(drugs_nM or {})
    binders = tuple(receptor_binder(resolve(name)) for name in drugs)
    compiled = _compiled(corrections, binders)
    inputs = np.broadcast_arrays(*(np.asarray(x, float) for x in (il4_pM, il13_pM, *drugs.values())))
    shape = inputs[0].shape
    names = ("qss_il4_pM", "qss_il13_pM", *(b.concentration for b in binders))
    P = compiled.parameter_matrix(
        {**(values or {}), **dict(zip(names, (x.ravel() for x in inputs), strict=True))}, inputs[0].size
    )
    observed = compiled.observe(0.0, np.empty((0, inputs[0].size)), P)
    prefix = f"qss_{cell}_"
    return {
        name[len(prefix) :]: np.reshape(np.broadcast_to(value, (inputs[0].size,)), shape)
        for name, value in observed.items()
        if name.startswith(prefix)
    }
