"""Virtual patients: parameter sets drawn from the declared variability, covariates, and random streams.

Patient ``i`` of a population with seed ``s`` draws everything from counter-based streams (Philox keyed by ``s``,
counter ``(position, i, purpose)``: ``population/philox.py``), one stream per named quantity: each varying
parameter (``parameter:<name>``), body weight, age and sex (the presets drawn by age), the flare phase, each
visit-noise channel, the rescue decisions and the arm allocation. A patient's values never depend on chunking or
executor, and declaring a new parameter, covariate or noise channel draws nothing anew for the others. The presets
(``population/presets.py``) say how body weight, age and sex are drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtr, ndtri

from adqsp.errors import InputError
from adqsp.model.declaration import Model
from adqsp.population.philox import normals, stream, uniforms
from adqsp.population.presets import PRESET_TABLE, AgeBand, lms, weight_at, z_of
from adqsp.schema import PRESETS

#: the streams that are not a parameter's or a noise channel's
WEIGHT_STREAM, FLARE_STREAM, RESCUE_STREAM, ARM_STREAM = "covariate:WT", "flare_phase", "rescue", "arm"
AGE_STREAM, SEX_STREAM = "covariate:AGE", "covariate:SEX"


@dataclass(frozen=True)
class Population:
    """Per-patient parameter values (``values[name]`` arrays) of patients with global indices ``index``."""

    index: np.ndarray
    values: dict[str, np.ndarray]
    #: covariates that are no model parameter: ``AGE`` (years) and ``MALE`` (1 boy, 0 girl) of the presets drawn
    #: by age (:func:`covariates`)
    covariates: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.index)

    def take(self, rows: np.ndarray) -> Population:
        return Population(
            self.index[rows],
            {k: v[rows] for k, v in self.values.items()},
            {k: v[rows] for k, v in self.covariates.items()},
        )


def sample(model: Model, indices: np.ndarray, seed: int, preset: str = "adult") -> Population:
    """Draw the patients with the given global indices (log-normal variability, correlations, covariates)."""
    drawn = covariates(indices, seed, preset)
    varying = [p for p in model.parameters if p.log_sd > 0]
    values = _lognormal(model, varying, {p.name: _normal(indices, seed, f"parameter:{p.name}") for p in varying})
    values["WT"] = drawn.pop("WT")
    if "flare_phase" in model.parameter_names:
        values["flare_phase"] = 2.0 * np.pi * uniforms(indices, seed, stream(FLARE_STREAM), 1)[:, 0]
    return Population(np.asarray(indices, dtype=np.int64), values, drawn)


def covariates(indices: np.ndarray, seed: int, preset: str = "adult") -> dict[str, np.ndarray]:
    """Body weight ``WT`` (kg) of the patients with the given global indices and, for a preset drawn by age,
    ``AGE`` (years) and ``MALE`` (1 boy, 0 girl); each from its own stream."""
    if preset not in PRESET_TABLE:
        raise InputError("population.preset", f"unknown preset {preset!r} (allowed: {', '.join(PRESETS)})")
    definition = PRESET_TABLE[preset]
    if definition.band is not None:
        return _by_age(indices, seed, definition.band)
    w = definition.weight
    log_sd = np.sqrt(np.log1p((w.sd_kg / w.mean_kg) ** 2))
    weight = np.exp(np.log(w.mean_kg) - 0.5 * log_sd**2 + log_sd * _normal(indices, seed, WEIGHT_STREAM))
    return {"WT": np.clip(weight, w.low_kg, w.high_kg)}


def age_and_sex(indices: np.ndarray, seed: int, preset: str = "adult") -> dict[str, np.ndarray]:
    """The covariates that are no model parameter: ``AGE`` and ``MALE`` of a preset drawn by age (none for adults)."""
    return {k: v for k, v in covariates(indices, seed, preset).items() if k != "WT"}


def _by_age(indices: np.ndarray, seed: int, band: AgeBand) -> dict[str, np.ndarray]:
    """Age uniform over the band, sex by its share of boys, and weight from the weight-for-age reference at that
    age and sex: the z-score drawn from the standard normal restricted to ``+-z_limit`` and to weights of at least
    ``min_weight_kg`` (the weight stream's uniform mapped into that range, so nothing is redrawn)."""
    age = band.low_years + (band.high_years - band.low_years) * _uniform(indices, seed, AGE_STREAM)
    male = _uniform(indices, seed, SEX_STREAM) < band.male_fraction
    L, M, S = lms(age, male)
    low = ndtr(np.maximum(-band.z_limit, z_of(band.min_weight_kg, L, M, S)))
    high = ndtr(band.z_limit)
    z = ndtri(low + (high - low) * _uniform(indices, seed, WEIGHT_STREAM))
    return {"WT": weight_at(z, L, M, S), "AGE": age, "MALE": male.astype(float)}


def _uniform(indices: np.ndarray, seed: int, name: str) -> np.ndarray:
    """One uniform (0, 1) per patient from the stream called ``name``."""
    return uniforms(indices, seed, stream(name), 1)[:, 0]


def _normal(indices: np.ndarray, seed: int, name: str) -> np.ndarray:
    """One standard normal per patient from the stream called ``name``."""
    return normals(indices, seed, stream(name), 1)[:, 0]


def _lognormal(model: Model, params: list, z: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Individual values ``typical * exp(eta)`` from each parameter's standard normals ``z[name]``, with the
    model's correlations between log-values."""
    eta = {p.name: p.log_sd * z[p.name] for p in params}
    for a, b, rho in model.correlations:
        if a in z and b in z:
            eta[b] = model.parameter(b).log_sd * (rho * z[a] + np.sqrt(1.0 - rho**2) * z[b])
    return {p.name: p.value * np.exp(eta[p.name]) for p in params}


def noise_draws(indices: np.ndarray, seed: int, n_visits: int, channels: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Standard normal visit noise per channel, ``(n_visits, n_patients)``, from each patient's own stream."""
    return {c: normals(indices, seed, stream(f"noise:{c}"), n_visits).T for c in channels}


def rescue_draws(indices: np.ndarray, seed: int, n_visits: int) -> np.ndarray:
    """Uniform (0, 1) rescue draws, ``(n_visits, n_patients)``, from each patient's own stream."""
    return uniforms(indices, seed, stream(RESCUE_STREAM), n_visits).T


def arm_draws(indices: np.ndarray, seed: int, n_arms: int) -> np.ndarray:
    """Each patient's allocated arm, ``0 .. n_arms - 1`` with equal chances, from its own stream."""
    u = uniforms(indices, seed, stream(ARM_STREAM), 1)[:, 0]
    return np.minimum((u * n_arms).astype(np.int64), n_arms - 1)
