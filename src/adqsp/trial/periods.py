"""Later periods of a multi-period trial: who moves on, re-randomisation, and each patient's course continued.

The first period is screened and simulated as a trial of its own (:mod:`adqsp.trial.run`), so its patients do not
depend on whether later periods exist. At each boundary a patient still in the trial, with an ``ok`` status, enters
the next period; under ``who = "responders"`` only one meeting one of the entry criteria at the previous period's
last visit (against its original baseline, not rescued) is randomised, the others going to the non-responders' arm
or leaving. Randomisation is stratified by the previous arm: each source arm's entrants, ordered by their own draw
(a stream named after the period), are split among the arms taking them in their ratios (largest remainders), so the
counts are exact and no draw depends on chunking.

A patient's course continues from its states at the boundary (drug depots and serum included: PK does not reset),
under the new arm's doses, counted in days from the period's start (a dose at the start is given after the boundary
visit, as a dose at any visit is). Visit noise, rescue and dropout draws are taken at the visit's position in the
patient's whole course, and the rescue and dropout rules are continued from where the patient stood, so the course
is what one simulation of the concatenated regimen with these conduct rules gives. A later period's arm result holds
three kinds of rows: the baseline visit (week 0), the entry visit (the period's start: the previous period's last
visit) and the period's own visits.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from adqsp.assembly import compiled
from adqsp.conduct.dropout import dropped_out
from adqsp.conduct.rescue import rescued
from adqsp.endpoints.scores import NOISE_CHANNELS, SCORE_INPUTS, score_visits
from adqsp.engine.solve import solve
from adqsp.model.codegen import CompiledModel
from adqsp.population.philox import stream, uniforms
from adqsp.population.sampling import Population, age_and_sex, noise_draws, rescue_draws, sample
from adqsp.trial.executors import ChunkStore, LocalExecutor, batched, concatenated, run_chunks
from adqsp.trial.run import (
    ARM_CHUNK,
    ARM_RELAXED,
    ArmResult,
    Executor,
    Progress,
    _noise_sd,
    _observe_visits,
    dropout_draws,
    patient_status,
)
from adqsp.trial.scenario import Period, PeriodArm, Scenario
from adqsp.trial.summary import per_patient

#: the prefix of the stream of a period's randomisation draws (one per patient; the period's name follows)
ALLOCATION_STREAM = "period:"


@dataclass(frozen=True)
class Course:
    """An arm's patients at the end of their period: the arm, its result (rows from the baseline visit), the
    position of its last row in the patients' whole course of visits, the states there in the course model's
    layout, and where each patient came from and whether it entered as a responder (first period: all False)."""

    arm: PeriodArm
    result: ArmResult
    last_visit: int
    states: np.ndarray
    state_names: tuple[str, ...]
    source: np.ndarray
    responder: np.ndarray
    trough: np.ndarray
    trough_week: float | None = None


@dataclass(frozen=True)
class PeriodOutcome:
    """A later period: its arms' courses and the flow of patients from each previous arm (entered, responders,
    randomised to each arm, to the non-responders' arm, left)."""

    period: Period
    courses: tuple[Course, ...]
    flow: dict[str, dict]


def course_model(scenario: Scenario, arm: PeriodArm) -> CompiledModel:
    """The compiled model of an arm's patients' course: the drug they carry, the arm's background therapy."""
    return compiled(arm.course_drug, arm.course_pk_model, scenario.arm_overrides(arm.arm))


def first_courses(scenario: Scenario, results: list[ArmResult]) -> list[Course]:
    """The first period's arms as courses (their results hold their end states)."""
    out = []
    for pa, r in zip(scenario.periods[0].arms, results, strict=True):
        names = tuple(course_model(scenario, pa).model.state_names)
        none = np.zeros(len(r.patients), dtype=bool)
        nan = np.full(len(r.patients), np.nan)
        out.append(Course(pa, r, len(r.weeks) - 1, r.end_states, names, np.array([""] * len(none)), none, nan))
    return out


