"""Skin tissue and immune dynamics of atopic dermatitis, for lesional and nonlesional skin (time in days).

Per skin site: barrier integrity, antigen/microbe load, dendritic cells, Th2, Th1, Th17 and Th22 cells, ILC2s and
epidermal thickness (antigen presentation: :mod:`adqsp.disease.presentation`; innate type 2 cells:
:mod:`adqsp.disease.innate`; macrophages: :mod:`adqsp.disease.macrophages`; lesion age:
:mod:`adqsp.disease.lesion_age`); cytokines and alarmins at quasi-steady state (minutes-to-hours turnover). IL-4 and
IL-13 act only through the receptor layer's pSTAT6 in keratinocytes, lymphocytes, sensory neurons and macrophages,
so every drug acts by binding, driven by its PK. Patient level: itch, serum TARC
(CCL17) and serum IgE with its plasma cells (:mod:`adqsp.disease.humoral`).

The immune core follows the structure of Miyano, Irvine & Tanaka (Allergy 2022;77:582): barrier and
pathogen load feed Th differentiation, type 2 cytokines suppress barrier recovery and antimicrobial defence,
IL-22 and IL-31 act on barrier and itch. Cell and cytokine levels are in arbitrary units (AU) with the typical
lesional baseline near 1; type 2 cytokines are in pM so they can drive the receptor layer.
"""

from __future__ import annotations

from adqsp.disease import humoral, innate, lesion_age, macrophages, presentation
from adqsp.disease.complexes import PARAMETERS as COMPLEX_PARAMETERS
from adqsp.disease.complexes import complex_assignments, complex_name, complex_rate, complex_state, turnover_binders
from adqsp.disease.inhibition import Activities, Inhibitor, activities, inhibition_assignments, inhibitor_parameters
from adqsp.disease.pathways import pathway_assignments
from adqsp.model.declaration import Assignment, Model, Parameter, State
from adqsp.model.units import GUARD_SIGNAL, TWO_PI
from adqsp.receptor.motifs import Binder
from adqsp.receptor.qss import TISSUE_CELLS, receptor_assignments

SITES = ("les", "non")
CELLS = ("keratinocyte", "lymphocyte", "sensory_neuron")
MIYANO = "structure as in Miyano, Irvine & Tanaka, Allergy 2022;77:582"
CAL = "calibrated: SOLO 1 week-16 endpoints and SOLO baseline (reference/calibration_targets.csv)"
#: typical value and between-patient log-SD both fitted (the spread shapes the responder rates)
CAL_SPREAD = f"{CAL}; typical value and log-SD"
PELISTAD = "Cork MJ et al. Ann Allergy Asthma Immunol 2026 (PELISTAD baseline; calibration_targets.csv)"
ASSUMED = "assumed"
#: an assumed value for which neither the code nor its history gives a reason or a source
NO_SOURCE = "assumed: no source found (value set by hand)"
#: how far receptor blockade must go before transcription falls: the weekly and 2-weekly arms' similar
#: response (both near full IL-4Ra occupancy) constrains it
STAT6_SCALE = f"{CAL}; started from the receptor layer's pSTAT6 at typical lesional IL-4/IL-13"
HAND_SET = "assumed: set by hand during model building (not yet fitted)"


def _p(name: str, value: float, unit: str, source: str, description: str, log_sd: float = 0.0) -> Parameter:
    return Parameter(name, value, unit, source, log_sd, description)


