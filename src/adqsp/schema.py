"""The scenario-file format as pydantic models: keys, types, defaults, bounds and the rules between keys.

These models are the one definition of a scenario file and of a dose regimen in either form: validation
(:func:`adqsp.validation.validate`) checks input against them, ``adqsp schema`` prints their JSON Schema and
``docs/scenario-format.md`` is generated from it. They hold checked input only; :mod:`adqsp.trial.scenario` and
:mod:`adqsp.pk.regimen` build the simulator's objects from them. Numbers are strict: a boolean or a string is not a
number, a float is not a whole number, NaN and infinity are rejected.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    WrapValidator,
    model_validator,
)

from adqsp.validation import fail, problem, shown

MAX_PATIENTS_PER_ARM = 1_000_000
MAX_WEEKS = 520
MAX_WEEK = 520.0
MAX_DAY = MAX_WEEK * 7.0
MAX_DOSE_MG = 5000.0
#: the largest dose per kg of body weight (100 mg/kg: far above any antibody dose given subcutaneously)
MAX_DOSE_MG_PER_KG = 100.0
MIN_INTERVAL_WEEKS = 1.0 / 7.0  # at most one dose a day when the interval is given in weeks
#: the shortest interval given in days: an hour (twice daily is 0.5)
MIN_INTERVAL_DAYS = 1.0 / 24.0
MAX_ADDL = 10_000
MAX_WEIGHT_KG = 500.0
MAX_NAME_LENGTH = 100
MAX_PARAMETER = 1e12
MAX_LOG_SD = 5.0
#: the population presets (body weight, and age and sex for the ones drawn by age: ``population/presets.py``)
PRESETS = ("adult", "adolescent", "child")
#: how responder rates and mean changes count patients after rescue or dropout (``trial/estimand.py``), default first
ESTIMANDS = ("rescue-nonresponder", "locf", "observed", "treatment-policy")
#: parameter draws of ``adqsp trial --uncertainty`` (adqsp.trial.uncertainty)
MIN_DRAWS, MAX_DRAWS = 2, 1000
#: background therapies of an arm and the potency classes of topical corticosteroids (adqsp.disease.topical)
BACKGROUNDS = ("TCS",)
#: how an arm's doses are simulated (``adqsp.pk.interval_mean``): averaged over a regular interval, or each dose
DOSINGS = ("interval_mean", "each_dose")
TCS_POTENCIES = ("low", "medium", "high", "very_high")
#: responder rules a period's entry may name (``trial/summary.py``: RESPONDER_KEYS), each against the original baseline
RESPONSE_CRITERIA = ("EASI50", "EASI75", "EASI90", "IGA01", "NRS4")
#: who enters a later period: every patient still in the trial, or those meeting the entry criteria
ENTRY_RULES = ("all", "responders")
#: the word of ``entry.non_responders`` for non-responders who leave the trial
LEAVE = "leave"
#: how far re-randomisation ratios may be from summing to 1
RATIO_TOLERANCE = 1e-9
#: the largest dropout hazard, per week (a patient's chance to stay a week is then exp(-7), under 0.1%)
MAX_DROPOUT_PER_WEEK = 7.0
MAX_DROPOUT_FACTOR = 100.0
#: a scenario name is a folder name: no path separator or control character, no leading dot
_FOLDER_NAME = r"^[^./\\\x00-\x1f\x7f-\x9f][^/\\\x00-\x1f\x7f-\x9f]*$"


def _python_scalar(value: Any) -> Any:
    """A NumPy scalar (from API callers) as the Python number it holds; anything else unchanged."""
    return value.item() if isinstance(value, np.generic) else value


def real(**bounds: float) -> Any:
    """A finite int or float within ``bounds`` (gt, ge, lt, le), as a float."""
    return Annotated[float, Field(strict=True, allow_inf_nan=False, **bounds), BeforeValidator(_python_scalar)]


def whole(**bounds: int) -> Any:
    """An int within ``bounds``."""
    return Annotated[int, Field(strict=True, **bounds), BeforeValidator(_python_scalar)]


def choice(options: tuple[str, ...], noun: str, hint: str = "") -> Any:
    """One of ``options`` (an enum in the JSON Schema); anything else is 'unknown <noun> ... (allowed: ...)'."""
    allowed = ", ".join(options) + (f"; {hint}" if hint else "")

    def known(value: Any) -> Any:
        if not (isinstance(value, str) and value in options):
            raise problem(f"unknown {noun} {shown(value)} (allowed: {allowed})")
        return value

    return Annotated[Literal[options], BeforeValidator(known)]


def _folder_name(name: str) -> str:
    if not re.fullmatch(_FOLDER_NAME, name):
        raise problem(f"must not contain / \\ or control characters, nor start with a dot, got {shown(name)}")
    return name


Weeks = real(gt=0.0, le=MAX_WEEKS)
Week = real(ge=0.0, le=MAX_WEEK)
Mg = real(gt=0.0, le=MAX_DOSE_MG)
MgPerKg = real(gt=0.0, le=MAX_DOSE_MG_PER_KG)
IntervalWeeks = real(ge=MIN_INTERVAL_WEEKS, le=MAX_WEEK)
EveryDays = real(ge=MIN_INTERVAL_DAYS, le=MAX_DAY)
WeightKg = real(gt=0.0, le=MAX_WEIGHT_KG)
Day = real(ge=0.0, le=MAX_DAY)
IntervalDays = real(ge=0.0, le=MAX_DAY)
ParameterValue = real(ge=0.0, le=MAX_PARAMETER)
LogSd = real(ge=0.0, le=MAX_LOG_SD)
Easi = real(ge=0.0, le=72.0)
Iga = real(ge=0.0, le=4.0)
Percent = real(ge=0.0, le=100.0)
DropoutHazard = real(ge=0.0, le=MAX_DROPOUT_PER_WEEK)
DropoutFactor = real(ge=0.0, le=MAX_DROPOUT_FACTOR)
PatientsPerArm = whole(ge=1, le=MAX_PATIENTS_PER_ARM)
Seed = whole(ge=0, lt=2**63)
Addl = whole(ge=0, le=MAX_ADDL)
Name = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=MAX_NAME_LENGTH)]
FolderName = Annotated[Name, AfterValidator(_folder_name), Field(json_schema_extra={"pattern": _FOLDER_NAME})]
#: a drug or PK model as named in a scenario: checked against the drug records when the scenario is read
DrugName = Annotated[Name, Field(description="a shipped drug (`adqsp drug list`) or one of drug_files")]
PkModel = Annotated[Name, Field(description="one of the drug's PK models (`adqsp drug show NAME`)")]
Preset = choice(PRESETS, "preset")
Estimand = choice(ESTIMANDS, "estimand")


class _Table(BaseModel):
    """A TOML table: unknown keys are errors. A key that may be left out defaults to None, which is not itself a
    value (TOML has no null)."""

    model_config = ConfigDict(extra="forbid")


#: keys of a dose entry that are alternatives: at most one of each pair (the first in weeks or mg, the second in
#: days or mg per kg)
DOSE_ALTERNATIVES = (
    ("mg", "mg_per_kg"),
    ("week", "day"),
    ("every_weeks", "every_days"),
    ("from_week", "from_day"),
    ("until_week", "until_day"),
)


class DoseTable(_Table):
    """One entry of an arm's `doses`: `mg` (or `mg_per_kg`) once at `week` (or `day`), or every `every_weeks` (or
    `every_days`) from `from_week` (or `from_day`) up to `until_week` (or `until_day`); the weight keys restrict it
    to a weight tier. Of each pair at most one is given, and exactly one of `mg` and `mg_per_kg`. Entries are listed
    in order of their first dose and no two doses fall at the same time for one patient."""

    mg: Mg = Field(None, description="amount per dose in mg (subcutaneous; instead of mg_per_kg)")
    mg_per_kg: MgPerKg = Field(
        None, description="amount per dose in mg per kg of the patient's body weight WT (instead of mg)"
    )
    week: Week = Field(None, description="week of a single dose (instead of every_weeks)")
    day: Day = Field(None, description="day of a single dose (instead of week)")
    every_weeks: IntervalWeeks = Field(None, description="interval of repeated doses in weeks (at least a day)")
    every_days: EveryDays = Field(
        None,
        description="interval of repeated doses in days, fractions allowed: 1 daily, 0.5 twice daily (at least an"
        " hour; instead of every_weeks)",
    )
    from_week: Week = Field(0.0, description="week of the first repeated dose")
    from_day: Day = Field(None, description="day of the first repeated dose (instead of from_week)")
    until_week: Week = Field(None, description="no repeated dose after this week (default: to the end)")
    until_day: Day = Field(None, description="no repeated dose after this day (instead of until_week)")
    weight_below_kg: WeightKg = Field(None, description="only patients weighing less than this (kg)")
    weight_at_least_kg: WeightKg = Field(None, description="only patients weighing at least this (kg)")

    @model_validator(mode="after")
    def _single_or_repeated(self) -> DoseTable:
        given = self.model_fields_set
        for first, second in DOSE_ALTERNATIVES:
            if {first, second} <= given:
                fail((second,), f"not allowed together with {first}", getattr(self, second))
        if self.mg is None and self.mg_per_kg is None:
            fail(("mg",), "needs mg or mg_per_kg", None)
        single = next((key for key in ("week", "day") if key in given), None)
        repeated = [key for pair in DOSE_ALTERNATIVES[2:] for key in pair if key in given]
        if single is not None:
            if repeated:
                fail((repeated[0],), f"not allowed together with {single}", getattr(self, repeated[0]))
        elif self.every_weeks is None and self.every_days is None:
            raise problem("needs week, day, every_weeks or every_days")
        elif (self.until_week, self.until_day) != (None, None):
            until = "until_day" if self.until_day is not None else "until_week"
            start = "from_day" if self.from_day is not None else "from_week"
            if in_days(self.until_day, self.until_week) < in_days(self.from_day, self.from_week):
                fail((until,), f"must not be before {start} ({getattr(self, start):g})", getattr(self, until))
        return self


def in_days(days: float | None, weeks: float | None) -> float | None:
    """A time or interval given in days or in weeks (or neither: None), in days."""
    return days if days is not None else None if weeks is None else 7.0 * weeks


class DoseRecord(_Table):
    """A NONMEM-style dose record, times in days: `amt` at `time`, then `addl` more doses every `ii` days."""

    amt: Mg = Field(description="amount per dose in mg (subcutaneous)")
    time: Day = Field(0.0, description="day of the first dose")
    ii: IntervalDays = Field(0.0, description="days between doses: at least 1 when addl > 0 (0 for a single dose)")
    addl: Addl = Field(0, description="number of additional doses")

    @model_validator(mode="after")
    def _within_limits(self) -> DoseRecord:
        if self.addl and self.ii < 1.0:
            fail(("ii",), f"must be at least 1 day when addl > 0, got {self.ii:g}", self.ii)
        last_day = self.time + self.addl * self.ii
        if last_day > MAX_DAY:
            fail(("addl",), f"the last dose (day {last_day:g}) must fall by day {MAX_DAY:g}", self.addl)
        return self


class ArmTable(_Table):
    """One `[[arms]]` table: a treatment arm. Without `drug` and `doses` it is a placebo arm."""

    name: Name = Field(description="arm name, unique in the scenario (as in calibration_targets.csv for compare_to)")
    drug: DrugName = Field(
        None, description="drug given in this arm (a shipped drug or one of drug_files); omit for placebo"
    )
    doses: list[DoseTable] = Field([], description="dose entries (a drug arm needs at least one; none for placebo)")
    pk_model: PkModel = Field(None, description="population PK model of the drug (default: the drug's first)")
    background: choice(BACKGROUNDS, "background therapy") = Field(
        None,
        description="background therapy of every patient of the arm: TCS (topical corticosteroids, daily on active"
        " lesions and stepped down as they clear); omit for none",
    )
    tcs_potency: choice(TCS_POTENCIES, "TCS potency class") = Field(
        None, description="potency class of the background TCS (low, medium, high, very_high; default medium)"
    )
    dosing: choice(DOSINGS, "dosing") = Field(
        None,
        description="how the doses are simulated: interval_mean (the drug's PK, pathway inhibition and the disease's"
        " rates averaged over the dosing interval; for a drug acting through inhibits_pathways with linear PK,"
        " first-order or zero/first-order absorption, dosed at one constant interval; serum_mg_L is then the"
        " steady-state trough and the pathway read-outs interval means; single-period trials) or each_dose (every"
        " dose an event; a visit at a dose time reads the drug just before it). Default: interval_mean where it"
        " applies, else each_dose",
    )

    @model_validator(mode="after")
    def _drug_and_doses(self) -> ArmTable:
        if self.doses and self.drug is None:
            fail(("doses",), "doses need a drug (omit doses for placebo)", self.doses)
        if self.drug is not None and not self.doses:
            fail(("doses",), f"{self.drug} arm needs at least one dose", self.doses)
        if self.pk_model is not None and self.drug is None:
            fail(("pk_model",), "needs a drug (placebo has no PK model)", self.pk_model)
        if self.tcs_potency is not None and self.background != "TCS":
            fail(("tcs_potency",), 'needs background = "TCS"', self.tcs_potency)
        if self.dosing is not None and self.drug is None:
            fail(("dosing",), "needs a drug (placebo has no doses)", self.dosing)
        return self


class PeriodArmTable(ArmTable):
    """One arm of a `[[periods]]` table. In a later period, `from_arms` and `ratio` say who is randomised to it;
    doses are in weeks from the period's start (week 0 is the first day of the period)."""

    from_arms: list[Name] = Field(
        None,
        description="later periods: the previous period's arms whose entrants may be randomised to this arm"
        " (default: all of them)",
    )
    ratio: real(gt=0.0, le=1.0) = Field(
        None,
        description="later periods: the share of each source arm's entrants randomised to this arm (per source arm,"
        " the ratios of the arms taking its entrants sum to 1); omit only for the arm entry.non_responders names",
    )


