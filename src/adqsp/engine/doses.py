"""Doses as events on states: each dose of a regimen split among its dose target's inputs (a bolus into a depot,
or the start and end of a zero-order input), with the amount each patient receives at each event."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from adqsp.errors import InputError
from adqsp.model.declaration import DoseInput, Model

#: an input's end and the next one's start closer than this (day, relative above a day) are at the same time: dose
#: days are rounded to 1e-9 day (``Regimen.events``), and an input's end is its start plus a duration
JOIN_DAYS = 1e-8


@dataclass(frozen=True)
class DoseEvents:
    """``increments[e, i]`` added to state ``rows[e]`` of patient ``i`` at ``times[e]`` (day, non-decreasing);
    ``opened[e]``: for the end of a zero-order input, the time its input started (NaN for other events)."""

    times: np.ndarray
    rows: np.ndarray
    increments: np.ndarray
    opened: np.ndarray

    @classmethod
    def none(cls, n: int) -> DoseEvents:
        return cls(np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros((0, n)), np.zeros(0))

    def within(self, start: float, end: float) -> DoseEvents:
        """The events from ``start`` up to, not including, ``end`` (a dose at the last output time is after it);
        the end of an input that started before ``start`` is left out with its start."""
        keep = (self.times >= start) & (self.times < end) & ~(self.opened < start)
        return DoseEvents(
            self.times[keep], self.rows[keep], np.ascontiguousarray(self.increments[keep]), self.opened[keep]
        )

    def at(self, stops: np.ndarray) -> np.ndarray:
        """Per stop, the index of its first event, and one more entry past the last (``stops`` sorted, holding every
        event time): the events of stop ``k`` are ``first[k]:first[k + 1]``."""
        return np.searchsorted(self.times, np.append(stops, np.inf), side="left").astype(np.int64)


def dose_events(
    model: Model, P: np.ndarray, dose_times: np.ndarray | None, dose_amounts: np.ndarray | None
) -> DoseEvents:
    """The events of doses of ``dose_amounts[k, i]`` mg at ``dose_times[k]`` (day) for the patients of ``P``
    (parameters, patients), through the model's dose target, in time order (at equal times, in dose order)."""
    n = P.shape[1]
    target = model.dose_target
    if dose_times is None or len(dose_times) == 0 or target is None or n == 0:
        return DoseEvents.none(n)
    index = {name: k for k, name in enumerate(model.parameter_names)}
    rows = {name: k for k, name in enumerate(model.state_names)}
    amounts = np.asarray(dose_amounts, float) * P[index[target.bioavailability]]
    times, where, parts, opened = [], [], [], []
    for part in target.inputs:
        share = amounts * _fraction(part, P, index)
        start = np.asarray(dose_times, float) + _common(part.lag, P, index)
        none = np.full(len(start), np.nan)
        if not part.duration:
            times += [start]
            where += [np.full(len(start), rows[part.state])]
            parts += [share]
            opened += [none]
            continue
        duration = _common(part.duration, P, index)
        if not duration > 0.0:
            raise InputError(part.duration, f"must be a positive duration (day), got {duration}")
        rate = share / duration
        times += [start, start + duration]
        where += [np.full(len(start), rows[part.state])] * 2
        parts += [rate, -rate]
        opened += [none, start]
    t = np.concatenate(times)
    order = np.argsort(t, kind="stable")
    return _joined(
        DoseEvents(
            t[order],
            np.concatenate(where)[order].astype(np.int64),
            np.concatenate(parts)[order],
            np.concatenate(opened)[order],
        )
    )


def _joined(events: DoseEvents) -> DoseEvents:
    """The events with each zero-order input that ends where the next one of the same state and rate starts joined
    into one: the end and the start, which cancel for every patient, are left out (the solver does not stop there),
    and the joined input's end keeps the time the first one opened. Inputs back to back are interval-mean dosing's
    (each dose spread over the interval to the next, :mod:`adqsp.pk.interval_mean`)."""
    is_end = ~np.isnan(events.opened)
    if not is_end.any():
        return events
    drop = np.zeros(len(events.times), dtype=bool)
    opened = events.opened.copy()
    for row in np.unique(events.rows[is_end]):
        starts = np.flatnonzero(~is_end & (events.rows == row))
        ends = np.flatnonzero(is_end & (events.rows == row))
        closing = {float(events.opened[e]): e for e in ends}  # the end of the input opened at each time
        for e in ends:  # in time order: a joined input's end passes its opening on to the next input's end
            t = events.times[e]
            window = JOIN_DAYS * max(1.0, abs(t))
            lo, hi = np.searchsorted(events.times[starts], [t - window, t + window], side="left")
            s = next(
                (
                    s
                    for s in starts[lo : hi + 1]
                    if abs(events.times[s] - t) <= window
                    and not drop[s]
                    and np.all(events.increments[s] == -events.increments[e])
                ),
                None,
            )
            if s is None:
                continue
            drop[[s, e]] = True
            follow = closing.get(float(events.times[s]))
            if follow is not None:
                opened[follow] = opened[e]
    keep = ~drop
    return DoseEvents(
        events.times[keep], events.rows[keep], np.ascontiguousarray(events.increments[keep]), opened[keep]
    )


def _fraction(part: DoseInput, P: np.ndarray, index: dict[str, int]) -> np.ndarray | float:
    if not part.fraction:
        return 1.0
    f = P[index[part.fraction]]
    outside = f[(f < 0.0) | (f > 1.0)]
    if outside.size:
        raise InputError(part.fraction, f"is a fraction of the dose: must be within 0-1, got {float(outside[0])}")
    return 1.0 - f if part.complement else f


def _common(name: str, P: np.ndarray, index: dict[str, int]) -> float:
    """A parameter that times an event: every patient must share it (the engines stop all patients together)."""
    if not name:
        return 0.0
    values = P[index[name]]
    if values.size and np.ptp(values) > 0.0:
        raise InputError(name, "times dose events, so it must be the same for every patient (no variability)")
    return float(values[0]) if values.size else 0.0
