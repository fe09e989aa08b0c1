"""Trial scenarios: reading a TOML file, checked against the format in :mod:`adqsp.schema`, and the embedded
default (SOLO 1). ``docs/scenario-format.md`` lists every key.

Example::

    name = "solo1"
    weeks = 16
    visits = [0, 1, 2, 4, 8, 12, 16]
    patients_per_arm = 1000
    seed = 20161
    compare_to = ["SOLO 1"]   # studies in calibration_targets.csv to print beside the results
    [population]
    preset = "adult"
    [[arms]]
    name = "placebo"
    [[arms]]
    name = "dupilumab 300 mg q2w"
    drug = "dupilumab"
    doses = [{mg = 600, week = 0}, {mg = 300, every_weeks = 2, from_week = 2}]
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from adqsp.assembly import LOG_SD, CompiledModel, Overrides, check_overrides, compiled
from adqsp.disease.topical import BACKGROUND_SWITCHES, POTENCY, RESCUE_SWITCHES
from adqsp.drugs.record import DrugRecord
from adqsp.drugs.registry import load_record, resolve, shipped
from adqsp.errors import InputError
from adqsp.pk.interval_mean import EACH_DOSE, INTERVAL_MEAN, TAU, unsupported
from adqsp.pk.models import check_pk_model, pk_model_of
from adqsp.pk.regimen import Regimen
from adqsp.schema import ESTIMANDS, LEAVE, ArmTable, EntryTable, OverrideTable, PeriodTable, ScenarioFile
from adqsp.trial.targets import studies
from adqsp.validation import read_toml, validate


@dataclass(frozen=True)
class Inclusion:
    """Entry criteria applied to the observed baseline visit."""

    easi_min: float
    iga_min: float
    bsa_min_pct: float


@dataclass(frozen=True)
class Arm:
    """A treatment arm: its drug's record (None for placebo), regimen and PK model (None: the drug's default)."""

    name: str
    drug: DrugRecord | None
    regimen: Regimen
    pk_model: str | None
    #: background topical corticosteroids: their potency class (:data:`adqsp.disease.topical.POTENCY`), or None
    tcs_potency: str | None = None
    #: how the doses are simulated (:mod:`adqsp.pk.interval_mean`): each dose, or averaged over ``interval_days``
    dosing: str = EACH_DOSE
    interval_days: float | None = None

    @property
    def overrides(self) -> Overrides:
        """The parameter values the arm's background therapy and its interval-mean dosing set."""
        out: Overrides = ()
        if self.tcs_potency is not None:
            out += (("tcs_applied", 1.0), ("tcs_suppression", POTENCY[self.tcs_potency]))
        if self.dosing == INTERVAL_MEAN:
            out += ((TAU.name, float(self.interval_days)),)
        return out


@dataclass(frozen=True)
class Entry:
    """How patients enter a later period from the previous one (``adqsp.schema.EntryTable``): ``who`` is "all" or
    "responders", ``criteria`` responder rules (any one suffices), ``non_responders`` the arm taking the others
    (None: they leave)."""

    who: str
    criteria: tuple[str, ...]
    non_responders: str | None


@dataclass(frozen=True)
class PeriodArm:
    """An arm of a period: the arm (its regimen in days from the period's start), the previous period's arms it
    takes entrants from and its randomisation share of each (None: the non-responders' arm), and the drug and PK
    model its patients' course carries (the arm's own, or the one given before it, washing out)."""

    arm: Arm
    from_arms: tuple[str, ...]
    ratio: float | None
    course_drug: DrugRecord | None
    course_pk_model: str | None


@dataclass(frozen=True)
class Period:
    """A period of a multi-period trial: it starts at ``start_week`` (trial weeks) and lasts ``weeks``; ``visits``
    are trial weeks after its start (its end included); ``entry`` is None for the first period."""

    name: str
    start_week: float
    weeks: float
    visits: tuple[float, ...]
    arms: tuple[PeriodArm, ...]
    entry: Entry | None
    rescue: bool
    #: how this period's endpoints count patients after rescue or dropout (:mod:`adqsp.trial.estimand`)
    estimand: str = ESTIMANDS[0]

    @property
    def end_week(self) -> float:
        return self.start_week + self.weeks


