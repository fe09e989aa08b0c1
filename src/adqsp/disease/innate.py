"""Innate type 2 cells: ILC2s, basophils and mast cells (the IgE loop), and eosinophils (time in days).

- **ILC2s** live in the skin and renew locally (Gasteiger G et al. Science 2015;350:981); the alarmins TSLP
  (Kim BS et al. Sci Transl Med 2013;5:170ra16) and IL-33, released by damaged keratinocytes, activate them, and
  basophil IL-4 raises their response (through IL-4Ra: Imai Y. Allergol Int 2023;72:201); they make IL-13 (and
  IL-5) without antigen.
- **Basophils and mast cells** carry IgE on FcεRI, whose density follows serum IgE (FcεRI is stabilised by bound
  IgE): allergen cross-links it and they release IL-4 (basophils) and IL-13 (mast cells; the basophils' IL-13 is
  left out). When IgE
  falls, basophil FcεRI falls within weeks and skin mast-cell FcεRI within months (under omalizumab: basophil
  function -74% within about 45 days, Eckman JA et al. JACI 2010;125:889; skin mast-cell FcεRI lower at day 70 but
  not day 7, Beck LA et al. JACI 2004;114:527). So the type 2 cytokines feed IgE (class switch) and IgE feeds the
  type 2 cytokines back: the IgE loop, slowed by IgE's own months-long fall.
- **Eosinophils** are made in the marrow on IL-5, stay about a day in blood (25.2 h, Farahi N et al. Blood
  2012;120:4068) and leave for tissue where CCL26 (eotaxin-3) and VCAM-1, both STAT6-induced in skin, recruit them.
  IL-5 comes from the circulating Th2 cells and the skin's ILC2s, which follow the skin's disease, and from type 2
  cells the skin's disease and IL-4Ra blockade do not set (``il5_other``: the ILC2s that keep eosinophils in every
  tissue, Nussbaum JC et al. Nature 2013;502:245, and IL-5 producers outside the skin). Blocking IL-4Ra cuts the
  recruitment at once while production falls only part of the way and slowly: blood eosinophils rise for a while,
  then return (the mechanism proposed by Olaguibel JM et al. J Investig Allergol Clin Immunol 2022;32:165).
  ``eos_il5_gain`` and ``il5_other`` are fitted to that course (:mod:`adqsp.trial.eosinophils`). Eosinophils are a
  read-out: their own IL-4/IL-13 is left out.

Cell levels are in arbitrary units (AU) except blood eosinophils (cells/uL); FcεRI is a fraction of its maximal
density.
"""

from __future__ import annotations

from adqsp.model.declaration import Assignment, Parameter, State

EOS_FIT = (
    "fitted: jointly (eos_il5_gain, il5_other) to blood eosinophils under dupilumab (calibration_targets.csv, pooled"
    " phase 3: baseline 434-600 cells/uL, week 4 410-710, back to baseline by week 24, median change 0%) on the SOLO 1"
    " q2w arm to week 24 (1000 patients, seed 20161), adqsp.trial.eosinophils.fit"
)

