"""IL-13 held by an antibody in the skin, with the complexes' own turnover.

A cytokine bound by an antibody no longer turns over as the free cytokine does (in minutes): the complex stays in
the tissue until it drains with the interstitial fluid or a receptor takes it up, and it gives its cytokine back at
the antibody's off-rate. So total IL-13 accumulates under an IL-13 antibody, and free IL-13 is set by how fast the
complexes leave, not by the affinity alone. In each site the free IL-13 is at quasi-steady state and the complex
``C`` (pM) is a state:

    free  = (k_f L0 + koff C) / (k_f + kon S)
    dC/dt = kon S free - (koff + k_drain + share k_f) C

``L0`` (``<site>_IL13_pM``): the IL-13 the site's cells make, as the level it reaches without drug (production /
``k_f``); ``S``: the antibody's binding sites in the skin (sites x ``<drug>_skin_nM``); ``kon`` and ``koff = kon KD``
from the drug's record; ``k_f``: free IL-13's clearance; ``k_drain``: the complexes' drainage with lymph;
``share``: the complex's receptor uptake as a fraction of ``k_f`` (lebrikizumab's complexes through IL-13Ra2). At
steady state ``free / L0 = 1 / (1 + (kon S / k_f) (k_drain + share k_f) / (koff + k_drain + share k_f))``. Complexes
that leave only with lymph (tralokinumab) accumulate until they give back what production adds: free IL-13 then
depends on the off-rate and the drainage, not on kon. Complexes cleared as fast as the free cytokine (share 1,
lebrikizumab), far faster than they come apart, make binding a capture: free IL-13 is about
``L0 / (1 + kon S / k_f)``, set by the association rate (assumed for both antibodies), not by the affinity.

IL-4 binders (none shipped) stay at binding equilibrium in solution (:mod:`adqsp.receptor.qss`).
"""

from __future__ import annotations

from adqsp.model.declaration import Assignment, Parameter, State
from adqsp.model.units import PER_M_S_TO_PER_NM_DAY
from adqsp.receptor.motifs import Binder

PARAMETERS = (
    Parameter(
        "il13_clearance",
        180.0,
        "1/day",
        "Hood J et al. Pharmaceutics 2021;13:519 (Kout 180 1/day, 95% CI 143-227: free IL-13 elimination in serum,"
        " half-life about 6 min); applied to the skin interstitium: assumed",
        description="clearance of free IL-13 (receptor uptake, decoy receptor, degradation, drainage)",
    ),
    Parameter(
        "complex_drainage",
        0.306,
        "1/day",
        "assumed: an IgG-sized complex leaves the skin interstitium with lymph at the rate an injected IgG leaves the"
        " subcutaneous space (dupilumab absorption rate constant 0.306 1/day, Kovalenko P et al. Clin Pharmacol Drug"
        " Dev 2020;9:756)",
        description="drainage of antibody:IL-13 complexes from the skin interstitium",
    ),
)


def turnover_binders(binders: tuple[Binder, ...]) -> tuple[Binder, ...]:
    """The binders whose complexes turn over in tissue: those of IL-13 (at most one per model)."""
    mine = tuple(b for b in binders if b.ligand == "il13")
    if len(mine) > 1:
        raise ValueError("one IL-13 binder per model: the complexes' turnover is written for one antibody")
    return mine


def complex_state(site: str, binder: Binder) -> State:
    return State(
        complex_name(site, binder),
        0.0,
        "pM",
        f"{site}: IL-13 held by {binder.drug} in the interstitium",
        scale=10.0,
    )


def complex_name(site: str, binder: Binder) -> str:
    return f"{site}_il13_{binder.drug}_complex_pM"


def complex_assignments(site: str, binder: Binder, made_pM: str) -> tuple[Assignment, ...]:
    """The binding rate per free IL-13, free IL-13 at quasi-steady state (``<site>_il13_unbound_pM``) and total
    IL-13 (``<site>_il13_total_pM``), given the IL-13 the site makes (``made_pM``, as its drug-free level)."""
    s, d, c = site, binder.drug, complex_name(site, binder)
    on, koff = f"{s}_{d}_il13_on", _koff(binder)
    return (
        Assignment(
            on,
            f"rc_{d}_kon * {PER_M_S_TO_PER_NM_DAY} * rc_{d}_sites * max({binder.concentration}, 0.0)",
            "1/day",
            f"{s}: IL-13 binding rate to {d}",
        ),
        Assignment(
            f"{s}_il13_unbound_pM",
            f"(il13_clearance * max({made_pM}, 0.0) + {koff} * {c}) / (il13_clearance + {on})",
            "pM",
            f"{s}: IL-13 bound to no drug",
        ),
        Assignment(f"{s}_il13_total_pM", f"{s}_il13_unbound_pM + {c}", "pM", f"{s}: IL-13, free and drug-bound"),
    )


def complex_rate(site: str, binder: Binder) -> str:
    """The rate of the site's complex (pM/day): formed, released, drained and taken up."""
    d, c = binder.drug, complex_name(site, binder)
    out = f"{_koff(binder)} + complex_drainage + rc_{d}_complex_clearance * il13_clearance"
    return f"{site}_{d}_il13_on * {site}_il13_unbound_pM - ({out}) * {c}"


def _koff(binder: Binder) -> str:
    d = binder.drug
    return f"rc_{d}_kon * {PER_M_S_TO_PER_NM_DAY} * rc_{d}_kd_nM"