PARAMETERS = (
    # environment and flares (the trial's own effect on exposure: adqsp.conduct.participation)
    _p("exposure_les", 6.0, "AU/day", CAL, "antigen/microbe exposure of lesional skin", 0.45),
    _p("exposure_non_ratio", 0.25, "dimensionless", CAL, "nonlesional / lesional exposure"),
    _p(
        "flare_amplitude",
        0.35,
        "dimensionless",
        CAL,
        "log-amplitude of environmental flares (exposure x e^(a sin))",
        0.4,
    ),
    _p("flare_period", 56.0, "day", f"{ASSUMED}: AD activity fluctuates over weeks to months", "flare cycle", 0.3),
    _p("flare_phase", 0.0, "rad", "sampled uniformly on [0, 2 pi) per patient", "flare phase at enrolment"),
    # STAT6-driven transcription: saturates at low receptor occupancy (spare receptors)
    _p("stat6_half_keratinocyte", 0.2, "dimensionless", STAT6_SCALE, "keratinocyte pSTAT6 at half-maximal effect"),
    _p("stat6_half_lymphocyte", 0.05, "dimensionless", STAT6_SCALE, "lymphocyte pSTAT6 at half-maximal effect"),
    _p("stat6_half_sensory_neuron", 0.09, "dimensionless", STAT6_SCALE, "neuronal pSTAT6 at half-maximal effect"),
    # antigen / microbe load
    _p("antigen_clearance", 1.0, "1/day", f"{ASSUMED} (days-scale clearance; {MIYANO})", "baseline clearance"),
    _p("amp_il17", 0.5, "1/AU", f"{ASSUMED} ({MIYANO}: IL-17 raises clearance)", "IL-17 antimicrobial effect"),
    _p("amp_il22", 0.5, "1/AU", f"{ASSUMED} ({MIYANO}: IL-22 raises clearance)", "IL-22 antimicrobial effect"),
    _p("amp_ifng", 0.3, "1/AU", f"{ASSUMED} ({MIYANO}: IFN-g raises clearance)", "IFN-g antimicrobial effect"),
    _p(
        "amp_stat6_max",
        0.5,
        "dimensionless",
        f"{ASSUMED}: type 2 cytokines suppress antimicrobial peptides (Ong 2002)",
        "maximal suppression of clearance by keratinocyte pSTAT6",
    ),
    # barrier
    _p("barrier_rate", 0.07, "1/day", f"{ASSUMED}: epidermal renewal about 2-4 weeks", "barrier repair rate"),
    _p(
        "barrier_wear",
        0.03,
        "dimensionless",
        f"{ASSUMED}: intrinsic barrier defect (e.g. filaggrin variants)",
        "baseline barrier damage relative to repair",
        0.5,
    ),
    _p("barrier_antigen_damage", 0.2, "1/AU", f"{ASSUMED} (protease damage; {MIYANO})", "damage per antigen load"),
    _p("barrier_scratch_damage", 0.3, "dimensionless", NO_SOURCE, "damage by scratching at NRS 10"),
    _p(
        "barrier_stat6_max",
        0.75,
        "dimensionless",
        "Howell MD et al. JACI 2007;120:150 (IL-4 + IL-13 suppress filaggrin mRNA by 75%)",
        "maximal suppression of barrier repair by keratinocyte pSTAT6",
    ),
    _p("barrier_il22", 0.3, "1/AU", f"{ASSUMED} ({MIYANO}: IL-22 impairs differentiation)", "IL-22 suppression"),
    # T cells
    _p("tcell_loss", 0.08, "1/day", f"{MIYANO} (d9 0.578/week)", "effector T-cell loss rate"),
    _p("th2_drive", 0.016, "1/(AU*day)", CAL_SPREAD, "Th2 expansion per antigen per circulating Th2 effector", 0.5),
    _p("tslp_gain", 0.3, "1/AU", f"{ASSUMED} ({MIYANO}: TSLP/OX40L sustain Th2)", "TSLP amplification of Th2"),
    _p("th1_drive", 0.048, "1/(AU*day)", NO_SOURCE, "Th1 expansion per antigen per circulating Th1 effector", 0.4),
    _p("th17_drive", 0.048, "1/(AU*day)", NO_SOURCE, "Th17 expansion per antigen per circulating Th17 effector", 0.4),
    _p("th22_drive", 0.056, "1/(AU*day)", CAL_SPREAD, "Th22 expansion per antigen per circulating Th22 effector", 0.6),
    _p(
        "th22_autonomous",
        0.02,
        "AU/day",
        f"{CAL_SPREAD} (the spread sets how many lesions persist without type 2 signalling)",
        "antigen-independent Th22/Th17 activation in lesional skin (chronic, IL-22-dominated phenotypes)",
        1.5,
    ),
    # cytokines (quasi-steady state)
    _p(
        "il13_per_th2",
        15.0,
        "pM/AU",
        f"{ASSUMED}: IL-13 is the dominant type 2 cytokine in AD skin (tens of pM); 50 times IL-4's output, a ratio"
        " no paired measurement gives (see il4_per_th2)",
        "IL-13 from type 2 cells",
    ),
    _p(
        "il4_per_th2",
        0.3,
        "pM/AU",
        f"{ASSUMED}: far below IL-13 in AD skin: 'near undetectable IL-4 expression' against dominant IL-13 in"
        " lesional RNA-seq (Tsoi LC et al. J Invest Dermatol 2019;139:1480), skin-homing T cells of AD release"
        " IL-13 'but only very little IL-4' (Akdis CA et al. Int Arch Allergy Immunol 1999;118:140); no paired"
        " IL-4 and IL-13 values in AD skin found, so the 1:50 ratio is set by hand",
        "IL-4 from type 2 cells",
    ),
    _p("tslp_per_antigen", 1.0, "AU/AU", f"{ASSUMED} ({MIYANO}: TSLP from pathogen load)", "TSLP release"),
    # epidermis
    _p("epidermis_healthy_um", 118.2, "um", PELISTAD, "healthy epidermal thickness (OCT)"),
    _p(
        "epidermis_rate",
        0.05,
        "1/day",
        f"{ASSUMED}: keratinocytes cross the viable epidermis in about 14 days (Candi E et al. Nat Rev Mol Cell Biol"
        " 2005;6:328) and the whole epidermis renews in about 28 days; time constant 20 days, between the two",
        "thickness relaxation",
    ),
    _p("epidermis_il22", 0.5, "1/AU", CAL, "hyperplasia per IL-22 (Th22)"),
    _p("epidermis_stat6", 1.0, "dimensionless", HAND_SET, "hyperplasia at full keratinocyte pSTAT6"),
    _p("epidermis_scratch", 0.3, "dimensionless", NO_SOURCE, "hyperplasia from scratching at NRS 10"),
    # itch
    _p("itch_rate", 0.7, "1/day", "Silverberg JAAD 2020 (itch separates from placebo by day 2)", "itch relaxation"),
    _p("itch_il31", 0.4, "1/AU", HAND_SET, "itch drive per IL-31"),
    _p("itch_neuron", 3.0, "dimensionless", CAL, "itch drive at full sensory-neuron pSTAT6 (Oetjen 2017)"),
    _p("itch_dry", 0.6, "dimensionless", HAND_SET, "itch drive from barrier loss"),
    _p("itch_half", 1.0, "dimensionless", CAL, "itch drive giving NRS 5", 0.3),
    _p("itch_other", 0.3, "dimensionless", CAL_SPREAD, "itch drive not from type 2 or barrier (sensitisation)", 0.8),
    Parameter(
        "nrs_max",
        10.0,
        "points",
        "peak pruritus NRS, 0-10 (Yosipovitch G et al. Br J Dermatol 2019;181:761)",
        description="top of the itch NRS: the NRS is this times the itch drive's fraction of its maximum; scratching"
        " is on the same scale (its effects are given at NRS 10)",
        role="instrument",
    ),
    # biomarkers
    _p("tarc_healthy", 300.0, "pg/mL", f"{ASSUMED}: healthy serum TARC below 450 pg/mL", "constitutive serum TARC"),
    _p("tarc_stat6", 8000.0, "pg/mL", NO_SOURCE, "serum TARC at full keratinocyte pSTAT6 on all skin"),
    # area and clinical signs of the lesional site (EASI inputs)
    _p("area_max", 0.95, "fraction", NO_SOURCE, "largest affected body-surface fraction"),
    _p("area_half", 2.0, "AU", CAL_SPREAD, "lesional inflammation giving half the maximal area", 0.3),
    _p("area_hill", 2.0, "dimensionless", CAL, "steepness of area vs inflammation"),
)