PARAMETERS = (
    Parameter(
        "il33_per_damage",
        1.0,
        "AU",
        "assumed: IL-33 is released by damaged keratinocytes",
        description="IL-33 per unit barrier loss",
    ),
    Parameter(
        "ilc2_turnover",
        0.05,
        "1/day",
        "assumed: tissue-resident ILC2s renew locally and slowly (Gasteiger 2015)",
        description="ILC2 turnover (activation and loss)",
    ),
    Parameter(
        "ilc2_alarmin",
        1.0,
        "AU/AU",
        "assumed: TSLP and IL-33 activate skin ILC2s (Kim 2013; Salimi M et al. J Exp Med 2013;210:2939)",
        description="ILC2s per unit alarmin (TSLP + IL-33)",
    ),
    Parameter(
        "ilc2_il4_gain",
        1.0,
        "dimensionless",
        "assumed: basophil IL-4 activates ILC2s through IL-4Ra (Imai 2023)",
        description="ILC2 gain at full lymphocyte STAT6 activity",
    ),
    Parameter(
        "il13_per_ilc2",
        0.5,
        "pM/AU",
        "assumed: ILC2s are a minor IL-13 source beside Th2 cells",
        description="IL-13 per ILC2",
    ),
    Parameter(
        "fceri_ige_half",
        1000.0,
        "IU/mL",
        "assumed: FcεRI density rises with serum IgE over the range seen in atopic disease",
        description="serum IgE giving half the maximal FcεRI density",
    ),
    Parameter(
        "basophil_fceri_rate",
        0.04,
        "1/day",
        "assumed: basophil FcεRI follows an IgE fall within weeks (under omalizumab basophil histamine release fell"
        " 74% within about 45 days, Eckman 2010; a fall of about 97% by day 90 is recalled from MacGlashan DW et al."
        " J Immunol 1997;158:1438, not checked)",
        description="basophil FcεRI relaxation to serum IgE",
    ),
    Parameter(
        "mast_fceri_rate",
        0.015,
        "1/day",
        "assumed: skin mast-cell FcεRI lower at day 70 but not at day 7 after an IgE fall (Beck 2004)",
        description="skin mast-cell FcεRI relaxation to serum IgE",
    ),
    Parameter(
        "il4_per_basophil",
        0.3,
        "pM/AU",
        "assumed: basophils release IL-4 on FcεRI cross-linking (as much as the Th2 cells of a typical lesion)",
        description="IL-4 per unit basophil activation (FcεRI x antigen)",
    ),
    Parameter(
        "il13_per_mast",
        0.5,
        "pM/AU",
        "assumed: mast cells are a minor IL-13 source beside Th2 cells",
        description="IL-13 per unit mast-cell activation (FcεRI x antigen)",
    ),
    Parameter(
        "eos_healthy",
        150.0,
        "cells/uL",
        "assumed: blood eosinophils of healthy adults, about 100-200 cells/uL (normal below 500)",
        description="blood eosinophils without type 2 activity",
    ),
    Parameter(
        "eos_blood_loss",
        0.95,
        "1/day",
        "Farahi N et al. Blood 2012;120:4068 (intravascular residence 25.2 h)",
        description="eosinophils leaving blood (to tissue or death) without type 2 recruitment",
    ),
    Parameter(
        "il5_other",
        8.439,
        "AU",
        f"{EOS_FIT}; 95% interval 3.20-22.3. Ties to the ILC2s that keep eosinophils in every tissue (Nussbaum JC"
        " et al. Nature 2013;502:245); its size is what the target asks: without it, at the fitted gain, blood"
        " eosinophils would start at 284 cells/uL and fall 29% by week 24 under dupilumab",
        description="IL-5 from type 2 cells the skin's disease and IL-4Ra blockade do not set (tissue ILC2s, IL-5"
        " producers outside the skin), in units of the circulating Th2 pool",
    ),
    Parameter(
        "eos_il5_gain",
        0.2488,
        "1/AU",
        f"{EOS_FIT}; 95% interval 0.125-0.495",
        description="eosinophil production per IL-5",
    ),
    Parameter(
        "eos_homing_gain",
        1.0,
        "dimensionless",
        "assumed: CCL26 and VCAM-1 are STAT6-induced in skin (Bao L et al. Mol Immunol 2012;50:91); not fitted:"
        " beside eos_il5_gain and il5_other the eosinophil target leaves it undetermined (adqsp.trial.eosinophils)",
        description="eosinophil recruitment to skin at full keratinocyte STAT6 activity, relative to the baseline exit",
    ),
    Parameter(
        "eos_tissue_loss",
        0.2,
        "1/day",
        "assumed: eosinophils survive days in tissue",
        description="loss of eosinophils from lesional skin",
    ),
)


