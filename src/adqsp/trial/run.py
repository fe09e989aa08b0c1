"""Run a virtual trial: screen virtual patients at their baseline visit, randomise, simulate each arm.

Screening: each candidate is simulated drug-free to its chronic steady state, then along its own flare cycle
to the enrolment day (day 0); the baseline visit is scored with rater and diary noise and the inclusion
criteria are applied to it, as a trial does. Included patients are assigned to arms in turn (k-th included
patient to arm k mod n_arms). Everything a patient draws comes from its own random stream.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from adqsp.endpoints.scores import NOISE_CHANNELS, SCORE_INPUTS, score_visits
from adqsp.engine.solve import solve
from adqsp.model.build import Overrides, compiled
from adqsp.model.declaration import Model
from adqsp.population.sampling import Population, noise_draws, sample
from adqsp.trial.scenario import Arm, Scenario

SETTLE_DAYS = 3000.0
BURN_IN_DAYS = 168.0
#: latent read-outs kept per visit (model assignment names)
READOUTS = (
    "easi",
    "itch_nrs",
    "bsa_pct",
    "tarc_serum",
    "ige_serum",
    "les_epidermis_um",
    "les_tewl",
    "les_signature_up",
    "les_keratinocyte_il4ra_occupancy",
    "les_IFNg",
    "les_IL17",
    "les_IL13_pM",
    "les_IL4_pM",
)

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ArmResult:
    """Per-visit arrays ``(n_visits, n_patients)`` of one arm; ``ok[patient]`` is the solver status."""

    arm: Arm
    weeks: np.ndarray
    patients: Population
    scores: dict[str, np.ndarray]
    readouts: dict[str, np.ndarray]
    ok: np.ndarray


def enrolment_states(population: Population, overrides: Overrides = ()) -> tuple[np.ndarray, np.ndarray]:
    """Drug-free disease states at day 0 (placebo model rows) and a per-patient status."""
    c = compiled(None, None, overrides)
    drug_free = {k: v for k, v in population.values.items() if k in c.model.parameter_names}
    P = c.parameter_matrix(drug_free, len(population))
    unforced = P.copy()
    unforced[c.model.parameter_names.index("flare_amplitude")] = 0.0
    start = -BURN_IN_DAYS - SETTLE_DAYS
    settled = solve(c, unforced, c.initial(P), np.array([start, -BURN_IN_DAYS]))
    y = settled.states[-1]
    steady = np.all(np.abs(c.rhs(-BURN_IN_DAYS, y, unforced)) * 100.0 <= 1e-3 * (np.abs(y) + 1e-3), axis=0)
    forced = solve(c, P, y, np.array([-BURN_IN_DAYS, 0.0]))
    return forced.states[-1], settled.ok & forced.ok & steady


def screen(scenario: Scenario, progress: Progress | None = None, batch: int = 256) -> tuple[Population, np.ndarray]:
    """Screen candidates in index order until every arm can have ``patients_per_arm`` included patients."""
    needed = scenario.patients_per_arm * len(scenario.arms)
    model = compiled(None, None, scenario.parameters).model
    kept: list[tuple[Population, np.ndarray]] = []
    n_kept, next_index, n_screened = 0, 0, 0
    while n_kept < needed:
        size = (
            batch
            if n_screened == 0
            else int(np.clip((needed - n_kept) * n_screened / max(n_kept, 1) * 1.1, 16, 4 * batch))
        )
        indices = np.arange(next_index, next_index + size)
        next_index += size
        pop = sample(model, indices, scenario.seed, scenario.preset)
        y, ok = enrolment_states(pop, scenario.parameters)
        base = _visit_scores(pop, y[None], scenario.seed, scenario.parameters)
        inc = scenario.inclusion
        passed = (
            ok
            & (base["EASI"][0] >= inc.easi_min)
            & (base["IGA"][0] >= inc.iga_min)
            & (base["BSA"][0] >= inc.bsa_min_pct)
        )
        rows = np.flatnonzero(passed)[: needed - n_kept]
        kept.append((pop.take(rows), y[:, rows]))
        n_kept += len(rows)
        n_screened += size
        if progress:
            progress("screening", n_kept, needed)
        if n_screened > 50 * needed + 10_000:
            raise RuntimeError(f"screening found only {n_kept} of {needed} eligible patients in {n_screened}")
    pop = Population(
        np.concatenate([p.index for p, _ in kept]),
        {k: np.concatenate([p.values[k] for p, _ in kept]) for k in kept[0][0].values},
    )
    return pop, np.concatenate([y for _, y in kept], axis=1)


def run_arm(
    scenario: Scenario,
    arm: Arm,
    screened: Population,
    y_enrol: np.ndarray,
    progress: Progress | None = None,
    chunk: int = 256,
) -> ArmResult:
    """Simulate one arm's patients from enrolment over the scenario's visits."""
    c = compiled(arm.drug, arm.pk_model, scenario.parameters)
    placebo_states = compiled(None, None, scenario.parameters).model.state_names
    rows = [c.model.state_names.index(s) for s in placebo_states]
    pop = sample(c.model, screened.index, scenario.seed, scenario.preset)
    weeks = np.array(scenario.visit_weeks)
    days = weeks * 7.0
    latent: dict[str, list[np.ndarray]] = {}
    ok_parts = []
    for lo in range(0, len(pop), chunk):
        part = pop.take(np.arange(lo, min(lo + chunk, len(pop))))
        P = c.parameter_matrix(part.values, len(part))
        y0 = np.zeros((len(c.model.states), len(part)))
        y0[rows] = y_enrol[:, lo : lo + len(part)]
        dose_t, dose_mg = arm.regimen.events(days[-1], part.values["WT"])
        tr = solve(c, P, y0, days, dose_t, dose_mg)
        for key, value in _observe_visits(c, tr.states, P, days).items():
            latent.setdefault(key, []).append(value)
        ok_parts.append(tr.ok)
        if progress:
            progress(arm.name, lo + len(part), len(pop))
    readouts = {k: np.concatenate(v, axis=1) for k, v in latent.items()}
    ok = np.concatenate(ok_parts)
    finite = np.all([np.isfinite(v).all(axis=0) for v in readouts.values()], axis=0)
    scores = score_visits(
        readouts, _noise_sd(c.model), noise_draws(pop.index, scenario.seed, len(weeks), NOISE_CHANNELS)
    )
    return ArmResult(arm=arm, weeks=weeks, patients=pop, scores=scores, readouts=readouts, ok=ok & finite)


def _observe_visits(c, states: np.ndarray, P: np.ndarray, days: np.ndarray) -> dict[str, np.ndarray]:
    """Model assignments at each visit, ``(n_visits, n_patients)``; drug read-outs are 0 without a drug."""
    per_visit = [c.observe(t, states[k], P) for k, t in enumerate(days)]
    n = P.shape[1]
    serum = [k for k in c.model.assignment_names if k.endswith("_serum_mg_L")]
    keys = set(READOUTS) | set(SCORE_INPUTS)
    out = {k: np.array([np.broadcast_to(v[k], (n,)) for v in per_visit]) for k in keys}
    out["serum_mg_L"] = (
        np.array([np.broadcast_to(v[serum[0]], (n,)) for v in per_visit]) if serum else np.zeros((len(days), n))
    )
    return out


def _visit_scores(pop: Population, states: np.ndarray, seed: int, overrides: Overrides) -> dict[str, np.ndarray]:
    """Observed baseline-visit scores of drug-free states ``(1, n_states, n_patients)`` at day 0."""
    c = compiled(None, None, overrides)
    P = c.parameter_matrix(pop.values, len(pop))
    latent = _observe_visits(c, states, P, np.zeros(1))
    return score_visits(latent, _noise_sd(c.model), noise_draws(pop.index, seed, 1, NOISE_CHANNELS))


def _noise_sd(model: Model) -> dict[str, float]:
    """Rater and diary noise SDs (typical values: noise is a property of the instruments, not the patient)."""
    return {p.name: p.value for p in model.parameters if p.name.startswith("noise_")}