def _lesional(site: str, column: str) -> str:
    """A trial keeps the lesional site's read-out per visit under ``column`` (the nonlesional one is not kept)."""
    return column if site == "les" else ""


def _site_states(s: str) -> tuple[State, ...]:
    return (
        State(f"{s}_barrier", 0.9, "dimensionless", f"{s}: barrier integrity (1 = intact)"),
        State(f"{s}_antigen", 0.1, "AU", f"{s}: antigen and microbe load in skin", scale=0.1),
        State(f"{s}_th2", 0.1, "AU", f"{s}: Th2 cells"),
        State(f"{s}_th1", 0.1, "AU", f"{s}: Th1 cells"),
        State(f"{s}_th17", 0.1, "AU", f"{s}: Th17 cells"),
        State(f"{s}_th22", 0.1, "AU", f"{s}: Th22 cells"),
        State(
            f"{s}_epidermis_um",
            "epidermis_healthy_um",
            "um",
            f"{s}: epidermal thickness",
            scale=100.0,
            capture=_lesional(s, "epidermis_um"),
        ),
        *presentation.site_states(s),
        *innate.site_states(s),
        *macrophages.site_states(s),
    )


def _site_assignments(s: str, binders: tuple[Binder, ...], act: Activities) -> tuple[Assignment, ...]:
    """One site's assignments; ``act`` scales what an inhibited pathway does (nothing without an inhibitor)."""
    a = Assignment
    tcell, il22 = act.calcineurin, f"{s}_IL22{act.jak1_tyk2}"
    turnover = turnover_binders(binders)  # IL-13 held by an antibody, with the complexes' own turnover
    exposure = "exposure_les" if s == "les" else "exposure_les * exposure_non_ratio"
    return (
        a(f"{s}_inflammation", " + ".join(f"{s}_{x}" for x in presentation.SUBSETS), "AU", f"{s}: T-cell infiltrate"),
        a(
            f"{s}_exposure",
            f"{exposure} * exp(flare_amplitude * sin({TWO_PI} * t / flare_period + flare_phase)) / participation",
            "AU/day",
            f"{s}: trigger exposure",
        ),
        a(f"{s}_tslp", f"tslp_per_antigen * {s}_antigen", "AU", f"{s}: TSLP (alarmin)"),
        *innate.site_assignments(s, act.jak1_jak2),
        a(
            f"{s}_IL13_pM",
            f"il13_per_th2 * {s}_th2{tcell} + il13_per_ilc2 * {s}_ilc2 + il13_per_mast * {s}_mast_activation",
            "pM",
            f"{s}: IL-13",
            _lesional(s, "IL13_pM"),
        ),
        a(
            f"{s}_IL4_pM",
            f"il4_per_th2 * {s}_th2{tcell} + il4_per_basophil * {s}_basophil_activation",
            "pM",
            f"{s}: IL-4",
            _lesional(s, "IL4_pM"),
        ),
        *(x for b in turnover for x in complex_assignments(s, b, f"{s}_IL13_pM")),
        *receptor_assignments(
            s,
            f"{s}_IL4_pM",
            f"{s}_il13_unbound_pM" if turnover else f"{s}_IL13_pM",
            binders,
            cells=(*TISSUE_CELLS, macrophages.RECEPTOR_CELL),
            corrections=0,
            signalling={"type1": act.jak1_jak3, "type2": act.jak1_tyk2},
            held={b.drug: complex_name(s, b) for b in turnover},
        ),
        *(
            a(
                f"{s}_{c}_stat6",
                f"1.0 / (1.0 + stat6_half_{c} / max({s}_{c}_pstat6, {GUARD_SIGNAL}))",
                "dimensionless",
                f"{s}: STAT6-driven transcriptional activity of {c.replace('_', ' ')}s (0-1)",
            )
            for c in CELLS
        ),
        *presentation.site_assignments(s),
        *macrophages.site_assignments(s),
        a(f"{s}_IL31", f"{s}_th2{tcell}", "AU", f"{s}: IL-31 (from Th2 cells)", _lesional(s, "IL31")),
        a(f"{s}_IL22", f"{s}_th22{tcell}", "AU", f"{s}: IL-22"),
        a(f"{s}_IL17", f"{s}_th17{tcell}", "AU", f"{s}: IL-17A", _lesional(s, "IL17")),
        a(f"{s}_IFNg", f"{s}_th1{tcell}", "AU", f"{s}: IFN-gamma", _lesional(s, "IFNg")),
        a(f"{s}_CCL26", f"{s}_keratinocyte_stat6", "AU", f"{s}: CCL26 (eotaxin-3), STAT6-induced"),
        a(
            f"{s}_clearance",
            f"antigen_clearance * (1.0 + amp_il17 * {s}_IL17 + amp_il22 * {il22}"
            f" + amp_ifng * {s}_IFNg{act.jak1_jak2}) * (1.0 - amp_stat6_max * {s}_keratinocyte_stat6)",
            "1/day",
            f"{s}: antimicrobial clearance",
        ),
        a(
            f"{s}_barrier_repair",
            f"barrier_rate * (1.0 - barrier_stat6_max * {s}_keratinocyte_stat6) / (1.0 + barrier_il22 * {il22})",
            "1/day",
            f"{s}: barrier repair rate",
        ),
        a(
            f"{s}_barrier_damage",
            f"barrier_rate * (barrier_wear + barrier_antigen_damage * {s}_antigen"
            f" + barrier_scratch_damage * scratching / nrs_max)",
            "1/day",
            f"{s}: barrier damage rate",
        ),
        a(
            f"{s}_tewl",
            f"tewl_healthy * (1.0 + tewl_gain * (1.0 - {s}_barrier))",
            "g/m^2/h",
            f"{s}: transepidermal water loss",
            _lesional(s, "TEWL"),
        ),
        a(
            f"{s}_signature_up",
            f"(signature_stat6_weight * {s}_keratinocyte_stat6"
            f" + ({s}_epidermis_um - epidermis_healthy_um) / epidermis_healthy_um + {il22} / (1.0 + {il22})"
            f" + signature_il17_weight * {s}_IL17 / (1.0 + {s}_IL17)) / (signature_stat6_weight + 2.0)",
            "dimensionless",
            f"{s}: AD up-regulated gene score (STAT6 chemokines, K16/MKI67, IL-22/IL-17 modules; 0 = healthy)",
            _lesional(s, "signature_up"),
        ),
        a(
            f"{s}_signature_down",
            f"(1.0 - {s}_barrier) + signature_down_stat6_weight * barrier_stat6_max * {s}_keratinocyte_stat6",
            "dimensionless",
            f"{s}: AD down-regulated gene score (barrier, lipid genes; 0 = healthy)",
        ),
    )


