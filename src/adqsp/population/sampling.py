"""Virtual patients: parameter sets drawn from the declared variability, covariates, and random streams.

Patient ``i`` of a population with seed ``s`` draws everything from its own counter-based stream (Philox keyed by
``s``, counter ``(position, i, purpose)``: ``population/philox.py``), so a patient's values never depend on
chunking or executor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from adqsp.errors import InputError
from adqsp.model.declaration import Model
from adqsp.population.philox import normals, uniforms
from adqsp.schema import PRESETS

#: stream purposes: disease parameters and covariates (shared by all arms), visit noise, PK parameters (per drug),
#: rescue decisions, flare cycle phase, arm allocation
DISEASE_STREAM, NOISE_STREAM, PK_STREAM, RESCUE_STREAM, FLARE_STREAM, ARM_STREAM = 0, 1, 2, 3, 4, 5
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
    disease = [p for p in varying if not p.name.startswith("pk_")]
    pk = [p for p in varying if p.name.startswith("pk_")]
    z = normals(indices, seed, DISEASE_STREAM, len(disease) + 1)  # + body weight
    values = _lognormal(model, disease, z[:, : len(disease)])
    values |= _lognormal(model, pk, normals(indices, seed, PK_STREAM, len(pk)))
    mean, sd, low, high, _ = WEIGHT[preset]
    log_sd = np.sqrt(np.log1p((sd / mean) ** 2))
    weight = np.exp(np.log(mean) - 0.5 * log_sd**2 + log_sd * z[:, -1])
    values["WT"] = np.clip(weight, low, high)
    if "flare_phase" in model.parameter_names:
        values["flare_phase"] = 2.0 * np.pi * uniforms(indices, seed, FLARE_STREAM, 1)[:, 0]
    return Population(np.asarray(indices, dtype=np.int64), values)


def _lognormal(model: Model, params: list, z: np.ndarray) -> dict[str, np.ndarray]:
    """Individual values ``typical * exp(eta)``, with the model's correlations between log-values."""
    names = [p.name for p in params]
    eta = z * np.array([p.log_sd for p in params])
    for a, b, rho in model.correlations:
        if a in names and b in names:
            ia, ib = names.index(a), names.index(b)
            eta[:, ib] = model.parameter(b).log_sd * (rho * z[:, ia] + np.sqrt(1.0 - rho**2) * z[:, ib])
    return {p.name: p.value * np.exp(eta[:, k]) for k, p in enumerate(params)}


def noise_draws(indices: np.ndarray, seed: int, n_visits: int, channels: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Standard normal visit noise per channel, ``(n_visits, n_patients)``, from each patient's own stream."""
    z = normals(indices, seed, NOISE_STREAM, n_visits * len(channels)).reshape(len(indices), n_visits, len(channels))
    return {c: z[:, :, k].T for k, c in enumerate(channels)}


def rescue_draws(indices: np.ndarray, seed: int, n_visits: int) -> np.ndarray:
    """Uniform (0, 1) rescue draws, ``(n_visits, n_patients)``, from each patient's own stream."""
    return uniforms(indices, seed, RESCUE_STREAM, n_visits).T


def arm_draws(indices: np.ndarray, seed: int, n_arms: int) -> np.ndarray:
    """Each patient's allocated arm, ``0 .. n_arms - 1`` with equal chances, from its own stream."""
    u = uniforms(indices, seed, ARM_STREAM, 1)[:, 0]
    return np.minimum((u * n_arms).astype(np.int64), n_arms - 1)
