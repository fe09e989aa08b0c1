"""Assemble the full model (PK + receptor + disease + clinical read-outs + trial conduct) for one drug or placebo:
the one module that knows every model layer and the drug records (the layers: ``tests/test_layers.py``).

Calibrated parameters take the values shipped in ``data/calibrated.json`` (written by ``adqsp calibrate``);
``overrides`` (e.g. from a scenario's ``[parameters]`` table) replace typical values on top of those; a key
``<name>.log_sd`` sets the parameter's between-patient log-SD instead. Names the model does not have (a PK
parameter in a placebo arm) are skipped; :func:`check_overrides` rejects unknown ones.
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache, lru_cache
from importlib import resources

import numpy as np

from adqsp.conduct.block import conduct_block
from adqsp.disease.inhibition import Inhibitor, phase_averaged
from adqsp.disease.skin import disease_block
from adqsp.disease.topical import topical_block
from adqsp.drugs.record import DOSE_EVENT_KEYS
from adqsp.drugs.registry import DrugLike, drug_name, resolve
from adqsp.endpoints.scores import endpoints_block
from adqsp.errors import InputError
from adqsp.model.codegen import CompiledModel, compile_model
from adqsp.model.declaration import Model, combine
from adqsp.pk.interval_mean import DOSINGS, EACH_DOSE, INTERVAL_MEAN, interval_phases, rate_phases
from adqsp.pk.models import check_pk_model, no_drug_block, pk_block
from adqsp.receptor.motifs import Binder
from adqsp.receptor.qss import receptor_constants, receptor_parameters

Overrides = tuple[tuple[str, float], ...]
#: suffix of an override key that sets a parameter's between-patient log-SD rather than its typical value
LOG_SD = ".log_sd"


def parameter_of(key: str) -> str:
    """The parameter an override key refers to (``"th2_drive.log_sd"`` -> ``"th2_drive"``)."""
    return key.removesuffix(LOG_SD)


@cache
def calibration_record() -> dict:
    """The package's calibration file (``data/calibrated.json``, written by ``adqsp calibrate``); empty if none."""
    path = resources.files("adqsp").joinpath("data/calibrated.json")
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def calibrated_values() -> dict[str, float]:
    """The fitted values the package ships (empty if no calibration file is present)."""
    return {k: float(v) for k, v in calibration_record().get("parameters", {}).items()}


def with_estimates(model: Model, record: dict) -> Model:
    """The model's parameters with what the calibration ``record`` says of them: the 95% interval of each value or
    log-SD the targets determine; a parameter whose value they do not determine is declared assumed (at the fit's
    value), not calibrated."""
    estimates = record.get("estimates", {})
    date = record.get("provenance", {}).get("date", "")
    params = []
    for p in model.parameters:
        value, spread = estimates.get(p.name), estimates.get(p.name + LOG_SD)
        changes: dict = {}
        if value and value["determined"]:
            changes["interval"] = (value["low"], value["high"])
        if spread and spread["determined"]:
            changes["log_sd_interval"] = (spread["low"], spread["high"])
        if value and not value["determined"] and p.calibrated:
            why = f"the calibration targets do not determine it (identifiability of {date}); the fitted value is kept"
            spread_note = "; its log-SD is calibrated" if "log_sd_interval" in changes else ""
            changes["source"] = f"assumed: {why}{spread_note}"
        elif spread and not spread["determined"] and p.calibrated:
            spread_why = f"the calibration targets do not determine its log-SD (identifiability of {date})"
            changes["source"] = f"{p.source}; log-SD assumed: {spread_why}" if value else f"assumed: {spread_why}"
        params.append(replace(p, **changes) if changes else p)
    return replace(model, parameters=tuple(params))


def model_blocks(
    drug: DrugLike = "dupilumab", pk_model: str | None = None, dosing: str = EACH_DOSE
) -> tuple[Model, ...]:
    """The parts an arm's model is combined from, in order: pk, receptor, conduct, disease, endpoints, topical
    (background therapy; as declared:
    without the calibrated values, which :func:`build_model` applies to the whole). ``dosing``: ``each_dose``, or
    ``interval_mean`` for the drug's PK and inhibition averaged over the dosing interval
    (:mod:`adqsp.pk.interval_mean`)."""
    record = resolve(drug)
    check_pk_model(record, pk_model)
    if dosing not in DOSINGS:
        raise InputError("dosing", f"unknown dosing {dosing!r} (allowed: {', '.join(DOSINGS)})")
    mean = dosing == INTERVAL_MEAN
    if mean and record is None:
        raise InputError("dosing", "interval_mean needs a drug (placebo has no doses)")
    pk = no_drug_block() if record is None else pk_block(record, pk_model, interval_mean=mean)
    binders, inhibitors = Binder.of(record), Inhibitor.of(record, interval_phases() if mean else ())
    receptor = Model(
        name="receptor",
        parameters=receptor_parameters(binders),
        states=(),
        assignments=receptor_constants(binders),
        rates={},
    )
    # conduct before disease: the skin's exposure and the reported NRS read its assignments; the background therapy
    # after the endpoints: its use follows the lesion's erythema score
    return pk, receptor, conduct_block(), disease_block(binders, inhibitors), endpoints_block(), topical_block()


