"""Dosing regimens: dose entries in weeks or days (scenario files) or NONMEM-style records (amt, ii, addl).

All doses are subcutaneous. A regimen expands to dose events in days; weight tiers and doses per kg of body weight
make the amount per patient depend on its weight.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from adqsp.drugs.record import DrugRecord
from adqsp.drugs.registry import shipped
from adqsp.errors import InputError
from adqsp.schema import MAX_DAY, DoseRecord, DoseTable, in_days
from adqsp.validation import validate

#: dose intervals closer than this (day) are the same: dose days are rounded to 1e-9 day
INTERVAL_TOLERANCE_DAYS = 1e-6


@dataclass(frozen=True)
class DoseEntry:
    """``mg`` (or ``mg_per_kg`` times the patient's weight) once at ``day``, or every ``every_days`` from
    ``from_day`` up to ``until_day``; times in days, ``unit`` says in which unit they were given (for messages)."""

    mg: float | None = None
    mg_per_kg: float | None = None
    day: float | None = None
    every_days: float | None = None
    from_day: float | None = None
    until_day: float | None = None
    weight_below_kg: float | None = None
    weight_at_least_kg: float | None = None
    unit: str = "week"

    @property
    def first_day(self) -> float:
        return self.day if self.day is not None else float(self.from_day or 0.0)

    def days(self, horizon_days: float) -> list[float]:
        """Dose times in days, up to and including the horizon."""
        if self.day is not None:
            return [self.day] if self.day <= horizon_days else []
        assert self.every_days is not None
        last = horizon_days if self.until_day is None else min(self.until_day, horizon_days)
        n = math.floor((last - self.first_day) / self.every_days + 1e-9) + 1
        return [self.first_day + i * self.every_days for i in range(max(n, 0))]

    def applies(self, weight_kg: np.ndarray) -> np.ndarray:
        ok = np.ones(np.shape(weight_kg), dtype=bool)
        if self.weight_below_kg is not None:
            ok &= weight_kg < self.weight_below_kg
        if self.weight_at_least_kg is not None:
            ok &= weight_kg >= self.weight_at_least_kg
        return ok

    def amounts(self, weight_kg: np.ndarray) -> np.ndarray:
        """Each patient's amount per dose in mg (0 outside the entry's weight tier)."""
        per_dose = self.mg if self.mg_per_kg is None else self.mg_per_kg * weight_kg
        return np.where(self.applies(weight_kg), per_dose, 0.0)


@dataclass(frozen=True)
class Regimen:
    """An ordered tuple of dose entries. An empty regimen is placebo."""

    entries: tuple[DoseEntry, ...] = ()

    @classmethod
    def from_entries(cls, entries: Iterable[Mapping[str, Any]], field: str = "doses") -> Regimen:
        """Build and validate from the scenario-file form, e.g. ``[{"mg": 600, "week": 0}, ...]``."""
        return cls.from_tables(validate(list[DoseTable], entries, field), field)

    @classmethod
    def from_tables(cls, tables: Iterable[DoseTable], field: str = "doses") -> Regimen:
        """Build from validated dose tables and check the order and overlap of their doses."""
        regimen = cls(tuple(_entry(table) for table in tables))
        regimen.check(field)
        return regimen

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]], field: str = "records") -> Regimen:
        """NONMEM-style records: ``amt`` (mg), ``time`` (days, default 0), ``ii`` (days), ``addl``."""
        regimen = cls(tuple(_record_entry(record) for record in validate(list[DoseRecord], records, field)))
        regimen.check(field)
        return regimen

    def check(self, field: str = "doses") -> None:
        """Entries are in order of first dose, each applies to some weight, and no two doses fall at the same time
        for one weight; times in messages are in the unit the entry was given in."""
        for i, e in enumerate(self.entries):
            if None not in (e.weight_below_kg, e.weight_at_least_kg) and e.weight_below_kg <= e.weight_at_least_kg:
                raise InputError(
                    f"{field}[{i}]", "weight_below_kg must be above weight_at_least_kg (no patient gets this dose)"
                )
        probe_weights = self._tier_weights()
        for w in probe_weights:
            seen: set[float] = set()
            last_start = -math.inf
            for i, e in enumerate(self.entries):
                if not e.applies(np.array(w)):
                    continue
                if e.first_day < last_start:
                    raise InputError(f"{field}[{i}]", f"entries must be listed in order of {e.unit}")
                last_start = e.first_day
                times = {round(x, 9) for x in e.days(horizon_days=MAX_DAY)}
                if times & seen:
                    at = min(times & seen) / (7.0 if e.unit == "week" else 1.0)
                    raise InputError(f"{field}[{i}]", f"overlaps an earlier entry at {e.unit} {at:g}")
                seen |= times

    def events(self, horizon_days: float, weight_kg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Dose times (days, sorted) and amounts (mg, shape ``(n_times, n_patients)``)."""
        weight_kg = np.atleast_1d(np.asarray(weight_kg, dtype=float))
        per_time: dict[float, np.ndarray] = {}
        for e in self.entries:
            amounts = e.amounts(weight_kg)
            for d in e.days(horizon_days):
                day = round(d, 9)
                per_time.setdefault(day, np.zeros(weight_kg.shape))
                per_time[day] = per_time[day] + amounts
        times = np.array(sorted(per_time))
        amounts = np.array([per_time[t] for t in times]).reshape(len(times), weight_kg.size)
        return times, amounts

    def interval(self) -> float | None:
        """The one interval (day) between consecutive doses for every weight that gets doses: all of them at one
        constant interval, at least two (amounts may differ); None for any other regimen."""
        intervals = []
        for w in self._tier_weights():
            days = sorted({round(d, 9) for e in self.entries if e.applies(np.array(w)) for d in e.days(MAX_DAY)})
            if not days:
                continue
            gaps = np.diff(days)
            if len(gaps) == 0 or np.ptp(gaps) > INTERVAL_TOLERANCE_DAYS:
                return None
            intervals.append(float(gaps.mean()))
        if not intervals or np.ptp(intervals) > INTERVAL_TOLERANCE_DAYS:
            return None
        return round(intervals[0], 9)

    def _tier_weights(self) -> list[float]:
        cuts = {c for e in self.entries for c in (e.weight_below_kg, e.weight_at_least_kg) if c is not None}
        edges = sorted(cuts)
        return [1.0] + [c + 1e-6 for c in edges] + [c - 1e-6 for c in edges]


