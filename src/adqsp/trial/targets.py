"""The shipped copy of reference/calibration_targets.csv: the only data calibration may fit, and the published
values a scenario's ``compare_to`` studies print beside its results."""

from __future__ import annotations

import csv
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
