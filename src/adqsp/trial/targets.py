"""The shipped copy of reference/calibration_targets.csv: the only data calibration may fit, and the published
values a scenario's ``compare_to`` studies print beside its results. The file is read here and nowhere else; a
row's ``value`` is text (a number, a range ``60-80``, a change ``47.2 -> 23.6`` or words), read by :func:`number`,
:func:`value_range` and :func:`value_change`."""

from __future__ import annotations

import csv
import re
from functools import cache
from importlib import resources


@cache
def _text() -> str:
    return resources.files("adqsp").joinpath("data/calibration_targets.csv").read_text()


def calibration_targets() -> list[dict[str, str]]:
    """The rows (study, arm, week, endpoint, value, ...) as strings."""
    return list(csv.DictReader(_text().splitlines()))


def studies() -> list[str]:
    """The studies the targets come from, sorted."""
    return sorted({row["study"] for row in calibration_targets()})


_NUMBER = r"\d+(?:\.\d+)?"


def number(value: str) -> float | None:
    """A value that is one number (``-38``, ``0.51``), else None."""
    return float(value) if re.fullmatch(rf"\s*[-+]?{_NUMBER}\s*", value) else None


def value_range(value: str) -> tuple[float, float] | None:
    """(low, high) of a value written as a range of positive numbers (``60-80``), else None."""
    match = re.fullmatch(rf"\s*({_NUMBER})\s*-\s*({_NUMBER})\s*", value)
    return (float(match[1]), float(match[2])) if match else None


def value_change(value: str) -> tuple[float, float] | None:
    """(before, after) of a value written as a change of positive numbers (``47.2 -> 23.6``), else None."""
    match = re.fullmatch(rf"\s*({_NUMBER})\s*->\s*({_NUMBER})\s*", value)
    return (float(match[1]), float(match[2])) if match else None