def _entry(table: DoseTable) -> DoseEntry:
    """A dose entry in days; its unit for messages is days if any of its times is given in days."""
    single = table.week is not None or table.day is not None
    in_day_keys = {"day", "every_days", "from_day", "until_day"} & table.model_fields_set
    return DoseEntry(
        mg=table.mg,
        mg_per_kg=table.mg_per_kg,
        day=in_days(table.day, table.week),
        every_days=in_days(table.every_days, table.every_weeks),
        from_day=None if single else in_days(table.from_day, table.from_week),
        until_day=in_days(table.until_day, table.until_week),
        weight_below_kg=table.weight_below_kg,
        weight_at_least_kg=table.weight_at_least_kg,
        unit="day" if in_day_keys else "week",
    )


def _record_entry(record: DoseRecord) -> DoseEntry:
    if record.addl == 0:
        return DoseEntry(mg=record.amt, day=record.time, unit="day")
    last_day = record.time + record.addl * record.ii
    return DoseEntry(mg=record.amt, every_days=record.ii, from_day=record.time, until_day=last_day, unit="day")


def label_doses(record: DrugRecord) -> list[dict[str, float]]:
    """The drug's first label regimen (the usual adult one) in scenario-file form."""
    if not record.label_regimens:
        raise InputError("drug", f"{record.name} has no label regimen (give doses)")
    return [table.model_dump(exclude_none=True, exclude_defaults=True) for table in record.label_regimens[0].doses]


#: the shipped drugs' usual adult label regimens in scenario-file form
LABEL_DOSES: Mapping[str, list[dict[str, float]]] = MappingProxyType(
    {name: label_doses(record) for name, record in shipped().items()}
)
