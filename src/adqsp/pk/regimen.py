"""Dosing regimens: dose entries in weeks (scenario files) or NONMEM-style records (amt, ii, addl).

All doses are subcutaneous. A regimen expands to dose events in days; weight tiers make the amount
per patient depend on body weight.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from adqsp.errors import InputError
from adqsp.validation import finite_number

MAX_DOSE_MG = 5000.0
MAX_WEEK = 520.0
MIN_INTERVAL_WEEKS = 1.0 / 7.0  # at most one dose a day
MAX_ADDL = 10_000
_ENTRY_KEYS = {"mg", "week", "every_weeks", "from_week", "until_week", "weight_below_kg", "weight_at_least_kg"}


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
        parsed = tuple(_parse_entry(e, f"{field}[{i}]") for i, e in enumerate(entries))
        regimen = cls(parsed)
        regimen.check(field)
        return regimen

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]], field: str = "records") -> Regimen:
        """NONMEM-style records: ``amt`` (mg), ``time`` (days, default 0), ``ii`` (days), ``addl``."""
        entries = []
        for i, rec in enumerate(records):
            where = f"{field}[{i}]"
            if not isinstance(rec, Mapping):
                raise InputError(where, "must be a mapping with amt, time, ii, addl")
            extra = set(rec) - {"amt", "time", "ii", "addl"}
            if extra:
                raise InputError(f"{where}.{sorted(extra)[0]}", "unknown key (allowed: amt, time, ii, addl)")
            amt = _positive(rec.get("amt"), f"{where}.amt", upper=MAX_DOSE_MG)
            time = finite_number(rec.get("time", 0.0), f"{where}.time", 0.0, MAX_WEEK * 7.0)
            addl = rec.get("addl", 0)
            if not isinstance(addl, numbers.Integral) or isinstance(addl, bool) or not 0 <= addl <= MAX_ADDL:
                raise InputError(f"{where}.addl", f"must be a whole number from 0 to {MAX_ADDL}")
            if addl == 0:
                entries.append(DoseEntry(mg=amt, week=time / 7.0))
                continue
            ii = _positive(rec.get("ii"), f"{where}.ii", upper=MAX_WEEK * 7.0)
            if ii < 1.0:
                raise InputError(f"{where}.ii", f"must be at least 1 day, got {ii:g}")
            if time + addl * ii > MAX_WEEK * 7.0:
                raise InputError(f"{where}.addl", f"the last dose must fall by day {MAX_WEEK * 7.0:g}")
            entries.append(
                DoseEntry(mg=amt, every_weeks=ii / 7.0, from_week=time / 7.0, until_week=(time + addl * ii) / 7.0)
            )
        regimen = cls(tuple(entries))
        regimen.check(field)
        return regimen

    def check(self, field: str = "doses") -> None:
        """Entries are in order of first week and no two doses fall at the same time for one weight."""
        probe_weights = self._tier_weights()
        for w in probe_weights:
            seen: set[float] = set()
            last_start = -math.inf
            for i, e in enumerate(self.entries):
                if not e.applies(np.array(w)):
                    continue
                if e.first_week < last_start:
                    raise InputError(f"{field}[{i}]", "entries must be listed in order of week")
                last_start = e.first_week
                times = {round(x, 9) for x in e.weeks(horizon_weeks=MAX_WEEK)}
                if times & seen:
                    raise InputError(f"{field}[{i}]", f"overlaps an earlier entry at week {min(times & seen):g}")
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


def _parse_entry(raw: Mapping[str, Any], where: str) -> DoseEntry:
    if not isinstance(raw, Mapping):
        raise InputError(where, "must be a table such as {mg = 300, week = 0}")
    extra = set(raw) - _ENTRY_KEYS
    if extra:
        raise InputError(f"{where}.{sorted(extra)[0]}", f"unknown key (allowed: {', '.join(sorted(_ENTRY_KEYS))})")
    mg = _positive(raw.get("mg"), f"{where}.mg", upper=MAX_DOSE_MG)
    tiers = {
        k: _positive(raw[k], f"{where}.{k}", upper=500.0) for k in ("weight_below_kg", "weight_at_least_kg") if k in raw
    }
    if "week" in raw:
        clash = {"every_weeks", "from_week", "until_week"} & set(raw)
        if clash:
            raise InputError(f"{where}.{sorted(clash)[0]}", "not allowed together with week")
        return DoseEntry(mg=mg, week=finite_number(raw["week"], f"{where}.week", 0.0, MAX_WEEK), **tiers)
    if "every_weeks" not in raw:
        raise InputError(where, "needs either week or every_weeks")
    every = _positive(raw["every_weeks"], f"{where}.every_weeks", upper=MAX_WEEK)
    if every < MIN_INTERVAL_WEEKS:
        raise InputError(f"{where}.every_weeks", f"must be at least 1 day ({MIN_INTERVAL_WEEKS:.4g} weeks)")
    start = finite_number(raw.get("from_week", 0.0), f"{where}.from_week", 0.0, MAX_WEEK)
    until = raw.get("until_week")
    if until is not None:
        until = finite_number(until, f"{where}.until_week", 0.0, MAX_WEEK)
        if until < start:
            raise InputError(f"{where}.until_week", f"must not be before from_week ({start:g})")
    return DoseEntry(mg=mg, every_weeks=every, from_week=start, until_week=until, **tiers)


def _positive(value: Any, where: str, upper: float | None = None) -> float:
    if value is None:
        raise InputError(where, "is required")
    return finite_number(value, where, 0.0, upper, exclusive_minimum=True)


#: label regimens in scenario-file form (adults)
LABEL_DOSES: dict[str, list[dict[str, float]]] = {
    "dupilumab": [{"mg": 600, "week": 0}, {"mg": 300, "every_weeks": 2, "from_week": 2}],
    "tralokinumab": [{"mg": 600, "week": 0}, {"mg": 300, "every_weeks": 2, "from_week": 2}],
    "lebrikizumab": [{"mg": 500, "week": 0}, {"mg": 500, "week": 2}, {"mg": 250, "every_weeks": 2, "from_week": 4}],
}