def _site_rates(s: str, act: Activities) -> dict[str, str]:
    """One site's rates; ``act`` scales what an inhibited pathway does (nothing without an inhibitor).

    Each T-helper subset expands where circulating effectors primed in the lymph node (``<subset>_pool``,
    :mod:`adqsp.disease.presentation`) meet the site's antigen, recruited by CCR4 (Th2, Th17, Th22); a chronic
    lesion adds Th1 and Th22 (:mod:`adqsp.disease.lesion_age`)."""
    tcell = act.calcineurin
    # background topical steroid (disease/topical.py): on the lesion only
    steroid, steroid1 = (" * les_tcs_factor", " * les_tcs_type1_factor") if s == "les" else ("", "")
    local = {"th2": f" * (1.0 + tslp_gain * {s}_tslp{act.jak1_jak2})"}

    def expansion(x: str) -> str:
        chronic = lesion_age.gain(x) if s == "les" else ""
        return f"{x}_drive * {s}_antigen * {x}_pool{local.get(x, '')}{presentation.homing(s, x)}{chronic}"

    th22 = f"{expansion('th22')}{' + th22_autonomous' if s == 'les' else ''}"
    return {
        f"{s}_barrier": f"(1.0 - {s}_barrier) * {s}_barrier_repair - {s}_barrier * {s}_barrier_damage",
        f"{s}_antigen": f"{s}_exposure * (1.0 - {s}_barrier) - {s}_clearance * {s}_antigen",
        f"{s}_th2": f"{expansion('th2')}{tcell}{steroid} - tcell_loss * {s}_th2",
        f"{s}_th1": f"{expansion('th1')}{tcell}{steroid1} - tcell_loss * {s}_th1",
        f"{s}_th17": f"{expansion('th17')}{tcell}{steroid} - tcell_loss * {s}_th17",
        f"{s}_th22": f"{f'({th22}){tcell}{steroid}' if tcell or steroid else th22} - tcell_loss * {s}_th22",
        f"{s}_epidermis_um": f"epidermis_rate * (epidermis_healthy_um * (1.0 + epidermis_il22 * {s}_IL22{act.jak1_tyk2}"
        f" + epidermis_stat6 * {s}_keratinocyte_stat6 + epidermis_scratch * scratching / nrs_max)"
        f" - {s}_epidermis_um)",
        **presentation.site_rates(s),
        **innate.site_rates(s),
        **macrophages.site_rates(s),
    }