class EntryTable(_Table):
    """The `entry` table of a later period: who moves on from the previous period, judged at its last visit."""

    who: choice(ENTRY_RULES, "entry rule") = Field(
        "all",
        description="all: every patient still in the trial enters and is randomised by the ratios; responders: only"
        " those meeting one of criteria (others go to non_responders)",
    )
    criteria: list[choice(RESPONSE_CRITERIA, "response criterion")] = Field(
        [],
        description="responder rules judged at the previous period's last visit against the original baseline (any"
        " one suffices; rescued or dropped-out patients are non-responders); they also define the maintenance"
        " endpoints (needed when who = responders)",
    )
    non_responders: Name = Field(
        LEAVE,
        description='who = responders: "leave" (non-responders leave the trial) or the name of an arm of this'
        " period that takes them (open label)",
    )

    @model_validator(mode="after")
    def _rule(self) -> EntryTable:
        if self.who == "responders" and not self.criteria:
            fail(("criteria",), "who = responders needs at least one criterion", self.criteria)
        if self.who == "all" and "non_responders" in self.model_fields_set:
            fail(("non_responders",), "only with who = responders", self.non_responders)
        return self


class PeriodTable(_Table):
    """One `[[periods]]` table: a stretch of the trial with its own arms. Patients of the first period are
    screened and randomised as in a single-period trial; each later period starts where the previous one ends, its
    patients carrying their states (drug amounts included) across the boundary."""

    name: Name = Field(description="period name, unique in the scenario")
    weeks: Weeks = Field(description="length of the period in weeks")
    visits: list[real(gt=0.0, le=MAX_WEEK)] = Field(
        [], description="visit weeks counted from the period's start, increasing and within weeks (weeks always is)"
    )
    rescue: bool = Field(
        None, strict=True, description="rescue allowed after this period's visits (default: the scenario's rescue)"
    )
    estimand: Estimand = Field(
        None,
        description="how this period's endpoints count patients after rescue or dropout (default: the scenario's"
        " estimand); the first period's sets the trial's arms",
    )
    entry: EntryTable = Field(None, description="later periods: who enters from the previous period")
    arms: list[PeriodArmTable] = Field(min_length=1, description="the period's arms, one [[periods.arms]] table each")

    @model_validator(mode="after")
    def _visits(self) -> PeriodTable:
        for i, week in enumerate(self.visits):
            if week > self.weeks:
                fail(("visits", i), f"must be <= weeks ({self.weeks:g}), got {week:g}", week)
        if self.visits != sorted(set(self.visits)):
            fail(("visits",), f"must be increasing with no repeats, got {shown(self.visits)}", self.visits)
        return self


