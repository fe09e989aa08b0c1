"""Virtual patients: parameter sets drawn from the declared variability, covariates, and random streams.

Patient ``i`` of a population with seed ``s`` draws everything from counter-based streams (Philox keyed by ``s``,
counter ``(position, i, purpose)``: ``population/philox.py``), one stream per named quantity: each varying
parameter (``parameter:<name>``), body weight, the flare phase, each visit-noise channel, the rescue decisions and
the arm allocation. A patient's values never depend on chunking or executor, and declaring a new parameter or
noise channel draws nothing anew for the others.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from adqsp.errors import InputError
from adqsp.model.declaration import Model
from adqsp.population.philox import normals, stream, uniforms
from adqsp.schema import PRESETS

#: the streams that are not a parameter's or a noise channel's
WEIGHT_STREAM, FLARE_STREAM, RESCUE_STREAM, ARM_STREAM = "covariate:WT", "flare_phase", "rescue", "arm"
#: body weight: mean and SD (kg) and bounds per preset (one for each of :data:`adqsp.schema.PRESETS`)
WEIGHT = {
    "adult": (
        75.7,
        18.6,
        41.0,
        175.0,
        "population PK data set, calibration_targets.csv (mean 75.7 +- 18.6, 41-175 kg)",
    ),
    "adolescent": (63.0, 16.0, 30.0, 150.0, "assumed: adolescents 12-17 years"),
}


@dataclass(frozen=True)
class Population:
    """Per-patient parameter values (``values[name]`` arrays) of patients with global indices ``index``."""

    index: np.ndarray
    values: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.index)

    def take(self, rows: np.ndarray) -> Population:
        return Population(self.index[rows], {k: v[rows] for k, v in self.values.items()})


def sample(model: Model, indices: np.ndarray, seed: int, preset: str = "adult") -> Population:
    """Draw the patients with the given global indices (log-normal variability, correlations, covariates)."""
    if preset not in WEIGHT:
        raise InputError("population.preset", f"unknown preset {preset!r} (allowed: {', '.join(PRESETS)})")
    varying = [p for p in model.parameters if p.log_sd > 0]
    values = _lognormal(model, varying, {p.name: _normal(indices, seed, f"parameter:{p.name}") for p in varying})
    mean, sd, low, high, _ = WEIGHT[preset]
    log_sd = np.sqrt(np.log1p((sd / mean) ** 2))
    weight = np.exp(np.log(mean) - 0.5 * log_sd**2 + log_sd * _normal(indices, seed, WEIGHT_STREAM))
    values["WT"] = np.clip(weight, low, high)
    if "flare_phase" in model.parameter_names:
        values["flare_phase"] = 2.0 * np.pi * uniforms(indices, seed, stream(FLARE_STREAM), 1)[:, 0]
    return Population(np.asarray(indices, dtype=np.int64), values)


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
