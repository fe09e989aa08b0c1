"""Run a virtual trial: screen virtual patients at their baseline visit, randomise, simulate each arm.

Screening: each candidate is brought to the chronic drug-free steady state of its flare cycle's mean exposure
(pseudo-transient continuation from the declared initial state; a 3000-day run for the rare candidate where it does
not converge), then simulated along its own flare cycle for :data:`BURN_IN_DAYS` to the enrolment day (day 0); the
baseline visit is scored with rater and diary noise and the inclusion criteria are applied to it, as a trial does.
Each candidate's arm is drawn from its own stream (equal chances); an arm takes the first ``patients_per_arm``
included candidates allotted to it, in index order, so whether one candidate is included moves no other patient
between arms. Everything a patient draws comes from its own random stream. States are kept at the visits only, and
what lies long before the next visit is integrated at a looser tolerance (``BURN_IN_RELAXED``, ``ARM_RELAXED``).

A candidate that cannot be scored (its solver fails, it reaches no steady state, or a state or inclusion score is
not finite) is not enrolled, and is counted: :data:`SCREENING_COUNTS` lists what the screening reports, over the
candidates up to the one whose enrolment fills the last arm.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import i0

from adqsp.assembly import Overrides, compiled
from adqsp.conduct.dropout import dropped_out
from adqsp.conduct.rescue import rescued
from adqsp.disease.topical import BACKGROUND_SWITCHES, RESCUE_SWITCHES
from adqsp.endpoints.scores import NOISE_CHANNELS, SCORE_INPUTS, score_visits
from adqsp.engine.integrate import Relaxed, Trajectory
from adqsp.engine.solve import solve, steady_state
from adqsp.errors import InputError
from adqsp.model.codegen import CompiledModel
from adqsp.model.declaration import Model
from adqsp.population.philox import stream, uniforms
from adqsp.population.sampling import Population, age_and_sex, arm_draws, noise_draws, rescue_draws, sample
from adqsp.trial.executors import ChunkStore, DaskExecutor, LocalExecutor, batched, concatenated, run_chunks
from adqsp.trial.scenario import Arm, Scenario

SETTLE_DAYS = 3000.0
SCREEN_BATCH = 1024
ARM_CHUNK = 1024
#: the drug-free run along the flare cycle before day 0: 72 weeks, 2.8 lifespans of the slowest state (long-lived
#: IgE plasma cells, 180 days); started from the steady state at the cycle's mean exposure, 300 patients (seed 9)
#: reach day 0 with IgE within 4.5e-4 relative (median; at most 2.5%) of where a 1500-day run puts them, and every
#: state within 3.9% (2026-12-07: the T cells of the patient farthest off, as with the one-pool IgE before)
BURN_IN_DAYS = 504.0
#: the trial reads the states at its visits only, and the dynamics forget (the skin compartments and the antibody's
#: distribution within weeks), so what lies long before the next visit is integrated at looser tolerances: an error
#: made there has largely decayed by then. Screening burn-in (more than 168 days before day 0), 3000 candidates
#: (seed 20161) against a 1e-9 solution: day-0 EASI within 4.5e-3 points for all but one (3.3e-3 at 5e-4
#: throughout), mean 9.5e-4 (9.2e-4); the one is 2.19 points off at 5e-4 throughout as well (an area band edge);
#: IgE within 6.8e-4 relative (1.1e-4); any state within 1.9% (2.1%). Relaxed for all but the last 84 days: states
#: within 2.2%, and 1.1% among the first 200 candidates where 168 days give 0.76%
#: With the innate type 2 and presentation states (2026-12-07), 200 candidates (seed 20161) against a 1e-9
#: solution: day-0 EASI within 5.2e-3 points (1.0e-3 at 5e-4 throughout), any state within 0.3%; that needs the
#: antigen and dendritic-cell states' scale at their magnitude (0.1): at 1, antigen was 2.1% off and EASI 0.027
BURN_IN_RELAXED = Relaxed(days=168.0, factor=10.0)  # rtol = atol = 5e-3
#: arms (more than 56 days before the next visit): 52 weeks of the label regimen, visits at weeks 16 and 52, 1000
#: patients against a 1e-9 solution: 182.5 instead of 261.6 attempts per patient; at the visits EASI within 2.0e-3 /
#: 1.7e-3 points (1.7e-3 / 1.1e-3 at 5e-4 throughout), serum 4.7e-4 / 4.5e-4 relative (4.6e-4 / 4.4e-4), IgE 9.8e-5
#: / 4.8e-4 (6.7e-6 / 4.9e-5), TARC 6.3e-4 / 1.2e-3 (the same); 84 days at 5e-3 (separate runs): 213.0 attempts
ARM_RELAXED = Relaxed(days=56.0, factor=20.0)  # rtol = atol = 1e-2
#: the parameter holding each patient's day of starting rescue topical corticosteroids (:func:`with_rescue_therapy`)
RESCUE_DAY = "rescue_tcs_day"
#: the name of the patients' dropout stream (:func:`dropout_draws`)
DROPOUT_STREAM = "dropout"
#: a state below -NEGATIVE_AMOUNT x its declared scale at a visit marks the patient as failed
NEGATIVE_AMOUNT = 1e-3
#: why a candidate was not scored at its baseline visit, by code of ``screen_batch``'s ``outcome`` (0: scored); a
#: candidate with several problems has the first that applies
UNSCORED = {1: "failed_solver", 2: "failed_non_finite", 3: "failed_steady_state"}
#: the inclusion criteria, by bit of ``screen_batch``'s ``unmet`` (the criteria a scored candidate does not meet)
CRITERIA = ("excluded_easi", "excluded_iga", "excluded_bsa")
#: the screening's counts (summary.json's ``screening``), over the candidates up to and including the one whose
#: enrolment filled the last arm (candidates screened beyond it in the same round are not counted: how many there
#: are depends on the batching). candidates = failed + excluded + eligible; eligible = enrolled + eligible_arm_full
SCREENING_COUNTS = {
    "candidates": "virtual candidates screened, indices 0 to the last one enrolled",
    "failed": "not scored: failed_solver + failed_non_finite + failed_steady_state",
    "failed_solver": "the solver failed (steady state, settling run or burn-in)",
    "failed_non_finite": "solved, but a day-0 state or the baseline EASI, IGA or BSA is not finite",
    "failed_steady_state": "solved and finite, but no drug-free steady state reached",
    "excluded": "scored, but fails at least one inclusion criterion",
    "excluded_easi": "scored with baseline EASI below easi_min",
    "excluded_iga": "scored with baseline IGA below iga_min",
    "excluded_bsa": "scored with baseline BSA below bsa_min_pct",
    "eligible": "scored and meets every inclusion criterion",
    "enrolled": "eligible and randomised to an arm that still had a place",
    "eligible_arm_full": "eligible, but the arm drawn for it was already full",
}
Progress = Callable[[str, int, int], None]
Executor = LocalExecutor | DaskExecutor


@dataclass(frozen=True)
class Screening:
    """Each arm's patients and their enrolment states (``arms``: indices, states per arm) and how the candidates
    fared (``counts``: :data:`SCREENING_COUNTS`)."""

    arms: list[tuple[np.ndarray, np.ndarray]]
    counts: dict[str, int]


@dataclass(frozen=True)
class ArmResult:
    """Per-visit arrays ``(n_visits, n_patients)`` of one arm; ``status[patient]`` is "ok" or why it failed;
    ``rescued[visit, patient]`` marks the visits after a patient's rescue treatment, ``dropped[visit, patient]``
    those after its dropout."""

    arm: Arm
    weeks: np.ndarray
    patients: Population
    scores: dict[str, np.ndarray]
    readouts: dict[str, np.ndarray]
    status: np.ndarray
    rescued: np.ndarray
    dropped: np.ndarray
    #: the states at the last visit ``(n_states, n_patients)``, where a later period continues
    end_states: np.ndarray | None = None

    @property
    def ok(self) -> np.ndarray:
        return self.status == "ok"


def enrolment_states(population: Population, overrides: Overrides = ()) -> tuple[np.ndarray, np.ndarray]:
    """Drug-free disease states at day 0 (placebo model rows) and a per-patient status."""
    y, solved, steady = _enrolment(population, overrides)
    return y, solved & steady


def _enrolment(population: Population, overrides: Overrides) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Drug-free states at day 0, whether every solver run succeeded, and whether the steady state was reached.
    Background therapy starts at randomisation: screening runs without it, whatever the overrides say."""
    c = compiled(None, None, tuple((k, v) for k, v in overrides if k not in BACKGROUND_SWITCHES + RESCUE_SWITCHES))
    drug_free = {k: v for k, v in population.values.items() if k in c.model.parameter_names}
    P = c.parameter_matrix(drug_free, len(population))
    unforced = P.copy()  # the flare cycle's mean exposure, exposure x I0(amplitude), held constant
    amplitude = c.model.parameter_names.index("flare_amplitude")
    unforced[c.model.parameter_names.index("exposure_les")] *= i0(P[amplitude])
    unforced[amplitude] = 0.0
    y, found = steady_state(c, unforced, c.initial(P), -BURN_IN_DAYS)
    settled = np.ones(len(population), dtype=bool)
    if not found.all():  # a long drug-free run instead, for the few the continuation does not bring to rest
        start = -BURN_IN_DAYS - SETTLE_DAYS
        run = solve(c, unforced[:, ~found], c.initial(P[:, ~found]), np.array([start, -BURN_IN_DAYS]))
        y[:, ~found], settled[~found] = run.states[-1], run.ok
    steady = np.all(np.abs(c.rhs(-BURN_IN_DAYS, y, unforced)) * 100.0 <= 1e-3 * (np.abs(y) + 1e-3), axis=0)
    forced = solve(c, P, y, np.array([-BURN_IN_DAYS, 0.0]), relaxed=BURN_IN_RELAXED)
    return forced.states[-1], settled & forced.ok, steady