class PopulationTable(_Table):
    """The `[population]` table: who is enrolled. The entry criteria apply to the observed baseline visit."""

    preset: Preset = Field(
        "adult",
        description="virtual population: adult (body weight of the dupilumab population PK data set), adolescent"
        " (12-17 years) or child (6-11 years) (age, sex and CDC 2000 weight-for-age); see docs/scenarios.md",
    )
    easi_min: Easi = Field(16.0, description="lowest EASI score at baseline")
    iga_min: Iga = Field(3.0, description="lowest IGA score at baseline")
    bsa_min_pct: Percent = Field(10.0, description="lowest affected body surface area (%)")


class OverrideTable(_Table):
    """A parameter override written as a table: `name = {value = v, log_sd = s}` (either key or both)."""

    value: ParameterValue = Field(None, description="typical value, in the unit `adqsp params` lists")
    log_sd: LogSd = Field(None, description="between-patient SD of log(value)")

    @model_validator(mode="after")
    def _something_set(self) -> OverrideTable:
        if self.value is None and self.log_sd is None:
            raise problem("must set value and/or log_sd")
        return self


_PARAMETER_VALUE = TypeAdapter(ParameterValue)


def _value_or_table(value: Any, _union: Any) -> float | OverrideTable:
    """Validate an override in the form it is written, so an error is about that form only."""
    return OverrideTable.model_validate(value) if isinstance(value, dict) else _PARAMETER_VALUE.validate_python(value)


