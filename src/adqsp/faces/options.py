"""Command-line options checked with the scenario schema's types (same bounds, same messages as in a scenario
file); an error names the option, e.g. ``--patients-per-arm: must be an integer >= 1 ...``.
"""

from __future__ import annotations

import argparse
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

from adqsp.drugs.record import DrugRecord
from adqsp.drugs.registry import load_record, resolve, shipped
from adqsp.errors import InputError
from adqsp.pk.models import check_pk_model
from adqsp.schema import MAX_DRAWS, MIN_DRAWS, Name, PatientsPerArm, Seed, Weeks, choice, whole
from adqsp.trial.fitted import FITTED
from adqsp.validation import validate

T = TypeVar("T", bound=BaseModel)
Drug = choice((*shipped(), "placebo"), "drug")
Workers = whole(ge=1, le=256)
Draws = whole(ge=MIN_DRAWS, le=MAX_DRAWS)
CalibrationPatients = whole(ge=10, le=100_000)
Evaluations = whole(ge=1)
Port = whole(ge=1, le=65535)
FittedKey = choice(tuple(FITTED), "fitted parameter")


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TrialOptions(_Options):
    """``adqsp trial``: overrides of the scenario's ``patients_per_arm`` and ``seed``, the local workers, and the
    parameter draws of the prediction intervals and their seed."""

    patients_per_arm: PatientsPerArm = None
    seed: Seed = None
    workers: Workers = 2
    uncertainty: Draws = None
    uncertainty_seed: Seed = None


class ValidateOptions(_Options):
    """``adqsp validate``: overrides of every scenario's ``patients_per_arm`` and ``seed``."""

    patients_per_arm: PatientsPerArm = None
    seed: Seed = None


class ModelOptions(_Options):
    """``--drug``, ``--pk-model`` and ``--weeks`` of simulate, export-sbml and params."""

    drug: Drug = "dupilumab"
    pk_model: Name = None
    weeks: Weeks = None

    @property
    def record(self) -> DrugRecord | None:
        """The drug's record, None for placebo."""
        return None if self.drug == "placebo" else resolve(self.drug)


def model_options(args: argparse.Namespace, **values: Any) -> tuple[ModelOptions, DrugRecord | None]:
    """:class:`ModelOptions` from ``args`` (or ``values``) and the drug's record (a shipped drug's, or the one
    ``--drug-file`` names), the PK model checked against it."""
    opts = options(ModelOptions, args, **values)
    record = drug_record(args, opts.record)
    check_pk_model(record, opts.pk_model, "--pk-model")
    return opts, record


def drug_record(args: argparse.Namespace, named: DrugRecord | None) -> DrugRecord | None:
    """The record ``--drug-file`` names, if given (not together with ``--drug``), else ``named``."""
    path = getattr(args, "drug_file", None)
    if path is None:
        return named
    if args.drug is not None:
        raise InputError("--drug-file", "give --drug or --drug-file, not both")
    return load_record(path, "--drug-file")


class ServeOptions(_Options):
    """``adqsp serve``: where the explorer listens (this machine only unless told otherwise)."""

    host: Name = "127.0.0.1"
    port: Port = 8000


class CalibrateOptions(_Options):
    """``adqsp calibrate``: the virtual trials of each evaluation, the number of evaluations and, optionally,
    the fitted parameters to refit (the others keep their shipped values)."""

    patients_per_arm: CalibrationPatients | None = None
    seed: Seed | None = None
    max_evaluations: Evaluations = 250
    only: list[FittedKey] | None = None


class SensitivityOptions(_Options):
    """``adqsp sensitivity``: the virtual trials of each evaluation and, optionally, the parameters to vary."""

    patients_per_arm: CalibrationPatients = 1000
    seed: Seed = 20161
    only: list[Name] | None = None


def options(model: type[T], args: argparse.Namespace, **values: Any) -> T:
    """``model``'s fields taken from ``args``, or from ``values`` where given; None means not given."""
    given = {name: getattr(args, name, None) for name in model.model_fields} | values
    try:
        return validate(model, {name: value for name, value in given.items() if value is not None})
    except InputError as exc:
        raise InputError("--" + exc.field.replace("_", "-"), exc.problem) from None
