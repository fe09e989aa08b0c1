"""Checks shared by every face: each failure is an InputError naming the field."""

from __future__ import annotations

import math
import numbers
from typing import Any

from adqsp.errors import InputError


def finite_number(
    value: Any, where: str, minimum: float | None = None, maximum: float | None = None, exclusive_minimum: bool = False
) -> float:
    """A finite real number (numpy scalars included, booleans not) within the bounds, as a float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError(where, f"must be a finite number, got {value!r}")
    try:
        number = float(value)
    except OverflowError:
        raise InputError(where, "is too large") from None
    if not math.isfinite(number):
        raise InputError(where, f"must be a finite number, got {value!r}")
    if minimum is not None and (number < minimum or (exclusive_minimum and number == minimum)):
        raise InputError(where, f"must be {'>' if exclusive_minimum else '>='} {minimum:g}, got {number:g}")
    if maximum is not None and number > maximum:
        raise InputError(where, f"must be <= {maximum:g}, got {number:g}")
    return number
