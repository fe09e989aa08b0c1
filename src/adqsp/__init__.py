"""adqsp: a QSP simulator of atopic dermatitis and its treatment.

The Python entry points, imported on first use (so ``import adqsp`` and the command line start fast):

- models: :func:`build_model` (the declaration of an arm's model), :func:`compiled` (its batched numpy functions)
- drugs: :func:`load_record` (a drug record file), :func:`shipped` (the shipped records), :class:`DrugRecord`; every
  function that takes a drug takes a shipped drug's name or a record
- regimens: :class:`Regimen`, :data:`LABEL_DOSES`
- time courses: :func:`time_course` (one patient, every state and read-out), :func:`population_course` (a sampled
  virtual population, chosen read-outs), :func:`enrolment_state` (a patient's day-0 state)
- trials: :func:`load_scenario`, :func:`parse_scenario`, :func:`run_trial`, :func:`run_with_uncertainty` (the trial
  with prediction intervals from the calibration's covariance), :func:`run_validation` (published results of a
  targets file beside virtual trials of their designs)
- lower level: :func:`sample` (virtual patients), :func:`solve` (integrate a population), :func:`to_sbml_document`
  and :func:`write_sbml` (SBML export)
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "build_model": "adqsp.assembly",
    "compiled": "adqsp.assembly",
    "load_record": "adqsp.drugs.registry",
    "shipped": "adqsp.drugs.registry",
    "DrugRecord": "adqsp.drugs.record",
    "Regimen": "adqsp.pk.regimen",
    "LABEL_DOSES": "adqsp.pk.regimen",
    "time_course": "adqsp.trial.course",
    "population_course": "adqsp.trial.course",
    "enrolment_state": "adqsp.trial.course",
    "load_scenario": "adqsp.trial.scenario",
    "parse_scenario": "adqsp.trial.scenario",
    "run_trial": "adqsp.trial.job",
    "run_with_uncertainty": "adqsp.trial.uncertainty",
    "run_validation": "adqsp.trial.validate",
    "sample": "adqsp.population.sampling",
    "solve": "adqsp.engine.solve",
    "to_sbml_document": "adqsp.faces.sbml",
    "write_sbml": "adqsp.faces.sbml",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'adqsp' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
