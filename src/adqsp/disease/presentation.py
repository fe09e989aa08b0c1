"""Antigen presentation and T-cell priming (time in days).

Dendritic cells (Langerhans cells and dermal DCs) take up antigen in each skin site and emigrate to the
skin-draining lymph node (``node``), where they prime naive T cells into Th2, Th1, Th17 and Th22 effectors. The
effectors join a circulating pool per subset and re-enter the skin, where local antigen restimulates them
(:mod:`adqsp.disease.skin`). Skin-homing Th2, Th17 and Th22 cells carry CCR4 and follow CCL17 (TARC) and CCL22,
which keratinocytes and dendritic cells make on STAT6 signalling; Th1 cells home by CXCR3 (Campbell JJ et al.
Nature 1999;400:776; Reiss Y et al. J Exp Med 2001;194:1541).

IL-4 acts on priming through the receptor layer: the node's lymphocytes see the IL-4 and IL-13 that primed Th2
cells make there and the drug that lymph brings from the skin interstitium, and their STAT6 activity raises the
Th2 fate (Kaplan MH et al. Immunity 1996;4:313; Shimoda K et al. Nature 1996;380:630: STAT6-deficient T cells make
no Th2 response) and restrains the Th1 and Th17 fates (assumed: IL-4 opposes both). The node's receptor state uses
the shared quasi-steady state with one chain-depletion correction and every binder at equilibrium in solution (the
node holds no antibody:IL-13 complex state; the skin sites model those complexes' turnover, and with it they need
no correction step). Priming needs T-cell activation, so a calcineurin inhibitor scales it as it scales the
expansion in skin and the cytokines T cells make. The node's STAT6 activity also drives the
IgE class switch of B cells (serum IgE, :mod:`adqsp.disease.skin`). So blocking IL-4Ra lowers Th2 priming in the
node, not only signalling in the skin.

Cell numbers are in arbitrary units (AU): DCs per unit of antigen, a pool per DC at the node.
"""

from __future__ import annotations

from adqsp.disease.inhibition import Activities
from adqsp.model.declaration import Assignment, Parameter, State
from adqsp.model.units import GUARD_SIGNAL
from adqsp.receptor.motifs import Binder
from adqsp.receptor.qss import receptor_assignments

#: T-helper subsets primed in the node, each with a circulating effector pool ``<subset>_pool``
SUBSETS = ("th2", "th1", "th17", "th22")
#: subsets that home to skin by CCR4 (CCL17/CCL22); Th1 by CXCR3
CCR4_SUBSETS = ("th2", "th17", "th22")
NODE = "node"

PARAMETERS = (
    Parameter(
        "dc_emigration",
        0.5,
        "1/day",
        "assumed: antigen-laden dermal DCs reach the skin-draining lymph node within 1-2 days and Langerhans cells"
        " within about 4 days of skin sensitisation (Kissenpfennig A et al. Immunity 2005;22:643)",
        description="emigration of antigen-bearing dendritic cells from skin to the draining lymph node",
    ),
    Parameter(
        "dc_node_loss",
        0.35,
        "1/day",
        "assumed: migratory DCs survive 2-3 days in the lymph node (Ruedl C et al. Eur J Immunol 2000;30:2056)",
        description="loss of migratory DCs in the lymph node",
    ),
    Parameter(
        "effector_turnover",
        0.047,
        "1/day",
        "Macallan DC et al. J Exp Med 2004;200:255 (CD4 effector-memory T cells renew at 4.7% per day)",
        description="turnover of the circulating effector T-cell pools (priming to effector, and their loss)",
    ),
    Parameter(
        "priming_gain",
        2.5,
        "AU/AU",
        "assumed: sets the unit of the effector pools (a typical patient's pools near 1 AU)",
        description="circulating effectors per migratory DC in the node at steady state (before the fate factors)",
    ),
    Parameter(
        "node_il4_per_th2",
        0.5,
        "pM/AU",
        "assumed: set so that the typical node's lymphocytes signal well below saturation (follicular helper cells"
        " make the node's IL-4: Reinhardt RL et al. Nat Immunol 2009;10:385)",
        description="IL-4 in the lymph node per circulating Th2 effector (the node's IL-13 takes the skin's"
        " il13_per_th2: assumed)",
    ),
    Parameter(
        "th2_il4_feedback",
        1.0,
        "dimensionless",
        "assumed: IL-4 via STAT6 drives Th2 differentiation (Kaplan MH et al. Immunity 1996;4:313)",
        description="Th2 fate gain at full STAT6 activity of the node's lymphocytes",
    ),
    Parameter(
        "th_il4_inhibition",
        2.0,
        "dimensionless",
        "assumed: IL-4 restrains Th1 and Th17 differentiation",
        description="inhibition of the Th1/Th17 fates at full STAT6 activity of the node's lymphocytes",
    ),
    Parameter(
        "ccr4_homing",
        1.0,
        "dimensionless",
        "assumed: skin-homing memory T cells carry CCR4 (Campbell 1999; Reiss 2001) and keratinocytes make"
        " CCL17/CCL22 on IL-4/IL-13 signalling",
        description="CCR4-dependent homing to skin at full keratinocyte STAT6 activity, relative to homing without",
    ),
)


