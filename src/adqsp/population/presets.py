"""The population presets: whom a virtual trial draws its candidates from (body weight; for children and
adolescents also age and sex), every number with its source.

- ``adult``: body weight log-normal with the mean and SD of the dupilumab population PK data set; age and sex are
  not drawn (nothing in the model depends on them, and the weights are the data set's, not a growth reference's).
- ``adolescent`` (12-17 years) and ``child`` (6-11 years): age uniform over the band, sex by the share of boys of
  the band's dupilumab phase 3 trial, and body weight from the CDC 2000 weight-for-age reference (LMS parameters
  by sex and month of age, ``data/cdc2000_weight_for_age.csv``) at the patient's age and sex.

Body weight is the only property the presets change: the disease model has no age-dependent parameter, and the
dupilumab population PK in children and adolescents differs from adults' through body weight (on the central
volume), which every PK model here already carries. Baseline severity is set by each trial's entry criteria
(``[population]`` of a scenario), not by the preset. See ``docs/scenarios.md`` (Populations) for what is left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

#: the weight-for-age reference of the presets drawn by age
CDC2000_SOURCE = (
    "CDC 2000 growth charts, weight-for-age LMS parameters by sex and month of age (wtage.csv; Kuczmarski RJ et al."
    " Vital Health Stat 11(246), 2002)"
)
DUPIXENT_PI_TABLE2 = (
    "DUPIXENT (dupilumab) prescribing information, section 2.3, Table 2 (pediatric patients 6 to 17 years: dose"
    " tiers 15 to <30, 30 to <60 and >= 60 kg)"
)


@dataclass(frozen=True)
class LogNormalWeight:
    """Body weight log-normal with this mean and SD (kg), clipped to ``low_kg`` .. ``high_kg``."""

    mean_kg: float
    sd_kg: float
    low_kg: float
    high_kg: float
    source: str


@dataclass(frozen=True)
class AgeBand:
    """Age uniform over ``low_years`` .. ``high_years`` (exact age, years), sex male with ``male_fraction``, body
    weight from the CDC 2000 weight-for-age reference at that age and sex, its z-score within ``+-z_limit`` and
    the weight at least ``min_weight_kg``."""

    low_years: float
    high_years: float
    age_source: str
    male_fraction: float
    male_source: str
    min_weight_kg: float
    min_weight_source: str
    z_limit: float = 3.0
    z_limit_source: str = (
        "assumed: the reference's LMS curves are fitted to the 3rd-97th percentiles (z +-1.88); beyond z 3 (0.13% each"
        " side) the extrapolated weights are not trusted"
    )
    weight_source: str = CDC2000_SOURCE


@dataclass(frozen=True)
class PopulationPreset:
    """A preset: its body weight drawn log-normal (``weight``) or by age from the reference (``band``)."""

    name: str
    description: str
    weight: LogNormalWeight | None = None
    band: AgeBand | None = None


PRESET_TABLE: dict[str, PopulationPreset] = {
    "adult": PopulationPreset(
        "adult",
        "adults: body weight of the dupilumab population PK data set",
        weight=LogNormalWeight(
            75.7,
            18.6,
            41.0,
            175.0,
            "population PK data set, calibration_targets.csv (mean 75.7 +- 18.6, 41-175 kg)",
        ),
    ),
    "adolescent": PopulationPreset(
        "adolescent",
        "adolescents 12-17 years: age, sex and CDC 2000 weight-for-age",
        band=AgeBand(
            12.0,
            18.0,
            "LIBERTY AD ADOL enrolled ages >= 12 to < 18 years (NCT03054428; Simpson EL et al. JAMA Dermatol"
            " 2020;156:44): uniform over the band (in completed years mean 14.5, SD 1.71; the trial's 14.5 +- 1.7)",
            0.59,
            "Simpson EL et al. JAMA Dermatol 2020;156:44, Results (148 of 251 randomized adolescents male, 59.0%)",
            15.0,
            DUPIXENT_PI_TABLE2 + ": the label's lowest weight",
        ),
    ),
    "child": PopulationPreset(
        "child",
        "children 6-11 years: age, sex and CDC 2000 weight-for-age",
        band=AgeBand(
            6.0,
            12.0,
            "LIBERTY AD PEDS enrolled ages >= 6 to < 12 years (NCT03345914): uniform over the band (in completed"
            " years mean 8.5, SD 1.71; the trial's arms 8.3-9.5, Cork MJ et al. Am J Clin Dermatol 2023;24:787,"
            " Table 1)",
            151 / 304,
            "Cork MJ et al. Am J Clin Dermatol 2023;24:787, Table 1 (LIBERTY AD PEDS full analysis set: 33 + 57 + 61"
            " of 304 male)",
            15.0,
            DUPIXENT_PI_TABLE2 + "; LIBERTY AD PEDS dosed children from 15 kg",
        ),
    ),
}


@cache
def weight_for_age() -> dict[int, np.ndarray]:
    """The CDC 2000 weight-for-age LMS table per sex (1 male, 2 female): rows (age in months, L, M (kg), S)."""
    text = resources.files("adqsp").joinpath("data/cdc2000_weight_for_age.csv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")][1:]
    table = np.array([[float(x) for x in line.split(",")] for line in lines])
    return {sex: table[table[:, 0] == sex][:, 1:] for sex in (1, 2)}


def lms(age_years: np.ndarray, male: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """L, M (kg) and S of the weight-for-age reference at each age (years) and sex (True: male), interpolated
    linearly between months."""
    tables = weight_for_age()
    months = np.asarray(age_years, dtype=float) * 12.0
    out = []
    for column in (1, 2, 3):
        by_sex = [np.interp(months, tables[sex][:, 0], tables[sex][:, column]) for sex in (1, 2)]
        out.append(np.where(male, by_sex[0], by_sex[1]))
    return out[0], out[1], out[2]


def weight_at(z: np.ndarray, L: np.ndarray, M: np.ndarray, S: np.ndarray) -> np.ndarray:
    """Weight (kg) at z-score ``z`` of an LMS distribution (L is never 0 in the reference's 6-17-year rows)."""
    return M * (1.0 + L * S * z) ** (1.0 / L)


def z_of(weight_kg: np.ndarray | float, L: np.ndarray, M: np.ndarray, S: np.ndarray) -> np.ndarray:
    """The z-score of a weight (kg) in an LMS distribution."""
    return ((np.asarray(weight_kg) / M) ** L - 1.0) / (L * S)