@dataclass(frozen=True)
class Scenario:
    name: str
    weeks: float
    arms: tuple[Arm, ...]
    visits: tuple[float, ...]
    patients_per_arm: int
    seed: int
    preset: str
    inclusion: Inclusion
    compare_to: tuple[str, ...]
    parameters: Overrides
    rescue: bool = True
    #: one of :data:`adqsp.schema.ESTIMANDS` (:mod:`adqsp.trial.estimand`)
    estimand: str = ESTIMANDS[0]
    #: dropout hazard (1/week) and its factor for a patient not improving (:mod:`adqsp.conduct.dropout`)
    dropout_per_week: float = 0.0
    dropout_nonimprover_factor: float = 1.0
    #: the periods of a multi-period trial (empty: one period); ``weeks``, ``visits``, ``arms`` and ``rescue`` are
    #: then the first period's, which is screened and simulated as a trial of its own
    periods: tuple[Period, ...] = ()

    @property
    def total_weeks(self) -> float:
        """The trial's length in weeks: the end of its last period."""
        return self.periods[-1].end_week if self.periods else self.weeks

    def sized(self, patients_per_arm: int | None = None, seed: int | None = None) -> Scenario:
        """The scenario with another number of patients per arm and/or seed (None: keep the scenario's)."""
        return replace(
            self,
            patients_per_arm=self.patients_per_arm if patients_per_arm is None else patients_per_arm,
            seed=self.seed if seed is None else seed,
        )

    def with_overrides(self, values: Mapping[str, float]) -> Scenario:
        """The scenario with these parameter overrides added to its own (``values`` win where both name a key)."""
        return replace(self, parameters=tuple(sorted({**dict(self.parameters), **values}.items())))

    def arm_overrides(self, arm: Arm) -> Overrides:
        """The parameter values of one of its arms: its background therapy's and the scenario's overrides (the
        scenario's win where both set a parameter: a scenario-wide ``tcs_suppression`` replaces every TCS arm's
        potency class; switching TCS on is per arm only)."""
        return tuple(sorted({**dict(arm.overrides), **dict(self.parameters)}.items()))

    def arm_model(self, arm: Arm) -> CompiledModel:
        """The compiled model of one of its arms (:meth:`arm_overrides` applied)."""
        return compiled(arm.drug, arm.pk_model, self.arm_overrides(arm), arm.dosing)

    @property
    def visit_weeks(self) -> tuple[float, ...]:
        """Visit weeks including baseline (0) and the last week."""
        return tuple(sorted({0.0, float(self.weeks), *self.visits}))


#: the scenarios shipped in the package (``data/<name>.toml``), the default first
EMBEDDED = ("solo1", "comparators", "maintenance", "spacing", "background52", "adolescent", "children")


def embedded_text(name: str = EMBEDDED[0]) -> str:
    """The TOML text of an embedded scenario."""
    if name not in EMBEDDED:
        raise InputError("scenario", f"no embedded scenario {name!r} (embedded: {', '.join(EMBEDDED)})")
    return resources.files("adqsp").joinpath(f"data/{name}.toml").read_text(encoding="utf-8")


def default_scenario_text() -> str:
    return embedded_text()


def embedded_scenarios() -> dict[str, str]:
    """Each embedded scenario's name and what it is (the first line of its file's leading comment)."""
    return {name: embedded_text(name).splitlines()[0].lstrip("# ").strip() for name in EMBEDDED}


def load_scenario(path: Path | str | None = None) -> Scenario:
    """Read and validate a scenario: a TOML file, the name of an embedded one (:data:`EMBEDDED`), or the embedded
    SOLO 1 default when ``path`` is None."""
    if path is None or (str(path) in EMBEDDED and not Path(path).is_file()):
        return parse_scenario(tomllib.loads(embedded_text(str(path or EMBEDDED[0]))))
    if not Path(path).suffix and not Path(path).exists():
        embedded = ", ".join(EMBEDDED)
        raise InputError("scenario", f"no file {path} and no embedded scenario of that name (embedded: {embedded})")
    return parse_scenario(read_toml(path, "scenario"), Path(path).parent)