def site_states(s: str) -> tuple[State, ...]:
    return (
        State(f"{s}_dc", 0.1, "AU", f"{s}: antigen-bearing dendritic cells (Langerhans and dermal DCs)", scale=0.1),
    )


def site_rates(s: str) -> dict[str, str]:
    """DCs take up the site's antigen and emigrate: at steady state they carry the site's antigen load."""
    return {f"{s}_dc": f"dc_emigration * ({s}_antigen - {s}_dc)"}


def homing(s: str, subset: str) -> str:
    """`` * <factor>`` on a subset's expansion at the site: CCR4-dependent recruitment of its circulating effectors
    (none for Th1)."""
    return f" * {s}_ccr4_homing" if subset in CCR4_SUBSETS else ""


def site_assignments(s: str) -> tuple[Assignment, ...]:
    return (
        Assignment(
            f"{s}_ccr4_homing",
            f"1.0 + ccr4_homing * {s}_keratinocyte_stat6",
            "dimensionless",
            f"{s}: CCR4-dependent recruitment of Th2/Th17/Th22 effectors (CCL17/CCL22, STAT6-induced)",
        ),
    )


def node_states() -> tuple[State, ...]:
    return (
        State(
            "node_dc",
            0.1,
            "AU",
            "migratory dendritic cells in the skin-draining lymph node",
            scale=0.1,
            capture="LN_DC",
        ),
        *(
            State(
                f"{x}_pool",
                0.1,
                "AU",
                f"circulating {x.capitalize()} effector cells primed in the lymph node",
                capture=f"{x.capitalize()}_primed",
            )
            for x in SUBSETS
        ),
    )


def node_assignments(binders: tuple[Binder, ...], act: Activities) -> tuple[Assignment, ...]:
    """The node's cytokines, its lymphocytes' receptor state (drug from the skin interstitium, at binding
    equilibrium) and the fate of each subset; needs ``bsa_fraction``."""
    a = Assignment
    return (
        a(
            "node_dc_arrival",
            "dc_emigration * (bsa_fraction * les_dc + (1.0 - bsa_fraction) * non_dc)",
            "AU/day",
            "DCs arriving in the node from lesional and nonlesional skin, by area",
        ),
        a("node_IL4_pM", f"node_il4_per_th2 * th2_pool{act.calcineurin}", "pM", "IL-4 in the lymph node (primed Th2)"),
        a("node_IL13_pM", f"il13_per_th2 * th2_pool{act.calcineurin}", "pM", "IL-13 in the lymph node (primed Th2)"),
        *receptor_assignments(
            NODE,
            "node_IL4_pM",
            "node_IL13_pM",
            binders,
            cells=("lymphocyte",),
            signalling={"type1": act.jak1_jak3, "type2": act.jak1_tyk2},
        ),
        a(
            "node_lymphocyte_stat6",
            f"1.0 / (1.0 + stat6_half_lymphocyte / max(node_lymphocyte_pstat6, {GUARD_SIGNAL}))",
            "dimensionless",
            "STAT6-driven transcriptional activity of lymph-node lymphocytes (Th2 fate, B-cell IgE class switch; 0-1)",
            "LN_STAT6",
        ),
        a(
            "node_th_restraint",
            "1.0 / (1.0 + th_il4_inhibition * node_lymphocyte_stat6)",
            "dimensionless",
            "IL-4 restraint of the Th1/Th17 fates in the lymph node",
        ),
        a(
            "node_th2_fate",
            "1.0 + th2_il4_feedback * node_lymphocyte_stat6",
            "dimensionless",
            "Th2 fate per DC (IL-4-dependent)",
        ),
    )


def node_rates(act: Activities) -> dict[str, str]:
    fate = {"th2": " * node_th2_fate", "th1": " * node_th_restraint", "th17": " * node_th_restraint", "th22": ""}
    return {
        "node_dc": "node_dc_arrival - dc_node_loss * node_dc",
        **{
            f"{x}_pool": f"effector_turnover * (priming_gain * node_dc{fate[x]}{act.calcineurin} - {x}_pool)"
            for x in SUBSETS
        },
    }
