"""The shipped copy of reference/calibration_targets.csv: the only data calibration may fit, and the published
values a scenario's ``compare_to`` studies print beside its results; and targets files of the same columns that a
user gives ``adqsp validate``. Targets files are read here and nowhere else; a row's ``value`` is text (a number, a
range ``60-80``, a change ``47.2 -> 23.6`` or words), read by :func:`number`, :func:`value_range` and
:func:`value_change`."""

from __future__ import annotations

import csv
import io
import re
from functools import cache
from importlib import resources
from pathlib import Path

from adqsp.errors import InputError
from adqsp.validation import shown

#: the columns a targets file must have (the shipped one also has population, regimen, unit, confidence, source)
REQUIRED_COLUMNS = ("study", "arm", "week", "endpoint", "value")
#: how the shipped targets file is named in messages
SHIPPED = "calibration_targets.csv (shipped)"


@cache
def _text() -> str:
    return resources.files("adqsp").joinpath("data/calibration_targets.csv").read_text(encoding="utf-8")


def calibration_targets() -> list[dict[str, str]]:
    """The rows (study, arm, week, endpoint, value, ...) as strings."""
    return [row for _, row in shipped_targets()]


def shipped_targets() -> list[tuple[int, dict[str, str]]]:
    """The shipped file's rows, each with the line of the file it ends on."""
    return parse_targets(_text(), SHIPPED)


def read_targets(path: Path) -> list[tuple[int, dict[str, str]]]:
    """The rows of a targets file, each with the line it ends on; a file that cannot be read, is not UTF-8 text or
    lacks a column of :data:`REQUIRED_COLUMNS` is an InputError naming the file."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(str(path), f"cannot read it: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"not UTF-8 text (byte {exc.start}: {exc.reason})") from None
    return parse_targets(text, str(path))


def parse_targets(text: str, where: str) -> list[tuple[int, dict[str, str]]]:
    """The rows of targets CSV text read from ``where``, each with the line it ends on, every cell a string (``""``
    where a row is short)."""
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        header = reader.fieldnames or []
        missing = [column for column in REQUIRED_COLUMNS if column not in header]
        if missing:
            found = shown(", ".join(header), 200) if header else "no header"
            raise InputError(
                f"{where}, column {missing[0]}",
                f"missing (a targets file needs the columns {', '.join(REQUIRED_COLUMNS)}; found {found})",
            )
        rows = [(reader.line_num, {k: v or "" for k, v in row.items() if k is not None}) for row in reader]
    except csv.Error as exc:
        # the reader counts a line once parsed: the one it failed on is the next
        raise InputError(f"{where}, line {reader.line_num + 1}", f"not valid CSV: {exc}") from None
    return rows


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