def parse_scenario(data: dict[str, Any], folder: Path | None = None) -> Scenario:
    """Validate a scenario given as a dict (parsed TOML); raises InputError naming the field. ``drug_files`` are
    read relative to ``folder`` (the scenario file's folder; default the working directory)."""
    file = validate(ScenarioFile, data)
    records = _drug_records(file.drug_files, folder or Path.cwd())
    overrides = _overrides(file.parameters)
    periods = _periods(file.periods, records, file.rescue, file.estimand) if file.periods else ()
    if periods:
        arms = tuple(a.arm for a in periods[0].arms)
        weeks, visits, rescue, estimand = periods[0].weeks, periods[0].visits, periods[0].rescue, periods[0].estimand
    else:
        arms = tuple(_arm(arm, records, f"arms[{i}]", overrides=overrides) for i, arm in enumerate(file.arms))
        weeks, visits, rescue, estimand = file.weeks, tuple(file.visits), file.rescue, file.estimand
    all_arms = tuple(a.arm for p in periods for a in p.arms) or arms
    known = studies()
    for i, study in enumerate(file.compare_to):
        if study not in known:
            raise InputError(f"compare_to[{i}]", f"unknown study {study!r} (known: {', '.join(known)})")
    check_overrides(overrides, tuple((arm.drug, arm.pk_model) for arm in all_arms))
    for switch in BACKGROUND_SWITCHES:
        if switch in dict(overrides):
            raise InputError(f"parameters.{switch}", 'background therapy is set per arm: background = "TCS"')
    for switch in RESCUE_SWITCHES:
        if switch in dict(overrides):
            raise InputError(
                f"parameters.{switch}", 'set by the trial for rescued patients (estimand = "treatment-policy")'
            )
    population = file.population
    return Scenario(
        name=file.name,
        weeks=weeks,
        arms=arms,
        visits=visits,
        patients_per_arm=file.patients_per_arm,
        seed=file.seed,
        preset=population.preset,
        inclusion=Inclusion(population.easi_min, population.iga_min, population.bsa_min_pct),
        compare_to=tuple(file.compare_to),
        parameters=overrides,
        rescue=rescue,
        estimand=estimand,
        dropout_per_week=file.dropout_per_week,
        dropout_nonimprover_factor=file.dropout_nonimprover_factor,
        periods=periods,
    )


def _arm(
    table: ArmTable, records: tuple[DrugRecord, ...], field: str, period: bool = False, overrides: Overrides = ()
) -> Arm:
    """An arm from its checked table; ``field`` names it in errors; ``period``: an arm of a multi-period trial (its
    doses are given one by one: a patient's course keeps one model through the periods); ``overrides``: the
    scenario's parameters (an absorption lag or zero-order input they lengthen may rule out interval-mean dosing).
    Without a ``dosing`` the arm has interval-mean dosing where it applies (an oral pathway inhibitor with linear PK
    dosed at one interval, single-period: its read-outs agree with dose-by-dose dosing, docs/performance.md), else
    each dose."""
    drug = resolve(table.drug, records, f"{field}.drug")
    check_pk_model(drug, table.pk_model, f"{field}.pk_model")
    potency = (table.tcs_potency or "medium") if table.background == "TCS" else None
    regimen = Regimen.from_tables(table.doses, f"{field}.doses")
    arm = Arm(table.name, drug, regimen, table.pk_model, potency)
    asked = table.dosing == INTERVAL_MEAN  # without a dosing: interval-mean where it applies, else each dose
    if table.dosing == EACH_DOSE or (period and not asked):
        return arm
    if period:
        raise InputError(f"{field}.dosing", "interval_mean is for single-period trials (use each_dose)")
    interval = regimen.interval()
    reason = _interval_mean_unsupported(drug, table.pk_model, interval, overrides)
    if reason and asked:
        raise InputError(f"{field}.dosing", f"interval_mean {reason}")
    return arm if reason else replace(arm, dosing=INTERVAL_MEAN, interval_days=interval)


def _interval_mean_unsupported(
    drug: DrugRecord | None, pk_model: str | None, interval: float | None, overrides: Overrides = ()
) -> str:
    """Why an arm of ``drug`` (its PK model) dosed at ``interval`` (day; None: not one interval), with the scenario's
    parameter ``overrides``, cannot be simulated with interval-mean dosing (empty if it can)."""
    if drug is None:
        return "needs a drug"
    pk = pk_model_of(drug, pk_model)
    reason = unsupported(drug, pk)
    if reason:
        return reason
    if interval is None:
        return "needs doses at one constant interval (at least two, every_days or every_weeks)"
    values = {k: v.value for k, v in pk.parameters.items()} | {
        k.removeprefix("pk_"): v for k, v in overrides if k in ("pk_D", "pk_lag")
    }
    for key, what in (("D", "a zero-order input"), ("lag", "an absorption lag")):
        if values.get(key, 0.0) > interval:
            return f"needs {what} no longer than the dosing interval ({key} = {values[key]:g} > {interval:g} day)"
    return ""