def arm_initial_states(c: CompiledModel, y_enrol: np.ndarray, P: np.ndarray, overrides: Overrides = ()) -> np.ndarray:
    """An arm model's states at day 0: the drug-free enrolment states, the drug's own states at their declared
    initial values for the patients' parameters ``P`` (empty compartments; a drug target at its baseline)."""
    y0 = c.initial(P)
    y0[[c.model.state_names.index(s) for s in compiled(None, None, overrides).model.state_names]] = y_enrol
    return y0


def screen_batch(item: tuple[Scenario, int, int]) -> dict[str, np.ndarray]:
    """Candidates ``start .. start + size - 1``: indices and enrolment states of those who pass inclusion; for
    every candidate, why it was not scored (``outcome``, :data:`UNSCORED`) and the criteria a scored one does not
    meet (``unmet``, bits in the order of :data:`CRITERIA`)."""
    scenario, start, size = item
    model = compiled(None, None, scenario.parameters).model
    indices = np.arange(start, start + size)
    pop = sample(model, indices, scenario.seed, scenario.preset)
    y, solved, steady = _enrolment(pop, scenario.parameters)
    base = _visit_scores(pop, y[None], scenario.seed, scenario.parameters)
    inc = scenario.inclusion
    scores = np.array([base["EASI"][0], base["IGA"][0], base["BSA"][0]])
    finite = np.isfinite(y).all(axis=0) & np.isfinite(scores).all(axis=0)
    outcome = np.select([~solved, ~finite, ~steady], list(UNSCORED), 0).astype(np.int8)
    met = scores >= np.array([inc.easi_min, inc.iga_min, inc.bsa_min_pct])[:, None]
    unmet = np.where(outcome == 0, (~met * (1 << np.arange(len(CRITERIA)))[:, None]).sum(axis=0), 0)
    passed = (outcome == 0) & met.all(axis=0)
    return {"index": indices[passed], "y": y[:, passed], "outcome": outcome, "unmet": unmet.astype(np.int8)}