def build_model(
    drug: DrugLike = "dupilumab", pk_model: str | None = None, overrides: Overrides = (), dosing: str = EACH_DOSE
) -> Model:
    """The one declared model of an arm: a shipped drug's name or a drug record; ``drug=None`` is placebo (no drug
    compartments); ``dosing`` as in :func:`model_blocks`."""
    name = f"adqsp_{drug_name(drug) or 'placebo'}" + ("_interval_mean" if dosing == INTERVAL_MEAN else "")
    model = combine(name, *model_blocks(drug, pk_model, dosing))
    if dosing == INTERVAL_MEAN:  # the disease's rates averaged over the interval's phases
        model = phase_averaged(model, Inhibitor.of(resolve(drug)), rate_phases()).check()
    values = {**calibrated_values(), **dict(overrides)}
    known = {k: v for k, v in values.items() if parameter_of(k) in model.parameter_names}
    model = model.with_values(
        {k: v for k, v in known.items() if not k.endswith(LOG_SD)},
        {parameter_of(k): v for k, v in known.items() if k.endswith(LOG_SD)},
    )
    return with_estimates(model, calibration_record())


def check_overrides(overrides: Overrides, drugs: tuple[tuple[DrugLike, str | None], ...]) -> None:
    """Every override names a parameter of at least one of the (drug, pk_model) models; parameters of the
    instruments and of the trial conduct (the same for every patient) take no log-SD."""
    declared = {p.name: p for drug, pk_model in drugs for p in build_model(drug, pk_model).parameters}
    unknown = sorted(k for k, _ in overrides if parameter_of(k) not in declared)
    if unknown:
        raise InputError(f"parameters.{unknown[0]}", "unknown parameter (see `adqsp params`)")
    shared = sorted(k for k, _ in overrides if k.endswith(LOG_SD) and _shared(declared[parameter_of(k)].name, declared))
    if shared:
        name = parameter_of(shared[0])
        raise InputError(
            f"parameters.{name}.log_sd", "the same for every patient (raters, trial conduct, dose events): no log_sd"
        )


def _shared(name: str, declared: dict) -> bool:
    """A parameter the same for every patient: of the instruments or the trial conduct, or one shaping dose events."""
    return declared[name].role != "patient" or name in {f"pk_{k}" for k in DOSE_EVENT_KEYS}


def compiled(
    drug: DrugLike = "dupilumab", pk_model: str | None = None, overrides: Overrides = (), dosing: str = EACH_DOSE
) -> CompiledModel:
    """The compiled model of an arm (cached: compiling is pure; one object per model however it is asked for)."""
    return _compiled(drug, pk_model, overrides, dosing)


@lru_cache(maxsize=64)
def _compiled(drug: DrugLike, pk_model: str | None, overrides: Overrides, dosing: str) -> CompiledModel:
    return compile_model(build_model(drug, pk_model, overrides, dosing))


def check_finite(drug: DrugLike, pk_model: str | None, overrides: Overrides, dosing: str = EACH_DOSE) -> None:
    """The typical patient's rates and read-outs at its initial state are finite with these overrides; otherwise an
    InputError naming the override responsible (a volume, rate constant or half-saturation set to 0, say), rather
    than a run whose every patient fails."""
    if overrides and not _finite_at_start(compiled(drug, pk_model, overrides, dosing)):
        culprit = next((o for o in overrides if not _finite_at_start(compiled(drug, pk_model, (o,), dosing))), None)
        field = f"parameters.{parameter_of(culprit[0])}" if culprit else "parameters"
        raise InputError(field, "makes the model's rates or read-outs non-finite (a volume, rate or constant of 0?)")


def _finite_at_start(c: CompiledModel) -> bool:
    P = c.parameter_matrix({}, 1)
    with np.errstate(all="ignore"):
        y = c.initial(P)
        values = [c.rhs(0.0, y, P), *c.observe(0.0, y, P).values()]
    return all(np.isfinite(v).all() for v in values)