def shares(n: int, ratios: list[float]) -> np.ndarray:
    """``n`` split in ``ratios`` (summing to 1): floors, then one more to the largest remainders (earlier first)."""
    exact = n * np.asarray(ratios, dtype=float)
    counts = np.floor(exact + 1e-9).astype(np.int64)
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[: n - counts.sum()]] += 1
    return counts


def allocate(draws: np.ndarray, ratios: list[float]) -> np.ndarray:
    """Each patient's position among arms of ``ratios``: patients ordered by their draw are split in the counts of
    :func:`shares`."""
    counts = shares(len(draws), ratios)
    out = np.empty(len(draws), dtype=np.int64)
    out[np.argsort(draws, kind="stable")] = np.repeat(np.arange(len(ratios)), counts)
    return out


def entry_responders(course: Course, criteria: tuple[str, ...]) -> np.ndarray:
    """Which of an arm's patients meet one of ``criteria`` at its last visit (against the original baseline), not
    rescued, still in the trial and with an ``ok`` status."""
    r = course.result
    derived = per_patient(r)
    meets = np.zeros(len(r.patients), dtype=bool)
    for c in criteria:
        meets |= derived[c][-1] == 1.0
    return meets & r.ok & ~r.rescued[-1] & ~r.dropped[-1]


def run_period(
    scenario: Scenario,
    k: int,
    previous: list[Course],
    progress: Progress | None = None,
    executor: Executor | None = None,
    store: ChunkStore | None = None,
) -> PeriodOutcome:
    """Move the previous period's patients into period ``k`` by its entry rule and continue their courses."""
    period = scenario.periods[k]
    entry = period.entry
    assert entry is not None
    groups: list[list[tuple[Course, np.ndarray, np.ndarray]]] = [[] for _ in period.arms]  # (source, rows, resp)
    flow: dict[str, dict] = {}
    for course in previous:
        name = course.arm.arm.name
        r = course.result
        present = r.ok & ~r.dropped[-1]
        responder = entry_responders(course, entry.criteria) if entry.criteria else np.zeros(len(present), bool)
        randomised = present & (responder if entry.who == "responders" else True)
        takers = [j for j, a in enumerate(period.arms) if a.ratio is not None and name in a.from_arms]
        rows = np.flatnonzero(randomised) if takers else np.zeros(0, dtype=np.int64)
        to = {period.arms[j].arm.name: 0 for j in takers}
        if len(rows):
            u = uniforms(r.patients.index[rows], scenario.seed, stream(ALLOCATION_STREAM + period.name), 1)[:, 0]
            where = allocate(u, [period.arms[j].ratio for j in takers])
            for pos, j in enumerate(takers):
                chosen = rows[where == pos]
                groups[j].append((course, chosen, responder[chosen]))
                to[period.arms[j].arm.name] = len(chosen)
        moved = len(rows)
        open_label = next(
            (j for j, a in enumerate(period.arms) if a.arm.name == entry.non_responders and name in a.from_arms), None
        )
        if entry.who == "responders" and open_label is not None:
            chosen = np.flatnonzero(present & ~responder)
            groups[open_label].append((course, chosen, responder[chosen]))
            to[period.arms[open_label].arm.name] = len(chosen)
            moved += len(chosen)
        flow[name] = {
            "present": int(present.sum()),
            "responders": int(responder.sum()) if entry.criteria else None,
            "to": to,
            "left": int(present.sum()) - moved,
        }
    courses = tuple(
        _run_period_arm(scenario, k, j, groups[j], progress, executor, store) for j in range(len(period.arms))
    )
    return PeriodOutcome(period, courses, flow)