def screen(
    scenario: Scenario,
    progress: Progress | None = None,
    executor: Executor | None = None,
    store: ChunkStore | None = None,
) -> Screening:
    """Each arm's patients and their enrolment states: the first ``patients_per_arm`` eligible candidates, in index
    order, allotted to that arm by their own draw (:func:`~adqsp.population.sampling.arm_draws`); and the counts of
    :data:`SCREENING_COUNTS`.

    Candidates are screened in fixed batches (rounds of as many batches as the executor runs at once), so the
    patients kept do not depend on the executor; the counts stop at the last candidate enrolled, so neither do they.
    """
    executor = executor or LocalExecutor()
    n_arms, quota = len(scenario.arms), scenario.patients_per_arm
    needed = quota * n_arms
    kept: list[tuple[list[np.ndarray], list[np.ndarray]]] = [([], []) for _ in range(n_arms)]
    filled = np.zeros(n_arms, dtype=np.int64)
    n_eligible, start = 0, 0
    outcomes: list[np.ndarray] = []  # of every candidate screened, in index order
    unmet: list[np.ndarray] = []
    while (filled < quota).any():
        rate = n_eligible / start if start else 0.3
        wanted = np.ceil((quota - filled).max() * n_arms / max(rate, 0.01) / SCREEN_BATCH)
        n_batches = int(np.clip(wanted, 1, 4 * executor.parallelism))
        starts = [start + k * SCREEN_BATCH for k in range(n_batches)]
        items = [(scenario, s, SCREEN_BATCH) for s in starts]
        # not "screen_", the name of chunks stored before they held outcome and unmet: those are not reused
        names = [f"screened_{s:010d}" for s in starts]
        for result in run_chunks(executor, screen_batch, items, names, store):
            n_eligible += len(result["index"])
            outcomes.append(result["outcome"])
            unmet.append(result["unmet"])
            arm = arm_draws(result["index"], scenario.seed, n_arms)
            for k, (indices, states) in enumerate(kept):
                rows = np.flatnonzero(arm == k)[: quota - filled[k]]
                indices.append(result["index"][rows])
                states.append(result["y"][:, rows])
                filled[k] += len(rows)
        start += n_batches * SCREEN_BATCH
        if progress:
            progress("screening", int(filled.sum()), needed)
        if start > 50 * needed + 10_000:
            failed = sum(np.count_nonzero(o) for o in outcomes)
            raise InputError(
                "population",
                f"only {n_eligible} of {start} screened virtual patients meet the entry criteria ({needed} needed;"
                f" {failed} could not be scored); relax easi_min, iga_min or bsa_min_pct",
            )
    arms = [(np.concatenate(indices), np.concatenate(states, axis=1)) for indices, states in kept]
    last = max(int(indices.max()) for indices, _ in arms)  # the candidate whose enrolment filled the last arm
    counts = screening_counts(np.concatenate(outcomes)[: last + 1], np.concatenate(unmet)[: last + 1], needed)
    return Screening(arms, counts)