TEWL = (
    _p("tewl_healthy", 14.0, "g/m^2/h", PELISTAD, "TEWL of healthy skin"),
    _p(
        "signature_stat6_weight",
        2.0,
        "dimensionless",
        "calibrated: Hamilton 2014 week-4 reversal of the AD up-regulated genes (calibration_targets.csv)",
        "weight of the STAT6-driven genes (chemokines) in the up-regulated gene score, beside epidermal growth (1),"
        " the IL-22 (1) and IL-17 (signature_il17_weight) modules; the score is divided by this + 2 (the two"
        " unit-weight modules)",
    ),
    _p(
        "signature_il17_weight",
        0.5,
        "dimensionless",
        f"{HAND_SET}; IL-17 genes a smaller part of the AD signature than the IL-22 module (weight 1)",
        "weight of the IL-17 module in the up-regulated gene score (not in its divisor)",
    ),
    _p(
        "signature_down_stat6_weight",
        0.5,
        "dimensionless",
        HAND_SET,
        "weight of the direct STAT6 suppression of barrier and lipid genes in the down-regulated gene score, per"
        " unit of its maximal suppression of barrier repair (barrier_stat6_max)",
    ),
    _p(
        "tewl_gain",
        5.0,
        "dimensionless",
        f"calibrated: lesional TEWL 55.1 g/m^2/h at baseline ({PELISTAD})",
        "relative TEWL rise per unit barrier loss",
    ),
)