def _periods(
    tables: list[PeriodTable], records: tuple[DrugRecord, ...], rescue: bool, estimand: str
) -> tuple[Period, ...]:
    """The periods of a checked scenario file (sources and ratios are checked by the schema), each arm with the
    drug its patients' course carries: one course holds one drug, so an arm giving a drug other than the one its
    patients had before is an error, as is an arm without drug taking patients who had different drugs."""
    periods: list[Period] = []
    start = 0.0
    for k, table in enumerate(tables):
        previous = {a.arm.name: a for a in periods[-1].arms} if periods else {}
        entry = table.entry or (EntryTable() if k else None)
        open_label = entry.non_responders if entry and entry.who == "responders" else LEAVE
        arms = []
        for j, arm_table in enumerate(table.arms):
            field = f"periods[{k}].arms[{j}]"
            arm = _arm(arm_table, records, field, period=True)
            sources = tuple(arm_table.from_arms or previous)
            carried = {(previous[s].course_drug, previous[s].course_pk_model) for s in sources}
            drug, pk_model = _course_drug(arm, carried, field)
            ratio = None if arm.name == open_label else arm_table.ratio
            arms.append(PeriodArm(arm, sources, ratio, drug, pk_model))
        criteria = tuple(dict.fromkeys(entry.criteria)) if entry else ()
        taker = None if open_label == LEAVE else open_label
        period_entry = None if entry is None else Entry(entry.who, criteria, taker)
        visits = tuple(start + w for w in sorted({*table.visits, table.weeks})) if k else tuple(table.visits)
        rescued = rescue if table.rescue is None else table.rescue
        counted = table.estimand or estimand
        if counted == "treatment-policy":
            raise InputError(
                f"periods[{k}].estimand",
                "treatment-policy (rescued patients simulated on rescue therapy) is not available in multi-period"
                " trials: rescue therapy does not carry over a period boundary",
            )
        periods.append(Period(table.name, start, table.weeks, visits, tuple(arms), period_entry, rescued, counted))
        start += table.weeks
    return tuple(periods)


def _course_drug(
    arm: Arm, carried: set[tuple[DrugRecord | None, str | None]], field: str
) -> tuple[DrugRecord | None, str | None]:
    """The drug and PK model of the course of an arm's patients, given what they carry from the previous period."""
    given = {(d, m) for d, m in carried if d is not None}
    if arm.drug is not None:
        other = next((d.name for d, _ in given if d.name != arm.drug.name), None)
        if other is not None:
            raise InputError(
                f"{field}.drug",
                f"its patients had {other} before: switching to {arm.drug.name} between periods is not supported"
                " (a patient's course holds one drug)",
            )
        pk_models = {m for _, m in given}
        if len(pk_models) > 1 or (arm.pk_model is not None and pk_models - {arm.pk_model}):
            raise InputError(f"{field}.pk_model", "its patients had another PK model of the drug before")
        return arm.drug, arm.pk_model if arm.pk_model is not None else next(iter(pk_models), None)
    if len(given) > 1:
        names = ", ".join(sorted(f"{d.name} ({m or 'default PK'})" for d, m in given))
        raise InputError(field, f"takes patients who had different drugs before ({names}): give each its own arm")
    return next(iter(given), (None, None))


def _drug_records(files: list[str], folder: Path) -> tuple[DrugRecord, ...]:
    """The records of ``drug_files``; a name used twice, or one of a shipped drug, is bad input."""
    records: list[DrugRecord] = []
    for i, name in enumerate(files):
        record = load_record(folder / name, f"drug_files[{i}]")
        if record.name in {r.name for r in records}:
            raise InputError(f"drug_files[{i}]", f"names the drug {record.name!r} of an earlier file")
        if record.name in shipped():
            raise InputError(f"drug_files[{i}]", f"names the shipped drug {record.name!r}: give it another name")
        records.append(record)
    return tuple(records)


def _overrides(parameters: dict[str, float | OverrideTable]) -> Overrides:
    """``[parameters]`` as sorted (key, value) pairs; a table's ``log_sd`` becomes the key ``<name>.log_sd``."""
    out: list[tuple[str, float]] = []
    for name, override in parameters.items():
        if not isinstance(override, OverrideTable):
            out.append((name, override))
            continue
        if override.value is not None:
            out.append((name, override.value))
        if override.log_sd is not None:
            out.append((f"{name}{LOG_SD}", override.log_sd))
    return tuple(sorted(out))