def screening_counts(outcome: np.ndarray, unmet: np.ndarray, enrolled: int) -> dict[str, int]:
    """:data:`SCREENING_COUNTS` of candidates ``0 .. len(outcome) - 1`` (``screen_batch``'s ``outcome`` and
    ``unmet``), ``enrolled`` of whom were enrolled."""
    unscored = {name: int(np.count_nonzero(outcome == code)) for code, name in UNSCORED.items()}
    by_criterion = {name: int(np.count_nonzero(unmet & (1 << k))) for k, name in enumerate(CRITERIA)}
    excluded = int(np.count_nonzero(unmet))
    eligible = int(np.count_nonzero(outcome == 0)) - excluded
    counts = {
        "candidates": len(outcome),
        "failed": sum(unscored.values()),
        **unscored,
        "excluded": excluded,
        **by_criterion,
        "eligible": eligible,
        "enrolled": enrolled,
        "eligible_arm_full": eligible - enrolled,
    }
    return {key: counts[key] for key in SCREENING_COUNTS}


def simulate_chunk(item: tuple) -> dict[str, np.ndarray]:
    """Read-outs at every visit ``(n_visits, n)`` of one chunk of an arm's patients, their status and weight.

    ``item``: the scenario, the arm's index, the patients' indices and enrolment states, and optionally each
    patient's day of starting rescue topical corticosteroids (:func:`with_rescue_therapy`)."""
    scenario, arm_index, indices, y_enrol, *rescue_days = item
    arm = scenario.arms[arm_index]
    c = scenario.arm_model(arm)
    pop = sample(c.model, indices, scenario.seed, scenario.preset)
    P = c.parameter_matrix(pop.values, len(pop))
    if rescue_days:
        P[c.model.parameter_names.index(RESCUE_DAY)] = rescue_days[0]
    y0 = arm_initial_states(c, y_enrol, P, scenario.parameters)
    days = np.array(scenario.visit_weeks) * 7.0
    dose_t, dose_mg = arm.regimen.events(days[-1], pop.values["WT"])
    tr = solve(c, P, y0, days, dose_t, dose_mg, relaxed=ARM_RELAXED)
    readouts = _observe_visits(c, tr.states, P, days)
    return {**readouts, "status": patient_status(c, tr, readouts), "WT": pop.values["WT"], "y_end": tr.states[-1]}