def disease_block(binders: tuple[Binder, ...] = (), inhibitors: tuple[Inhibitor, ...] = ()) -> Model:
    """The disease layer as a model part; needs the receptor parameters, each binder's ``<drug>_skin_nM`` and each
    pathway inhibitor's ``<drug>_serum_mg_L``."""
    a = Assignment
    act = activities(inhibitors)
    il31 = act.jak1_jak2
    lesional = _site_rates("les", act)
    infiltrate_rate = " + ".join(f"({lesional[f'les_{x}']})" for x in presentation.SUBSETS)
    patient = (
        a(
            "bsa_fraction",
            "area_max * max(les_inflammation, 0.0) ** area_hill"
            " / (max(les_inflammation, 0.0) ** area_hill + area_half ** area_hill)",
            "fraction",
            "affected body surface",
        ),
        a(
            "itch_drive",
            f"itch_other + bsa_fraction * (itch_il31 * les_IL31{il31} + itch_neuron * les_sensory_neuron_stat6"
            f" + itch_dry * (1.0 - les_barrier)) + (1.0 - bsa_fraction) * (itch_il31 * non_IL31{il31}"
            " + itch_neuron * non_sensory_neuron_stat6 + itch_dry * (1.0 - non_barrier))",
            "dimensionless",
            "pruritogenic drive (IL-31, neuronal IL-4/IL-13 signalling, dryness, sensitisation)",
        ),
        a(
            "tarc_serum",
            "tarc_healthy + tarc_stat6 * (bsa_fraction * les_keratinocyte_stat6"
            " + (1.0 - bsa_fraction) * non_keratinocyte_stat6)",
            "pg/mL",
            "serum TARC (CCL17), at quasi-steady state with the skin's production: an 8-kDa chemokine (Imai T et al."
            " J Biol Chem 1996;271:21514), assumed filtered by the kidney within hours as small proteins are",
            "TARC_pg_mL",
        ),
        a("ige_serum", "ige", "IU/mL", "serum total IgE", "IgE_IU_mL"),
        *lesion_age.assignments(),
        *presentation.node_assignments(binders, act),
        *innate.patient_assignments(act.calcineurin),
        *humoral.ASSIGNMENTS,
    )
    turnover = turnover_binders(binders)
    states = (
        *(st for s in SITES for st in _site_states(s)),
        *(complex_state(s, b) for s in SITES for b in turnover),
        State("itch", 0.1, "dimensionless", "itch drive as perceived (relaxes to itch_drive)"),
        *humoral.STATES,
        *presentation.node_states(),
        *innate.patient_states(),
        *lesion_age.STATES,
    )
    rates = {
        **{k: v for s in SITES for k, v in _site_rates(s, act).items()},
        **{complex_name(s, b): complex_rate(s, b) for s in SITES for b in turnover},
        "itch": "itch_rate * (itch_drive - itch)",
        **humoral.RATES,
        **presentation.node_rates(act),
        **innate.patient_rates(),
        **lesion_age.rates(infiltrate_rate),
    }
    return Model(
        name="disease",
        parameters=(
            *PARAMETERS,
            *TEWL,
            *presentation.PARAMETERS,
            *innate.PARAMETERS,
            *macrophages.PARAMETERS,
            *humoral.PARAMETERS,
            *lesion_age.PARAMETERS,
            *(COMPLEX_PARAMETERS if turnover else ()),
            *(x for i in inhibitors for x in inhibitor_parameters(i)),
        ),
        states=states,
        assignments=(
            *inhibition_assignments(inhibitors),
            Assignment(
                "scratching",
                "nrs_max * max(itch, 0.0) / (max(itch, 0.0) + itch_half)",
                "points",
                "itch as perceived on the NRS scale: drives scratching (barrier damage, hyperplasia, excoriation)",
            ),
            Assignment(
                "itch_nrs",
                "nrs_max * itch_reported / (itch_reported + itch_half)",
                "points",
                "peak pruritus NRS as reported (latent, weekly average)",
            ),
            *(x for s in SITES for x in _site_assignments(s, binders, act)),
            *patient,
            *(x for s in SITES for x in pathway_assignments(s, act)),
        ),
        rates=rates,
    )
