"""Clinical read-outs of the lesional skin: EASI (real formula), IGA, peak pruritus NRS, affected BSA.

The latent (noise-free) scores are declared model assignments, so they are in every face (engine, SBML,
``adqsp simulate``). What raters and diaries add at a visit (noise, rounding to the scale) is applied by
:func:`score_visits`, with its sizes as declared parameters.

EASI = sum over head/neck, upper limbs, trunk, lower limbs (weights 0.1, 0.2, 0.3, 0.4) of
area score (0-6) x (erythema + induration/papulation + excoriation + lichenification, each 0-3)
(Hanifin JM et al. Exp Dermatol 2001;10:11).
"""

from __future__ import annotations

import numpy as np

from adqsp.endpoints import rescue
from adqsp.model.declaration import Assignment, Model, Parameter
from adqsp.model.expressions import to_numpy

REGIONS = (("head", 0.1), ("upper", 0.2), ("trunk", 0.3), ("lower", 0.4))
SIGNS = ("erythema", "induration", "excoriation", "lichenification")
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
        "lichenification per relative hyperplasia",
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
    Parameter(
        "noise_nrs_sd",
        0.8,
        "points",
        f"{_CAL} (week-to-week variation of the diary)",
        0.0,
        "SD of the weekly NRS",
        role="instrument",
    ),
)


def area_score(percent: str) -> str:
    """EASI area score 0-6 of an affected percentage (expression)."""
    return (
        f"where({percent} <= 0.0, 0.0, where({percent} < 10.0, 1.0, where({percent} < 30.0, 2.0,"
        f" where({percent} < 50.0, 3.0, where({percent} < 70.0, 4.0, where({percent} < 90.0, 5.0, 6.0))))))"
    )


def endpoints_block() -> Model:
    """Latent EASI signs, region areas, EASI, IGA and NRS as assignments of the lesional skin states."""
    a = Assignment
    hyper = "max(les_epidermis_um / epidermis_healthy_um - 1.0, 0.0)"
    drives = {
        "erythema": "sign_erythema_gain * les_inflammation",
        "induration": f"sign_induration_gain * {hyper} + 0.3 * sign_erythema_gain * les_inflammation",
        "excoriation": "sign_excoriation_gain * scratching / 10.0 * (1.0 + les_inflammation)",
        "lichenification": f"sign_lichen_gain * {hyper}",
    }
    signs = tuple(
        a(
            f"sign_{k}",
            f"3.0 * ({v}) ** sign_hill / (({v}) ** sign_hill + sign_half ** sign_hill)",
            "points",
            f"latent EASI {k} score (0-3)",
        )
        for k, v in drives.items()
    )
    sign_sum = " + ".join(f"sign_{k}" for k in SIGNS)
    regions = tuple(
        a(
            f"area_pct_{r}",
            f"100.0 * min(bsa_fraction * region_involvement_{r}, 1.0)",
            "%",
            f"affected percentage of the {r} region",
        )
        for r, _ in REGIONS
    )
    easi = " + ".join(f"{w} * {area_score(f'area_pct_{r}')}" for r, w in REGIONS)
    return Model(
        name="endpoints",
        parameters=(*PARAMETERS, *rescue.PARAMETERS),
        states=(),
        assignments=(
            *signs,
            a("sign_sum", sign_sum, "points", "sum of the four sign scores (0-12)"),
            *regions,
            a("easi", f"({easi}) * sign_sum", "points", "EASI (latent, 0-72)", capture="EASI_latent"),
            a("bsa_pct", "100.0 * bsa_fraction", "%", "affected body surface area"),
            a(
                "iga_latent",
                "iga_scale * (max(sign_erythema + sign_induration, 0.0) / 6.0) ** iga_exponent",
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
    latent: dict[str, np.ndarray], sd: dict[str, float], z: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Observed scores at visits: latent scores plus rater/diary noise, rounded to each scale.

    ``latent`` and ``z`` (standard normal draws per channel of :data:`NOISE_CHANNELS`) are
    ``(n_visits, n_patients)``; ``sd`` holds the noise parameters. EASI signs are scored in half points from
    noisy latent signs, areas from noisy percentages; IGA is an integer 0-4; NRS 0-10 in tenths.
    """
    signs = sum(
        np.clip(np.round(2 * (latent[f"sign_{k}"] + z[f"sign_{k}"] * sd["noise_sign_sd"])) / 2, 0, 3) for k in SIGNS
    )
    easi = np.zeros(np.shape(signs))
    for r, w in REGIONS:
        pct = np.clip(latent[f"area_pct_{r}"] * np.exp(z[f"area_{r}"] * sd["noise_area_sd"]), 0, 100)
        easi += w * area_score_values(pct)
    return {
        "EASI": easi * signs,
        "IGA": np.clip(np.round(latent["iga_latent"] + z["iga"] * sd["noise_iga_sd"]), 0, 4),
        "NRS": np.clip(np.round(latent["itch_nrs"] + z["nrs"] * sd["noise_nrs_sd"], 1), 0, 10),
        "BSA": np.clip(latent["bsa_pct"] * np.exp(z["bsa"] * sd["noise_area_sd"]), 0, 100),
    }


_AREA_SCORE = compile(to_numpy(area_score("pct")), "<EASI area score>", "eval")


def area_score_values(pct: np.ndarray) -> np.ndarray:
    """The declared area-score expression evaluated on observed percentages."""
    return eval(_AREA_SCORE, {"_np": np, "pct": pct})  # noqa: S307
