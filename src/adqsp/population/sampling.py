"""Virtual patients: parameter sets drawn from the declared variability, covariates, and random streams.

Patient ``i`` of a population with seed ``s`` draws everything from its own counter-based streams (Philox keyed by
``s``, counter ``(position, i, purpose)``: ``population/philox.py``), so a patient's values never depend on
chunking or executor. Each stream is named (a parameter, a covariate, a noise channel, rescue, the arm), its purpose
a digest of the name: adding a parameter or a noise channel redraws no other, and a parameter of the same name
draws the same number in every arm's model (a drug's PK parameters are ``pk_<key>`` whatever the drug).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from adqsp.errors import InputError
from adqsp.model.declaration import Model, Parameter
from adqsp.population.philox import normals, stream, uniforms
from adqsp.schema import PRESETS

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
    z = {p.name: normals(indices, seed, stream(f"parameter:{p.name}"), 1)[:, 0] for p in varying}
    values = _lognormal(model, varying, z)
    mean, sd, low, high, _ = WEIGHT[preset]
    log_sd = np.sqrt(np.log1p((sd / mean) ** 2))
    weight = np.exp(np.log(mean) - 0.5 * log_sd**2 + log_sd * normals(indices, seed, stream("covariate:WT"), 1)[:, 0])
    values["WT"] = np.clip(weight, low, high)
    if "flare_phase" in model.parameter_names:
        values["flare_phase"] = 2.0 * np.pi * uniforms(indices, seed, stream("flare_phase"), 1)[:, 0]
    return Population(np.asarray(indices, dtype=np.int64), values)


def _lognormal(model: Model, params: list[Parameter], z: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Individual values ``typical * exp(eta)``, with the model's correlations between log-values."""
    eta = {p.name: p.log_sd * z[p.name] for p in params}
    for a, b, rho in model.correlations:
        if a in eta and b in eta:
            eta[b] = model.parameter(b).log_sd * (rho * z[a] + np.sqrt(1.0 - rho**2) * z[b])
    return {p.name: p.value * np.exp(eta[p.name]) for p in params}


def noise_draws(indices: np.ndarray, seed: int, n_visits: int, channels: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Standard normal visit noise per channel, ``(n_visits, n_patients)``, from each patient's own stream."""
    return {c: normals(indices, seed, stream(f"noise:{c}"), n_visits).T for c in channels}


def rescue_draws(indices: np.ndarray, seed: int, n_visits: int) -> np.ndarray:
    """Uniform (0, 1) rescue draws, ``(n_visits, n_patients)``, from each patient's own stream."""
    return uniforms(indices, seed, stream("rescue"), n_visits).T


def arm_draws(indices: np.ndarray, seed: int, n_arms: int) -> np.ndarray:
    """Each patient's allocated arm, ``0 .. n_arms - 1`` with equal chances, from its own stream."""
    u = uniforms(indices, seed, stream("arm"), 1)[:, 0]
    return np.minimum((u * n_arms).astype(np.int64), n_arms - 1)
