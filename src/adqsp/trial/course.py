"""Time courses from enrolment under a regimen: of one patient (the typical patient by default), with every state
and assignment, or of a sampled virtual population, with the read-outs asked for."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from adqsp.assembly import Overrides, check_finite, check_overrides, compiled
from adqsp.drugs.record import DrugRecord
from adqsp.drugs.registry import DrugLike, resolve
from adqsp.engine.solve import solve
from adqsp.errors import InputError
from adqsp.pk.models import check_pk_model
from adqsp.pk.regimen import Regimen
from adqsp.population.sampling import Population, sample
from adqsp.schema import MAX_DAY, PatientsPerArm, Preset, Seed, Weeks, real
from adqsp.trial.run import arm_initial_states, enrolment_states
from adqsp.validation import validate

#: columns placed first in a time course, after time_days
KEY_COLUMNS = (
    "skin_drug_nM",
    "les_keratinocyte_il4ra_occupancy",
    "les_keratinocyte_type1",
    "les_keratinocyte_type2",
    "les_lymphocyte_type1",
    "les_lymphocyte_type2",
    "easi",
    "iga_latent",
    "itch_nrs",
    "bsa_pct",
    "tarc_serum",
    "ige_serum",
    "les_epidermis_um",
    "les_tewl",
)


class CourseArguments(BaseModel):
    """The checked arguments of :func:`time_course` (the scenario schema's types and bounds)."""

    model_config = ConfigDict(extra="forbid")
    weeks: Weeks = Field(description="length of the course in weeks")
    step_days: real(gt=0.0, le=MAX_DAY) = Field(1.0, description="output interval in days")


def enrolment_state(
    drug: DrugLike, pk_model: str | None = None, values: dict[str, float] | None = None, overrides: Overrides = ()
) -> dict[str, float]:
    """One patient's states at day 0 of an arm (typical values unless ``values`` are given): its drug-free steady
    state carried along its flare cycle to enrolment, drug compartments empty; where :func:`time_course` starts."""
    c = compiled(drug, pk_model, overrides)
    _, y0, ok = _day0(c, _one_patient(values), overrides)
    if not ok[0]:
        raise RuntimeError("this patient's drug-free steady state or flare cycle could not be integrated")
    return dict(zip(c.model.state_names, y0[:, 0].tolist(), strict=True))


def _one_patient(values: dict[str, float] | None) -> Population:
    """The typical patient, with ``values`` instead of the typical ones where given."""
    return Population(np.array([0]), {k: np.array([v]) for k, v in (values or {}).items()})


def _day0(c, population: Population, overrides: Overrides) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The patients' parameter matrix and states at day 0 of the arm model ``c``, and whether each was found."""
    y_enrol, found = enrolment_states(population, overrides)
    P = c.parameter_matrix(population.values, len(population))
    return P, arm_initial_states(c, y_enrol, P, overrides), found


def time_course(
    drug: DrugLike,
    regimen: Regimen,
    weeks: float,
    pk_model: str | None = None,
    values: dict[str, float] | None = None,
    step_days: float = 1.0,
    overrides: Overrides | Mapping[str, float] = (),
) -> pd.DataFrame:
    """Every state and assignment of one patient (typical values unless ``values`` are given) over time, at every
    ``step_days`` and at the end (day ``7 weeks``); ``overrides``: parameter values, as pairs or a mapping.

    Bad arguments raise InputError naming the argument (same bounds as a scenario file).
    """
    drug = resolve(drug)
    overrides = _checked(CourseArguments, drug, pk_model, regimen, overrides, weeks=weeks, step_days=step_days)
    c = compiled(drug, pk_model, overrides)
    P, y0, ok = _day0(c, _one_patient(values), overrides)
    days = _days(weeks, step_days)
    dose_t, dose_mg = regimen.events(days[-1], P[c.model.parameter_names.index("WT")])
    tr = solve(c, P, y0, days, dose_t, dose_mg)
    observed = c.observe(days, tr.states[:, :, 0].T, np.repeat(P, len(days), axis=1))
    frame = pd.DataFrame({"time_days": days, **{k: np.broadcast_to(v, days.shape) for k, v in observed.items()}})
    frame["skin_drug_nM"] = frame[f"{drug.name}_skin_nM"] if drug is not None else 0.0
    frame["solver_ok"] = bool(ok[0] and tr.ok[0])
    first = ["time_days", *_serum(drug), *KEY_COLUMNS]
    return _with_units(frame[first + [k for k in frame.columns if k not in first]], c)


class PopulationArguments(CourseArguments):
    """The checked arguments of :func:`population_course`."""

    patients: PatientsPerArm
    seed: Seed = 0
    preset: Preset = "adult"
    step_days: real(gt=0.0, le=MAX_DAY) = Field(7.0, description="output interval in days")


#: read-outs of :func:`population_course` by default
POPULATION_OUTPUTS = ("easi", "itch_nrs", "bsa_pct", "tarc_serum", "ige_serum", "les_keratinocyte_il4ra_occupancy")


def population_course(
    drug: DrugLike,
    regimen: Regimen,
    weeks: float,
    patients: int,
    seed: int = 0,
    outputs: Sequence[str] = POPULATION_OUTPUTS,
    pk_model: str | None = None,
    step_days: float = 7.0,
    overrides: Overrides | Mapping[str, float] = (),
    preset: str = "adult",
) -> pd.DataFrame:
    """Read-outs of ``patients`` sampled virtual patients (indices 0 .. patients - 1 of ``seed``'s population, the
    same patients a trial with that seed screens) from each one's enrolment state, every ``step_days`` and at the
    end: a long table (patient, time_days, WT, the drug's serum concentration, ``outputs``, solver_ok). No
    inclusion criteria are applied; :func:`adqsp.trial.job.run_trial` screens, randomises and scores a trial.
    """
    drug = resolve(drug)
    overrides = _checked(
        PopulationArguments,
        drug,
        pk_model,
        regimen,
        overrides,
        weeks=weeks,
        step_days=step_days,
        patients=patients,
        seed=seed,
        preset=preset,
    )
    c = compiled(drug, pk_model, overrides)
    names = list(dict.fromkeys([*_serum(drug), *outputs]))
    try:
        observe = c.observer(names)
    except KeyError as exc:
        raise InputError("outputs", f"{exc.args[0]} (see the columns of `adqsp simulate`)") from None
    pop = sample(c.model, np.arange(patients), seed, preset)
    P, y0, found = _day0(c, pop, overrides)
    days = _days(weeks, step_days)
    dose_t, dose_mg = regimen.events(days[-1], pop.values["WT"])
    tr = solve(c, P, y0, days, dose_t, dose_mg)
    values = [observe(t, tr.states[k], P) for k, t in enumerate(days)]  # each (patients,) per name
    frame = pd.DataFrame(
        {
            "patient": np.tile(np.arange(patients), len(days)),
            "time_days": np.repeat(days, patients),
            "WT": np.tile(pop.values["WT"], len(days)),
            **{name: np.concatenate([np.broadcast_to(v[name], (patients,)) for v in values]) for name in names},
            "solver_ok": np.tile(found & tr.ok, len(days)),
        }
    )
    return _with_units(frame, c)


def _serum(drug: DrugRecord | None) -> list[str]:
    """The drug's serum concentration column (none for placebo)."""
    return [] if drug is None else [f"{drug.name}_serum_mg_L"]


def _with_units(frame: pd.DataFrame, c) -> pd.DataFrame:
    """``frame`` with ``attrs["units"]``: each column's unit (``dimensionless`` for flags and indices)."""
    declared = {s.name: s.unit for s in c.model.states} | {a.name: a.unit for a in c.model.assignments}
    known = declared | {"time_days": "day", "skin_drug_nM": "nM", "WT": "kg"}
    frame.attrs["units"] = {column: known.get(column, "dimensionless") for column in frame.columns}
    return frame


def _checked(
    arguments: type[CourseArguments],
    drug: DrugRecord | None,
    pk_model: str | None,
    regimen: Regimen,
    overrides,
    **given,
) -> Overrides:
    """Check a course's arguments as a scenario file's are; the overrides as sorted pairs."""
    validate(arguments, {k: v for k, v in given.items() if v is not None})
    check_pk_model(drug, pk_model)
    if drug is None and regimen.entries:
        raise InputError("regimen", "doses given without a drug")
    overrides = tuple(sorted(dict(overrides).items()))
    check_overrides(overrides, ((drug, pk_model),))
    check_finite(drug, pk_model, overrides)
    return overrides


def _days(weeks: float, step_days: float) -> np.ndarray:
    """Output days: every ``step_days`` from 0, and the course's last day (when the step does not divide it)."""
    days = np.arange(0.0, weeks * 7.0 + 1e-9, step_days)
    return days if days[-1] >= weeks * 7.0 - 1e-9 else np.append(days, weeks * 7.0)