def patient_status(c: CompiledModel, tr: Trajectory, readouts: dict[str, np.ndarray]) -> np.ndarray:
    """Each patient's status: the solver's message where it failed, else a non-finite read-out, else a state below
    -:data:`NEGATIVE_AMOUNT` x its scale at any output time, else ``ok``."""
    finite = np.all([np.isfinite(v).all(axis=0) for v in readouts.values()], axis=0)
    scale = np.array(c.model.state_scales)[None, :, None]
    negative = np.any(tr.states < -NEGATIVE_AMOUNT * scale, axis=(0, 1))
    messages = [np.array(tr.message), "non-finite read-out", "negative amount"]
    return np.select([~tr.ok, ~finite, negative], messages, "ok")


def run_arm(
    scenario: Scenario,
    arm_index: int,
    indices: np.ndarray,
    y_enrol: np.ndarray,
    progress: Progress | None = None,
    executor: Executor | None = None,
    store: ChunkStore | None = None,
) -> ArmResult:
    """Simulate one arm's patients from enrolment over the scenario's visits, in chunks."""
    arm = scenario.arms[arm_index]
    chunks = batched(range(len(indices)), ARM_CHUNK)
    items = [(scenario, arm_index, indices[rows], y_enrol[:, rows]) for rows in chunks]
    finished = [0]

    def done(k: int) -> None:
        finished[0] += len(chunks[k])
        if progress:
            progress(arm.name, finished[0], len(indices))

    names = [f"arm{arm_index}_{j:06d}" for j in range(len(chunks))]
    parts = run_chunks(executor or LocalExecutor(), simulate_chunk, items, names, store, done)
    merged = concatenated(parts)
    status, weight, end_states = merged.pop("status"), merged.pop("WT"), merged.pop("y_end", None)
    model = scenario.arm_model(arm).model
    weeks = np.array(scenario.visit_weeks)
    noise = noise_draws(indices, scenario.seed, len(weeks), NOISE_CHANNELS)
    scores = score_visits(merged, _noise_sd(model), noise)
    after_dropout = dropped_out(
        scores["EASI"],
        weeks,
        dropout_draws(indices, scenario.seed, len(weeks)),
        scenario.dropout_per_week,
        scenario.dropout_nonimprover_factor,
    )
    after_rescue = (
        rescued(
            scores["EASI"],
            weeks,
            rescue_draws(indices, scenario.seed, len(weeks)),
            model.parameter("rescue_improvement_pct").value,
            model.parameter("rescue_rate").value,
            present=~after_dropout,
        )
        if scenario.rescue
        else np.zeros(scores["EASI"].shape, dtype=bool)
    )
    # rescue TCS add nothing to an arm on background TCS (the same steroid, used the same way): nothing to redo
    if scenario.estimand == "treatment-policy" and after_rescue.any() and arm.tcs_potency is None:
        merged, status, end_states = with_rescue_therapy(
            scenario, arm_index, indices, y_enrol, after_rescue, (merged, status, end_states), executor, store
        )
        scores = score_visits(merged, _noise_sd(model), noise)  # the same rater noise, the courses on rescue
    patients = Population(indices, {"WT": weight}, age_and_sex(indices, scenario.seed, scenario.preset))
    return ArmResult(arm, weeks, patients, scores, merged, status, after_rescue, after_dropout, end_states)


