"""Topical corticosteroids (TCS) as an arm's background therapy: a local suppression of T-cell activation in the
treated, lesional skin, applied daily to active lesions and tapered as they clear.

Glucocorticoids act through the glucocorticoid receptor of the T cells in the skin they are applied to: they repress
the transcription of IL-2, IL-4, IL-5 and IL-13 at sub-nanomolar concentrations (mometasone furoate IC50 0.19 nM for
IL-4 in stimulated CD4+ T cells; every steroid tested was less effective against IFN-gamma: Umland SP et al. J
Allergy Clin Immunol 1997;100:511) and induce T-cell apoptosis, so the lesion's infiltrate shrinks at the pace of
T-cell turnover. Here they scale the expansion of the lesional T-helper subsets by ``1 - tcs_effect`` (type 1 by
``1 - tcs_type1_share x tcs_effect``); the nonlesional site is untreated.

``tcs_effect = tcs_suppression x tcs_use``, with ``tcs_use`` 0 unless TCS are applied: ``tcs_applied`` is 1 in an arm
whose scenario gives ``background = "TCS"`` and 0 otherwise (so a model without background therapy keeps its numbers
exactly), and a rescued patient counted under the treatment-policy estimand starts them on ``rescue_tcs_day``;
``tcs_suppression`` the steroid's effect where applied, by potency class (:data:`POTENCY`), and ``tcs_use`` the
use pattern of the phase 3 programmes with background TCS: daily on active lesions, stepped down as they clear
(the lesion's erythema over the score at which a lesion still counts as active, at most 1).
"""

from __future__ import annotations

from adqsp.model.declaration import Assignment, Model, Parameter

#: potency classes of topical corticosteroids and their effect on lesional T-cell activation where applied
#: (0-1); the classes are those of the vasoconstrictor assay (low: classes VI-VII, hydrocortisone 1%; medium:
#: IV-V, triamcinolone acetonide 0.1%; high: II-III, mometasone furoate 0.1%; very high: I, clobetasol 0.05%)
POTENCY = {"low": 0.3, "medium": 0.5, "high": 0.7, "very_high": 0.85}
#: the parameters that switch background therapy on: it starts at randomisation, so screening runs without them
BACKGROUND_SWITCHES = ("tcs_applied",)
#: the parameter the trial sets per rescued patient (treatment-policy estimand): never a scenario's, never at screening
RESCUE_SWITCHES = ("rescue_tcs_day",)
_POTENCY_SOURCE = (
    "assumed: ordered as the vasoconstrictor-assay classes (low VI-VII, medium IV-V, high II-III, very high I) and"
    " the glucocorticoid-receptor affinities behind them (mometasone and fluticasone above triamcinolone: Umland SP"
    " et al. J Allergy Clin Immunol 1997;100:511); no tissue concentration-effect data fix the level"
)
PARAMETERS = (
    Parameter(
        "tcs_applied",
        0.0,
        "dimensionless",
        "assumed: a design setting, 1 in the arms of a scenario that gives background TCS, 0 otherwise",
        description="background topical corticosteroid therapy in this arm (1) or none (0)",
        role="conduct",
    ),
    Parameter(
        "tcs_suppression",
        POTENCY["medium"],
        "dimensionless",
        _POTENCY_SOURCE,
        description="fraction of lesional T-cell activation suppressed where the steroid is applied (medium potency;"
        " a scenario's tcs_potency sets its class)",
        role="conduct",
    ),
    Parameter(
        "tcs_type1_share",
        0.5,
        "dimensionless",
        "assumed: steroids repress IFN-gamma less than IL-4 and IL-5 in T cells (Umland SP et al. J Allergy Clin"
        " Immunol 1997;100:511, qualitative)",
        description="the steroid's effect on Th1 activation relative to the other subsets",
        role="conduct",
    ),
    Parameter(
        "rescue_tcs_day",
        1.0e6,
        "day",
        "assumed: a trial setting, the day a rescued patient starts rescue TCS, set per patient when the"
        " treatment-policy estimand counts rescued patients as observed (adqsp.trial.run); otherwise beyond any course",
        description="start of rescue topical corticosteroids (daily on active lesions, at tcs_suppression)",
        role="conduct",
    ),
    Parameter(
        "tcs_active_erythema",
        1.0,
        "points",
        "assumed: the programmes treat active lesions daily and step down on clear or almost clear skin; a lesion"
        " counts as active down to mild erythema (1 of 3)",
        description="lesional erythema score down to which TCS are applied daily; below it, use in proportion",
        role="conduct",
    ),
)


def topical_block() -> Model:
    """The TCS read-outs (``tcs_use``, ``tcs_effect``) and the factors on lesional T-cell expansion; needs the
    endpoints' ``sign_erythema``."""
    a = Assignment
    return Model(
        name="topical",
        parameters=PARAMETERS,
        states=(),
        assignments=(
            a(
                "tcs_use",
                "max(tcs_applied, where(t >= rescue_tcs_day, 1.0, 0.0))"
                " * min(max(sign_erythema, 0.0) / tcs_active_erythema, 1.0)",
                "dimensionless",
                "TCS use on the lesion (1: daily; less as it clears; 0: none)",
            ),
            a(
                "tcs_effect",
                "tcs_suppression * tcs_use",
                "dimensionless",
                "TCS suppression of lesional T-cell activation",
            ),
            a("les_tcs_factor", "1.0 - tcs_effect", "dimensionless", "lesional Th2, Th17, Th22 activation left"),
            a(
                "les_tcs_type1_factor",
                "1.0 - tcs_type1_share * tcs_effect",
                "dimensionless",
                "lesional Th1 activation left",
            ),
        ),
        rates={},
    )