def simulate_period_chunk(item: tuple) -> dict[str, np.ndarray]:
    """Read-outs at a period's visits ``(n_visits, n)`` of patients continuing from states ``y_start`` (in the
    layout of ``source_states``), their status, weight, serum just before the period's last dose, end states."""
    scenario, k, j, source_states, indices, y_start = item
    period = scenario.periods[k]
    pa = period.arms[j]
    c = course_model(scenario, pa)
    pop = sample(c.model, indices, scenario.seed, scenario.preset)
    P = c.parameter_matrix(pop.values, len(pop))
    y0 = c.initial(P)
    names = c.model.state_names
    y0[[names.index(s) for s in source_states]] = y_start
    start = period.start_week * 7.0
    visits = np.array(period.visits) * 7.0
    dose_t, dose_mg = pa.arm.regimen.events(period.weeks * 7.0, pop.values["WT"])
    dose_t = dose_t + start
    trough_day = _trough_day(dose_t, start, visits[-1])
    times = np.unique(np.array([start, *visits, *([] if trough_day is None else [trough_day])]))
    tr = solve(c, P, y0, times, dose_t, dose_mg, relaxed=ARM_RELAXED)
    at_visits = np.searchsorted(times, visits)
    readouts = _observe_visits(c, tr.states[at_visits], P, visits)
    status = patient_status(c, tr, readouts)
    trough = np.full(len(pop), np.nan)
    if trough_day is not None and "serum_mg_L" in c.model.captured:
        row = int(np.searchsorted(times, trough_day))
        trough = _observe_visits(c, tr.states[row : row + 1], P, times[row : row + 1])["serum_mg_L"][0]
    return {**readouts, "status": status, "WT": pop.values["WT"], "trough": trough, "y_end": tr.states[-1]}


def _trough_day(dose_days: np.ndarray, start: float, end: float) -> float | None:
    """The day of the period's last dose after its start (at or before its end): serum just before it is the
    trough of the regimen; None when the period gives no dose after its start."""
    inside = dose_days[(dose_days > start) & (dose_days <= end + 1e-9)]
    return float(inside[-1]) if len(inside) else None


def _run_period_arm(
    scenario: Scenario,
    k: int,
    j: int,
    group: list[tuple[Course, np.ndarray, np.ndarray]],
    progress: Progress | None,
    executor: Executor | None,
    store: ChunkStore | None,
) -> Course:
    """Continue the courses of the patients randomised (or sent) to arm ``j`` of period ``k``, in chunks per
    source arm, and score, rescue and count them over their whole course."""
    period = scenario.periods[k]
    pa = period.arms[j]
    items, names = [], []
    for s, (course, rows, _) in enumerate(group):
        for c, part in enumerate(batched(rows.tolist(), ARM_CHUNK)):
            part = np.asarray(part, dtype=np.int64)
            indices = course.result.patients.index[part]
            items.append((scenario, k, j, course.state_names, indices, course.states[:, part]))
            names.append(f"period{k}_arm{j}_from{s}_{c:06d}")
    total = sum(len(rows) for _, rows, _ in group)
    finished = [0]

    def done(i: int) -> None:
        finished[0] += len(items[i][4])
        if progress:
            progress(pa.arm.name, finished[0], total)

    parts = run_chunks(executor or LocalExecutor(), simulate_period_chunk, items, names, store, done) if items else []
    model = course_model(scenario, pa).model
    weeks = np.array([0.0, period.start_week, *period.visits])
    n_new = len(period.visits)
    last = group[0][0].last_visit if group else 0
    positions = np.array([0, last, *range(last + 1, last + 1 + n_new)])
    sources = [(course, rows) for course, rows, _ in group]
    merged = _merge(parts, model, n_new)
    indices = np.concatenate([c.result.patients.index[rows] for c, rows in sources] or [np.zeros(0, np.int64)])
    readouts = {
        key: np.vstack([_carried(sources, "readouts", key, len(indices)), value])
        for key, value in merged["readouts"].items()
    }
    z = noise_draws(indices, scenario.seed, int(positions[-1]) + 1, NOISE_CHANNELS)
    new_scores = score_visits(
        {key: value[2:] for key, value in readouts.items()},
        _noise_sd(model),
        {c: v[positions[2:]] for c, v in z.items()},
    )
    scores = {key: np.vstack([_carried(sources, "scores", key, len(indices)), v]) for key, v in new_scores.items()}
    before_rescued = np.concatenate([c.result.rescued[-1][rows] for c, rows in sources] or [np.zeros(0, bool)])
    before_dropped = np.concatenate([c.result.dropped[-1][rows] for c, rows in sources] or [np.zeros(0, bool)])
    dropped, after_rescue = _conduct(
        scenario, period, model, scores["EASI"], weeks, indices, positions, before_rescued, before_dropped
    )
    status = merged["status"]
    arm = replace(pa.arm, drug=pa.course_drug)  # the course's drug: serum is read out through a washout as well
    patients = Population(indices, {"WT": merged["WT"]}, age_and_sex(indices, scenario.seed, scenario.preset))
    result = ArmResult(arm, weeks, patients, scores, readouts, status, after_rescue, dropped)
    result = replace(result, end_states=merged["y_end"])
    source = np.concatenate([np.repeat(c.arm.arm.name, len(rows)) for c, rows in sources] or [np.zeros(0, str)])
    responder = np.concatenate([resp for _, _, resp in group] or [np.zeros(0, bool)])
    trough_day = _trough_day(
        pa.arm.regimen.events(period.weeks * 7.0, np.array([70.0]))[0] + period.start_week * 7.0,
        period.start_week * 7.0,
        period.end_week * 7.0,
    )
    return Course(
        pa,
        result,
        int(positions[-1]),
        merged["y_end"],
        tuple(model.state_names),
        source,
        responder,
        merged["trough"],
        None if trough_day is None else trough_day / 7.0,
    )


