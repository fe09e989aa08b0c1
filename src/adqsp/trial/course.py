"""Time courses of individual patients (the typical patient by default), from enrolment, with a regimen."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from adqsp.engine.solve import solve
from adqsp.errors import InputError
from adqsp.model.build import Overrides, check_finite, check_overrides, compiled
from adqsp.pk.models import DRUGS
from adqsp.pk.regimen import Regimen
from adqsp.population.sampling import Population
from adqsp.schema import MAX_DAY, Drug, PkModel, Weeks, check_pk_model, real
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
    drug: Drug = None
    weeks: Weeks = Field(description="length of the course in weeks")
    pk_model: PkModel = None
    step_days: real(gt=0.0, le=MAX_DAY) = Field(1.0, description="output interval in days")

    @model_validator(mode="after")
    def _pk_model_of_the_drug(self) -> CourseArguments:
        check_pk_model(self.drug, self.pk_model)
        return self


def enrolment_state(
    drug: str | None, pk_model: str | None = None, values: dict[str, float] | None = None, overrides: Overrides = ()
) -> dict[str, float]:
    """One patient's states at day 0 of an arm (typical values unless ``values`` are given): its drug-free steady
    state carried along its flare cycle to enrolment, drug compartments empty; where :func:`time_course` starts."""
    c = compiled(drug, pk_model, overrides)
    _, y0, ok = _day0(c, values, overrides)
    if not ok:
        raise RuntimeError("this patient's drug-free steady state or flare cycle could not be integrated")
    return dict(zip(c.model.state_names, y0[:, 0].tolist(), strict=True))


def _day0(c, values: dict[str, float] | None, overrides: Overrides) -> tuple[np.ndarray, np.ndarray, bool]:
    """One patient's parameter matrix and states at day 0, each ``(rows, 1)``, and whether they were found."""
    patient = Population(np.array([0]), {k: np.array([v]) for k, v in (values or {}).items()})
    y_enrol, ok = enrolment_states(patient, overrides)
    return c.parameter_matrix(patient.values, 1), arm_initial_states(c, y_enrol, overrides), bool(ok[0])


def time_course(
    drug: str | None,
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
    given = {"drug": drug, "weeks": weeks, "pk_model": pk_model, "step_days": step_days}
    validate(CourseArguments, {k: v for k, v in given.items() if v is not None})
    if drug is None and regimen.entries:
        raise InputError("regimen", "doses given without a drug")
    overrides = tuple(sorted(dict(overrides).items()))
    check_overrides(overrides, ((drug, pk_model),))
    check_finite(drug, pk_model, overrides)
    c = compiled(drug, pk_model, overrides)
    P, y0, ok = _day0(c, values, overrides)
    days = np.arange(0.0, weeks * 7.0 + 1e-9, step_days)
    if days[-1] < weeks * 7.0 - 1e-9:  # a step that does not divide the course: its end too
        days = np.append(days, weeks * 7.0)
    dose_t, dose_mg = regimen.events(days[-1], P[c.model.parameter_names.index("WT")])
    tr = solve(c, P, y0, days, dose_t, dose_mg)
    observed = c.observe(days, tr.states[:, :, 0].T, np.repeat(P, len(days), axis=1))
    frame = pd.DataFrame({"time_days": days, **{k: np.broadcast_to(v, days.shape) for k, v in observed.items()}})
    frame["skin_drug_nM"] = frame[[f"{d}_skin_nM" for d in DRUGS]].sum(axis=1)
    frame["solver_ok"] = bool(ok and tr.ok[0])
    first = ["time_days", *(f"{drug}_serum_mg_L",) * (drug is not None), *KEY_COLUMNS]
    return frame[first + [k for k in frame.columns if k not in first]]
