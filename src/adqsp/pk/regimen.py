"""Dosing regimens: dose entries in weeks (scenario files) or NONMEM-style records (amt, ii, addl).

All doses are subcutaneous. A regimen expands to dose events in days; weight tiers make the amount
per patient depend on body weight.
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
from adqsp.schema import MAX_WEEK, DoseRecord, DoseTable
from adqsp.validation import validate


@dataclass(frozen=True)
class DoseEntry:
    """``mg`` once at ``week``, or every ``every_weeks`` from ``from_week`` up to ``until_week``."""

    mg: float
    week: float | None = None
    every_weeks: float | None = None
    from_week: float | None = None
    until_week: float | None = None
    weight_below_kg: float | None = None
    weight_at_least_kg: float | None = None

    @property
    def first_week(self) -> float:
        return self.week if self.week is not None else float(self.from_week or 0.0)

    def weeks(self, horizon_weeks: float) -> list[float]:
        """Dose times in weeks, up to and including the horizon."""
        if self.week is not None:
            return [self.week] if self.week <= horizon_weeks else []
        assert self.every_weeks is not None
        last = horizon_weeks if self.until_week is None else min(self.until_week, horizon_weeks)
        n = math.floor((last - self.first_week) / self.every_weeks + 1e-9) + 1
        return [self.first_week + i * self.every_weeks for i in range(max(n, 0))]

    def applies(self, weight_kg: np.ndarray) -> np.ndarray:
        ok = np.ones(np.shape(weight_kg), dtype=bool)
        if self.weight_below_kg is not None:
            ok &= weight_kg < self.weight_below_kg
        if self.weight_at_least_kg is not None:
            ok &= weight_kg >= self.weight_at_least_kg
        return ok


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
        regimen.check(field, days=True)
        return regimen

    def check(self, field: str = "doses", days: bool = False) -> None:
        """Entries are in order of first week, each applies to some weight, and no two doses fall at the same time
        for one weight."""
        for i, e in enumerate(self.entries):
            if None not in (e.weight_below_kg, e.weight_at_least_kg) and e.weight_below_kg <= e.weight_at_least_kg:
                raise InputError(
                    f"{field}[{i}]", "weight_below_kg must be above weight_at_least_kg (no patient gets this dose)"
                )
        probe_weights = self._tier_weights()
        unit, per_week = ("day", 7.0) if days else ("week", 1.0)  # records give times in days
        for w in probe_weights:
            seen: set[float] = set()
            last_start = -math.inf
            for i, e in enumerate(self.entries):
                if not e.applies(np.array(w)):
                    continue
                if e.first_week < last_start:
                    raise InputError(f"{field}[{i}]", f"entries must be listed in order of {unit}")
                last_start = e.first_week
                times = {round(x, 9) for x in e.weeks(horizon_weeks=MAX_WEEK)}
                if times & seen:
                    at = min(times & seen) * per_week
                    raise InputError(f"{field}[{i}]", f"overlaps an earlier entry at {unit} {at:g}")
                seen |= times

    def events(self, horizon_days: float, weight_kg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Dose times (days, sorted) and amounts (mg, shape ``(n_times, n_patients)``)."""
        weight_kg = np.atleast_1d(np.asarray(weight_kg, dtype=float))
        per_time: dict[float, np.ndarray] = {}
        for e in self.entries:
            mask = e.applies(weight_kg)
            for wk in e.weeks(horizon_days / 7.0):
                day = round(wk * 7.0, 9)
                per_time.setdefault(day, np.zeros(weight_kg.shape))
                per_time[day] = per_time[day] + np.where(mask, e.mg, 0.0)
        times = np.array(sorted(per_time))
        amounts = np.array([per_time[t] for t in times]).reshape(len(times), weight_kg.size)
        return times, amounts

    def _tier_weights(self) -> list[float]:
        cuts = {c for e in self.entries for c in (e.weight_below_kg, e.weight_at_least_kg) if c is not None}
        edges = sorted(cuts)
        return [1.0] + [c + 1e-6 for c in edges] + [c - 1e-6 for c in edges]


def _entry(table: DoseTable) -> DoseEntry:
    fields = table.model_dump()
    if table.week is not None:
        fields["from_week"] = None  # a single dose has no schedule
    return DoseEntry(**fields)


def _record_entry(record: DoseRecord) -> DoseEntry:
    if record.addl == 0:
        return DoseEntry(mg=record.amt, week=record.time / 7.0)
    last_day = record.time + record.addl * record.ii
    return DoseEntry(mg=record.amt, every_weeks=record.ii / 7.0, from_week=record.time / 7.0, until_week=last_day / 7.0)


def label_doses(record: DrugRecord) -> list[dict[str, float]]:
    """The drug's first label regimen (the usual adult one) in scenario-file form."""
    if not record.label_regimens:
        raise InputError("drug", f"{record.name} has no label regimen (give doses)")
    return [table.model_dump(exclude_none=True, exclude_defaults=True) for table in record.label_regimens[0].doses]


#: the shipped drugs' usual adult label regimens in scenario-file form
LABEL_DOSES: Mapping[str, list[dict[str, float]]] = MappingProxyType(
    {name: label_doses(record) for name, record in shipped().items()}
)