def site_states(s: str) -> tuple[State, ...]:
    return (State(f"{s}_ilc2", 0.1, "AU", f"{s}: ILC2s", capture="ILC2" if s == "les" else ""),)


def site_assignments(s: str, jak1_jak2: str) -> tuple[Assignment, ...]:
    """The site's IL-33 and the activation of its mast cells and basophils (needs ``<s>_antigen``)."""
    return (
        Assignment(f"{s}_IL33", f"il33_per_damage * (1.0 - {s}_barrier)", "AU", f"{s}: IL-33 (alarmin)"),
        Assignment(
            f"{s}_ilc2_alarmin",
            f"{s}_tslp{jak1_jak2} + {s}_IL33",
            "AU",
            f"{s}: alarmin signal to ILC2s (TSLP through JAK1/JAK2, IL-33)",
        ),
        Assignment(
            f"{s}_basophil_activation",
            f"basophil_fceri * {s}_antigen",
            "AU",
            f"{s}: basophil activation (FcεRI x antigen)",
        ),
        Assignment(
            f"{s}_mast_activation",
            f"mast_fceri * {s}_antigen",
            "AU",
            f"{s}: mast-cell activation (FcεRI x antigen)",
            "mast_activation" if s == "les" else "",
        ),
    )


def site_rates(s: str) -> dict[str, str]:
    return {
        f"{s}_ilc2": f"ilc2_turnover * (ilc2_alarmin * {s}_ilc2_alarmin * (1.0 + ilc2_il4_gain * {s}_lymphocyte_stat6)"
        f" - {s}_ilc2)"
    }


def patient_states() -> tuple[State, ...]:
    return (
        State("basophil_fceri", 0.5, "fraction", "basophil FcεRI density (of maximal)", capture="basophil_FceRI"),
        State("mast_fceri", 0.5, "fraction", "skin mast-cell FcεRI density (of maximal)", capture="mast_FceRI"),
        State("eos_blood", "eos_healthy", "cells/uL", "blood eosinophils", scale=100.0, capture="eosinophils"),
        State("les_eos", 1.0, "AU", "lesional skin eosinophils (1 = healthy skin)", capture="eosinophils_skin"),
    )


def patient_assignments(calcineurin: str = "") -> tuple[Assignment, ...]:
    """IL-5 and the skin's eosinophil recruitment (needs ``bsa_fraction``, ``th2_pool`` and the sites' states);
    ``calcineurin``: the factor on T cells' cytokines under a calcineurin inhibitor (none without one)."""
    return (
        Assignment(
            "fceri_target",
            "ige / (ige + fceri_ige_half)",
            "fraction",
            "FcεRI density that serum IgE holds (of maximal)",
        ),
        Assignment(
            "il5",
            f"il5_other + th2_pool{calcineurin} + bsa_fraction * les_ilc2 + (1.0 - bsa_fraction) * non_ilc2",
            "AU",
            "IL-5 (from circulating Th2 cells, skin ILC2s and type 2 cells the skin does not set)",
        ),
        Assignment(
            "eos_recruitment",
            "1.0 + eos_homing_gain * (bsa_fraction * les_CCL26 + (1.0 - bsa_fraction) * non_CCL26)",
            "dimensionless",
            "eosinophil exit from blood relative to healthy (CCL26/eotaxin-3 and VCAM-1, STAT6-induced)",
        ),
    )


def patient_rates() -> dict[str, str]:
    return {
        "basophil_fceri": "basophil_fceri_rate * (fceri_target - basophil_fceri)",
        "mast_fceri": "mast_fceri_rate * (fceri_target - mast_fceri)",
        "eos_blood": "eos_blood_loss * (eos_healthy * (1.0 + eos_il5_gain * il5) - eos_recruitment * eos_blood)",
        "les_eos": "eos_tissue_loss * (eos_blood / eos_healthy * (1.0 + eos_homing_gain * les_CCL26) - les_eos)",
    }