def with_rescue_therapy(
    scenario: Scenario,
    arm_index: int,
    indices: np.ndarray,
    y_enrol: np.ndarray,
    after_rescue: np.ndarray,
    results: tuple[dict[str, np.ndarray], np.ndarray, np.ndarray | None],
    executor: Executor | None = None,
    store: ChunkStore | None = None,
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray | None]:
    """The arm's read-outs, status and end states with each rescued patient's course simulated again on rescue
    therapy: medium-potency topical corticosteroids (daily on active lesions, stepped down as they clear) from the
    visit after which it was rescued, on top of its arm's treatment. The course before that visit is the same."""
    readouts, status, end_states = results
    who = np.flatnonzero(after_rescue.any(axis=0))
    days = np.array(scenario.visit_weeks) * 7.0
    start = days[after_rescue[:, who].argmax(axis=0) - 1]  # rescued after its assessment at the visit before
    chunks = batched(range(len(who)), ARM_CHUNK)
    items = [(scenario, arm_index, indices[who[r]], y_enrol[:, who[r]], start[r]) for r in chunks]
    names = [f"arm{arm_index}_rescue_{j:06d}" for j in range(len(chunks))]
    parts = run_chunks(executor or LocalExecutor(), simulate_chunk, items, names, store)
    again = concatenated(parts)
    readouts = {k: v.copy() for k, v in readouts.items()}
    for k in readouts:
        readouts[k][..., who] = again[k]
    status = status.copy()
    status[who] = again["status"]
    if end_states is not None:
        end_states = end_states.copy()
        end_states[..., who] = again["y_end"]
    return readouts, status, end_states


def dropout_draws(indices: np.ndarray, seed: int, n_visits: int) -> np.ndarray:
    """Uniform (0, 1) dropout draws, ``(n_visits, n_patients)``, from each patient's own stream (named
    :data:`DROPOUT_STREAM`, so no other draw moves)."""
    return uniforms(indices, seed, stream(DROPOUT_STREAM), n_visits).T


def _observe_visits(c, states: np.ndarray, P: np.ndarray, days: np.ndarray) -> dict[str, np.ndarray]:
    """At each visit, ``(n_visits, n_patients)``: the model's captured read-outs by column name and the score inputs
    by model name."""
    captured = c.model.captured
    observe = c.observer((*captured.values(), *SCORE_INPUTS))
    per_visit = [observe(t, states[k], P) for k, t in enumerate(days)]
    n = P.shape[1]
    names = {**captured, **{k: k for k in SCORE_INPUTS}}
    return {column: np.array([np.broadcast_to(v[name], (n,)) for v in per_visit]) for column, name in names.items()}


def _visit_scores(pop: Population, states: np.ndarray, seed: int, overrides: Overrides) -> dict[str, np.ndarray]:
    """Observed baseline-visit scores of drug-free states ``(1, n_states, n_patients)`` at day 0."""
    c = compiled(None, None, overrides)
    P = c.parameter_matrix(pop.values, len(pop))
    latent = _observe_visits(c, states, P, np.zeros(1))
    return score_visits(latent, _noise_sd(c.model), noise_draws(pop.index, seed, 1, NOISE_CHANNELS))


def _noise_sd(model: Model) -> dict[str, float]:
    """The instruments' parameters: rater and diary noise SDs and the scales' definitions (typical values: they are
    properties of the instruments, not the patient)."""
    return {p.name: p.value for p in model.with_role("instrument")}