def _merge(parts: list[dict[str, np.ndarray]], model, n_visits: int) -> dict:
    """The chunks of an arm joined: ``readouts`` by column, and status, weight, trough and end states."""
    extra = ("status", "WT", "trough", "y_end")
    if not parts:
        columns = [*model.captured, *SCORE_INPUTS]
        empty = {"status": np.zeros(0, dtype="<U2"), "WT": np.zeros(0), "trough": np.zeros(0)}
        return {
            "readouts": {k: np.zeros((n_visits, 0)) for k in columns},
            **empty,
            "y_end": np.zeros((len(model.state_names), 0)),
        }
    merged = concatenated(parts)
    out = {k: merged.pop(k) for k in extra}
    return {**out, "readouts": merged}


def _carried(sources: list[tuple[Course, np.ndarray]], kind: str, key: str, n: int) -> np.ndarray:
    """Rows baseline and entry ``(2, n)`` of a score (``kind`` "scores") or read-out ("readouts") from the
    patients' previous arms; a read-out the previous model lacks (the serum of a drug not given before) is 0."""
    blocks = []
    for course, rows in sources:
        values = getattr(course.result, kind).get(key)
        blocks.append(np.zeros((2, len(rows))) if values is None else values[[0, -1]][:, rows])
    return np.concatenate(blocks, axis=1) if blocks else np.zeros((2, n))


def _conduct(
    scenario: Scenario,
    period: Period,
    model,
    easi: np.ndarray,
    weeks: np.ndarray,
    indices: np.ndarray,
    positions: np.ndarray,
    before_rescued: np.ndarray,
    before_dropped: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Dropout and rescue flags of a later period's rows (baseline, entry, visits), the rules continued from the
    entry visit with the draws of each visit's position in the course (none between baseline and entry)."""
    n_all = int(positions[-1]) + 1
    u = dropout_draws(indices, scenario.seed, n_all)[positions]
    u[0] = 1.0  # no event between the baseline and the entry rows: that stretch is the previous periods'
    dropped = dropped_out(easi, weeks, u, scenario.dropout_per_week, scenario.dropout_nonimprover_factor)
    dropped[1:] |= before_dropped
    if period.rescue:
        after_rescue = rescued(
            easi,
            weeks,
            rescue_draws(indices, scenario.seed, n_all)[positions],
            model.parameter("rescue_improvement_pct").value,
            model.parameter("rescue_rate").value,
            present=~dropped,
        )
    else:
        after_rescue = np.zeros(easi.shape, dtype=bool)
    after_rescue[1:] |= before_rescued
    return dropped, after_rescue