Override = Annotated[ParameterValue | OverrideTable, WrapValidator(_value_or_table)]


class ScenarioFile(_Table):
    """A scenario file (TOML): a virtual clinical trial. Keys not listed here are errors."""

    name: FolderName = Field(
        description="scenario name; results go to `results/<name>/` (no / \\ or control characters, no leading dot)"
    )
    weeks: Weeks = Field(None, description="trial length in weeks (the last visit); not with periods")
    visits: list[Week] = Field([], description="visit weeks, increasing and within weeks (0 and weeks always are)")
    patients_per_arm: PatientsPerArm = Field(300, description="virtual patients enrolled per arm")
    seed: Seed = Field(0, description="random seed: the same seed gives the same patients")
    compare_to: list[str] = Field([], description="studies in calibration_targets.csv to show beside the results")
    rescue: bool = Field(
        True,
        strict=True,
        description="rescue treatment as in SOLO: a patient whose EASI has not improved enough may be rescued after a"
        " visit, and counts from then on as the estimand says; false: no rescue",
    )
    estimand: Estimand = Field(
        ESTIMANDS[0],
        description="how responder rates and mean changes count a patient after rescue or dropout:"
        " rescue-nonresponder (a non-responder from rescue or dropout on; continuous values after rescue the values"
        " without rescue, after dropout the last observed), locf (the last observation before rescue or dropout"
        " carried forward), observed (only patients still observed and not rescued) or treatment-policy (rescued"
        " patients counted as observed on rescue topical corticosteroids, simulated from their rescue; not in"
        " multi-period trials); see docs/estimands.md",
    )
    dropout_per_week: DropoutHazard = Field(0.0, description="dropout hazard per week (0: nobody leaves the trial)")
    dropout_nonimprover_factor: DropoutFactor = Field(
        1.0,
        description="multiplies the dropout hazard of a patient whose observed EASI at the last visit has improved"
        " by less than 50% from baseline",
    )
    population: PopulationTable = Field(PopulationTable(), description="who is enrolled")
    drug_files: list[Name] = Field(
        [], description="drug record files (TOML, paths relative to the scenario file) whose drugs arms may name"
    )
    arms: list[ArmTable] = Field(
        None, min_length=1, description="the treatment arms, one [[arms]] table each (or periods)"
    )
    periods: list[PeriodTable] = Field(
        None,
        min_length=1,
        description="a trial of several periods instead of weeks, visits and arms: one [[periods]] table each, in"
        " order",
    )
    parameters: dict[str, Override] = Field(
        {}, description="parameter overrides, name = value or name = {value, log_sd}; names as in `adqsp params`"
    )

    @model_validator(mode="after")
    def _consistent(self) -> ScenarioFile:
        if self.periods is not None:
            return self._periods_consistent()
        for key in ("weeks", "arms"):
            if getattr(self, key) is None:
                fail((key,), "is required (or periods)", None)
        for i, week in enumerate(self.visits):
            if week > self.weeks:
                fail(("visits", i), f"must be <= weeks ({self.weeks:g}), got {week:g}", week)
        if self.visits != sorted(set(self.visits)):
            fail(("visits",), f"must be increasing with no repeats, got {shown(self.visits)}", self.visits)
        names = [arm.name for arm in self.arms]
        twice = next((name for name in names if names.count(name) > 1), None)
        if twice is not None:
            fail(("arms",), f"arm names must be unique ({twice!r} is used twice)", names)
        return self

    def _periods_consistent(self) -> ScenarioFile:
        """With periods: no top-level weeks, visits or arms (an arm outside every period); names unique across
        periods; each later period's entry and arms well formed against the previous period."""
        for key in ("weeks", "visits", "arms"):
            if key in self.model_fields_set:
                fail((key,), "not allowed with periods: give each period its own", getattr(self, key))
        names = [period.name for period in self.periods]
        twice = next((name for name in names if names.count(name) > 1), None)
        if twice is not None:
            fail(("periods",), f"period names must be unique ({twice!r} is used twice)", names)
        arms = [arm.name for period in self.periods for arm in period.arms]
        twice = next((name for name in arms if arms.count(name) > 1), None)
        if twice is not None:
            fail(("periods",), f"arm names must be unique across periods ({twice!r} is used twice)", arms)
        first = self.periods[0]
        if first.entry is not None:
            fail(("periods", 0, "entry"), "the first period has no entry rule (its patients are screened)", None)
        for j, arm in enumerate(first.arms):
            for key in ("from_arms", "ratio"):
                if getattr(arm, key) is not None:
                    fail(("periods", 0, "arms", j, key), "only in later periods", getattr(arm, key))
        for k in range(1, len(self.periods)):
            _check_period(self.periods[k], self.periods[k - 1], k)
        return self


