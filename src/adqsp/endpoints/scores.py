"""Clinical read-outs of the lesional skin: EASI (real formula), IGA, peak pruritus NRS, affected BSA.

The latent (noise-free) scores are declared model assignments, so they are in every face (engine, SBML,
``adqsp simulate``). What raters and diaries add at a visit (noise, rounding to the scale) is applied by
:func:`score_visits`, with its sizes as declared parameters.

EASI = sum over head/neck, upper limbs, trunk, lower limbs (weights 0.1, 0.2, 0.3, 0.4) of
area score (0-6) x (erythema + induration/papulation + excoriation + lichenification, each 0-3; Hanifin JM et al.
Exp Dermatol 2001;10:11). The instruments' definitions (region weights, area-score thresholds, the sign scale) are
declared parameters of role ``instrument``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from adqsp.model.declaration import Assignment, Model, Parameter
from adqsp.model.expressions import to_numpy
from adqsp.model.units import PERCENT_PER_FRACTION

#: the EASI regions and their weights (ages 8 and over), declared as ``easi_weight_<region>``
REGIONS = (("head", 0.1), ("upper", 0.2), ("trunk", 0.3), ("lower", 0.4))
SIGNS = ("erythema", "induration", "excoriation", "lichenification")
#: lowest affected percentage of a region scoring 2, 3, 4, 5 and 6 (any involvement scores 1), declared as
#: ``easi_area_<score>_pct``
AREA_THRESHOLDS = ((2, 10.0), (3, 30.0), (4, 50.0), (5, 70.0), (6, 90.0))
HANIFIN = "Hanifin JM et al. Exp Dermatol 2001;10:11 (EASI definition)"
_HAND = "assumed: set by hand (not yet fitted)"
_CAL = "calibrated: SOLO baseline and SOLO 1 week-16 endpoints (reference/calibration_targets.csv)"

PARAMETERS = (
    *(
        Parameter(
            f"region_involvement_{r}",
            1.0,
            "dimensionless",
            "assumed: even involvement on average",
            0.35,
            f"relative involvement of the {r} region",
        )
        for r, _ in REGIONS
    ),
    Parameter("sign_erythema_gain", 0.87, "1/AU", _CAL, 0.0, "erythema drive per T-cell infiltrate"),
    Parameter("sign_induration_gain", 1.5, "dimensionless", _CAL, 0.0, "induration drive per relative hyperplasia"),
    Parameter(
        "sign_induration_erythema",
        0.3,
        "dimensionless",
        _HAND,
        0.0,
        "induration/papulation drive from the T-cell infiltrate (oedema, papules), relative to erythema's",
    ),
    Parameter(
        "sign_excoriation_gain",
        1.4,
        "dimensionless",
        _HAND,
        0.0,
        "excoriation drive at NRS 10",
    ),
    Parameter(
        "sign_lichen_gain",
        1.2,
        "dimensionless",
        _HAND,
        0.0,
        "lichenification per relative hyperplasia of a fully chronic lesion (times its chronicity)",
    ),
    Parameter("sign_half", 1.0, "dimensionless", _CAL, 0.0, "sign drive giving a score of 1.5 of 3"),
    Parameter("sign_hill", 1.0, "dimensionless", _CAL, 0.0, "steepness of the sign scores vs their drive"),
    Parameter("iga_exponent", 0.6, "dimensionless", _CAL, 0.0, "curvature of IGA vs erythema and induration"),
    Parameter("iga_scale", 4.0, "points", _CAL, 0.0, "latent IGA at maximal erythema and induration"),
    Parameter(
        "noise_sign_sd",
        0.3,
        "points",
        "assumed: inter-rater SD of EASI sign scores (ICC about 0.8)",
        role="instrument",
    ),
    Parameter("noise_area_sd", 0.15, "dimensionless", "assumed: log-SD of rater area estimates", role="instrument"),
    Parameter("noise_iga_sd", 0.35, "points", "assumed: IGA rater disagreement (kappa about 0.6)", role="instrument"),
    *(
        Parameter(
            f"easi_weight_{r}",
            w,
            "dimensionless",
            f"{HANIFIN}; ages 8 and over",
            description=f"EASI weight of the {r} region",
            role="instrument",
        )
        for r, w in REGIONS
    ),
    *(
        Parameter(
            f"easi_area_{score}_pct",
            pct,
            "%",
            HANIFIN,
            description=f"lowest affected percentage of a region with EASI area score {score}",
            role="instrument",
        )
        for score, pct in AREA_THRESHOLDS
    ),
    Parameter(
        "easi_sign_max", 3.0, "points", HANIFIN, description="top of each EASI sign score (0-3)", role="instrument"
    ),
    Parameter(
        "noise_nrs_sd",
        0.5,
        "points",
        "Newton et al. J Patient Rep Outcomes 2019;3:42 and Yosipovitch et al. Br J Dermatol 2019;181:761: test-retest"
        " ICC 0.94-0.95 of the weekly peak-pruritus NRS in stable patients; within-patient SD = total SD x"
        " sqrt(1 - ICC) = 2 x 0.23, about 0.5 points, at the simulated SOLO 1 baseline spread (SD about 2 points)",
        0.0,
        "SD of the weekly NRS",
        role="instrument",
    ),
)


def area_score(percent: str) -> str:
    """EASI area score 0-6 of an affected percentage (expression): the number of thresholds it reaches (any
    involvement, then ``easi_area_<score>_pct``)."""
    steps = [f"where({percent} >= easi_area_{score}_pct, 1.0, 0.0)" for score, _ in AREA_THRESHOLDS]
    return f"({' + '.join([f'where({percent} > 0.0, 1.0, 0.0)', *steps])})"


def endpoints_block() -> Model:
    """Latent EASI signs, region areas, EASI, IGA and NRS as assignments of the lesional skin states."""
    a = Assignment
    hyper = "max(les_epidermis_um / epidermis_healthy_um - 1.0, 0.0)"
    drives = {
        "erythema": "sign_erythema_gain * les_inflammation",
        "induration": f"sign_induration_gain * {hyper}"
        " + sign_induration_erythema * sign_erythema_gain * les_inflammation",
        "excoriation": "sign_excoriation_gain * scratching / nrs_max * (1.0 + les_inflammation)",
        "lichenification": f"sign_lichen_gain * {hyper} * les_chronicity",
    }
    signs = tuple(
        a(
            f"sign_{k}",
            f"easi_sign_max * ({v}) ** sign_hill / (({v}) ** sign_hill + sign_half ** sign_hill)",
            "points",
            f"latent EASI {k} score (0-3)",
        )
        for k, v in drives.items()
    )
    sign_sum = " + ".join(f"sign_{k}" for k in SIGNS)
    regions = tuple(
        a(
            f"area_pct_{r}",
            f"{PERCENT_PER_FRACTION} * min(bsa_fraction * region_involvement_{r}, 1.0)",
            "%",
            f"affected percentage of the {r} region",
        )
        for r, _ in REGIONS
    )
    easi = " + ".join(f"easi_weight_{r} * {area_score(f'area_pct_{r}')}" for r, _ in REGIONS)
    return Model(
        name="endpoints",
        parameters=PARAMETERS,
        states=(),
        assignments=(
            *signs,
            a("sign_sum", sign_sum, "points", "sum of the four sign scores (0-12)"),
            *regions,
            a("easi", f"({easi}) * sign_sum", "points", "EASI (latent, 0-72)", capture="EASI_latent"),
            a("bsa_pct", f"{PERCENT_PER_FRACTION} * bsa_fraction", "%", "affected body surface area"),
            a(
                "iga_latent",
                "iga_scale * (max(sign_erythema + sign_induration, 0.0) / (2.0 * easi_sign_max)) ** iga_exponent",
                "points",
                "IGA on a continuous 0-4 scale (erythema and induration/papulation)",
            ),
        ),
        rates={},
    )


#: independent noise channels of a visit: four signs, four region areas, BSA, IGA, NRS
NOISE_CHANNELS = (*(f"sign_{k}" for k in SIGNS), *(f"area_{r}" for r, _ in REGIONS), "bsa", "iga", "nrs")
#: latent assignments the observed scores are made from
SCORE_INPUTS = (
    *(f"sign_{k}" for k in SIGNS),
    *(f"area_pct_{r}" for r, _ in REGIONS),
    "bsa_pct",
    "iga_latent",
    "itch_nrs",
)


def score_visits(
    latent: dict[str, np.ndarray], instrument: dict[str, float], z: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Observed scores at visits: latent scores plus rater/diary noise, rounded to each scale.

    ``latent`` and ``z`` (standard normal draws per channel of :data:`NOISE_CHANNELS`) are
    ``(n_visits, n_patients)``; ``instrument`` holds the values of the instrument parameters (noise sizes, the
    scales' definitions). EASI signs are scored in half points from noisy latent signs, areas from noisy
    percentages; IGA is an integer 0-4; NRS 0-10 in tenths.
    """
    signs = sum(
        np.clip(
            np.round(2 * (latent[f"sign_{k}"] + z[f"sign_{k}"] * instrument["noise_sign_sd"])) / 2,
            0,
            instrument["easi_sign_max"],
        )
        for k in SIGNS
    )
    easi = np.zeros(np.shape(signs))
    for r, _ in REGIONS:
        pct = np.clip(latent[f"area_pct_{r}"] * np.exp(z[f"area_{r}"] * instrument["noise_area_sd"]), 0, 100)
        easi += instrument[f"easi_weight_{r}"] * area_score_values(pct, instrument)
    return {
        "EASI": easi * signs,
        "IGA": np.clip(np.round(latent["iga_latent"] + z["iga"] * instrument["noise_iga_sd"]), 0, 4),
        "NRS": np.clip(
            np.round(latent["itch_nrs"] + z["nrs"] * instrument["noise_nrs_sd"], 1), 0, instrument["nrs_max"]
        ),
        "BSA": np.clip(latent["bsa_pct"] * np.exp(z["bsa"] * instrument["noise_area_sd"]), 0, 100),
    }


_AREA_SCORE = compile(to_numpy(area_score("pct")), "<EASI area score>", "eval")
_THRESHOLDS = tuple(f"easi_area_{score}_pct" for score, _ in AREA_THRESHOLDS)


def area_score_values(pct: np.ndarray, instrument: Mapping[str, float] | None = None) -> np.ndarray:
    """The declared area-score expression evaluated on observed percentages, with the thresholds of ``instrument``
    (the declared values where not given)."""
    values = {p.name: p.value for p in PARAMETERS if p.name in _THRESHOLDS} | {
        k: v for k, v in (instrument or {}).items() if k in _THRESHOLDS
    }
    return eval(_AREA_SCORE, {"_np": np, "pct": pct, **values})  # noqa: S307