def _check_period(period: PeriodTable, previous: PeriodTable, k: int) -> None:
    """A later period against the previous one: its arms' sources and ratios, its non-responder arm."""
    entry = period.entry or EntryTable()
    before = [arm.name for arm in previous.arms]
    names = [arm.name for arm in period.arms]
    open_label = entry.non_responders if entry.who == "responders" and entry.non_responders != LEAVE else None
    if open_label is not None and open_label not in names:
        fail(
            ("periods", k, "entry", "non_responders"),
            f'must be "{LEAVE}" or an arm of this period ({", ".join(names)}), got {open_label!r}',
            open_label,
        )
    totals = dict.fromkeys(before, 0.0)
    for j, arm in enumerate(period.arms):
        for i, source in enumerate(arm.from_arms or ()):
            if source not in before:
                fail(
                    ("periods", k, "arms", j, "from_arms", i),
                    f"no arm {source!r} in the previous period ({', '.join(before)})",
                    source,
                )
        if arm.name == open_label:
            if arm.ratio is not None:
                fail(("periods", k, "arms", j, "ratio"), "the non-responders' arm is not randomised to", arm.ratio)
            continue
        if arm.ratio is None:
            fail(("periods", k, "arms", j, "ratio"), "is required: the share of its source arms' entrants", None)
        for source in arm.from_arms or before:
            totals[source] += arm.ratio
    for source, total in totals.items():
        if total and abs(total - 1.0) > RATIO_TOLERANCE:
            fail(
                ("periods", k, "arms"),
                f"ratios of the arms taking {source!r}'s entrants must sum to 1, got {total:g}",
                total,
            )
    if not any(totals.values()):
        fail(("periods", k, "arms"), "no arm takes entrants (give an arm a ratio)", names)
