"""The generated module's own ``exp``, ``sin``, ``cos`` and powers: plain arithmetic that ``engine/emit.py``
translates like the model's code, so that the functions for lanes compute them on vectors (the C library's are
called one lane at a time) with the same bits as the scalar functions and as the source run by Python.

:data:`SOURCE` is Python in the translation's subset. Its three primitives are exact operations: ``_floor(x)``
(``math.floor`` as a float, for finite ``x``), ``_exponent(x)`` (``e`` with ``x = m 2^e``, ``1 <= m < 2``, for
positive normal ``x``) and ``_scale2(x, k)`` (``x 2^k`` for an integer ``-1022 <= k <= 1023``); Python runs the
definitions below, the translation writes them as bit operations. Every function reduces its argument exactly,
evaluates a Taylor polynomial (its coefficients ``1/n!`` and ``2/(2n+1)`` as the nearest doubles) and applies
special values (infinities, NaN, zero, a negative base) as the C99 functions do, except that a zero base's sign
is not kept. Measured against the C library on
random arguments (``tests/test_mathlib.py``): ``exp`` and ``log`` within 2 units in the last place, ``sin`` and ``cos``
within 2, and ``x^y = exp(y log x)`` within ``(|y log x| + 2)`` units; the solver's tolerances are eleven orders of
magnitude above these.

- ``exp``: ``x = k ln 2 + r`` (``ln 2`` in two parts, so ``k ln2_hi`` is exact), ``|r| <= ln 2 / 2``, the Taylor
  polynomial of degree 13, scaled by ``2^k`` in two halves (so results near overflow and in the subnormal range
  are formed without an intermediate infinity).
- ``log`` (of powers only): ``x = m 2^k`` with ``sqrt(1/2) <= m < sqrt(2)``, ``log m = 2 atanh(s)``,
  ``s = (m - 1)/(m + 1)``, the series to ``s^23``, written as ``f - (f^2/2 - s (f^2/2 + R))`` to keep the leading
  term exact.
- ``sin``, ``cos``: ``x = q pi/2 + r`` (``pi/2`` in three parts, the first two of 33 bits, exact for
  ``|x| < 2^16``), ``|r| <= pi/4``, the Taylor polynomials to degree 17 and 18, chosen and signed by ``q`` mod 4;
  for ``|x| >= 2^16`` the C library's.
"""

from __future__ import annotations

import math


def _horner(name: str, coefficients: list[float]) -> str:
    """``c0 + name (c1 + name (c2 + ...))`` with each coefficient written exactly."""
    text = repr(coefficients[-1])
    for c in reversed(coefficients[:-1]):
        text = f"{c!r} + {name} * ({text})"
    return text


_EXP_POLY = _horner("r", [1.0 / math.factorial(n) for n in range(2, 14)])  # e^r = 1 + r (1 + r (1/2! + ...))
_LOG_POLY = _horner("z", [2.0 / (2 * n + 1) for n in range(1, 12)])  # 2 atanh(s) = 2 s + s z (2/3 + z (2/5 + ...))
_SIN_POLY = _horner("z", [(-1.0) ** n / math.factorial(2 * n + 1) for n in range(1, 9)])
_COS_POLY = _horner("z", [(-1.0) ** n / math.factorial(2 * n) for n in range(2, 10)])

#: ln 2 in two parts (the first to 32 bits) and 1/ln 2; pi/2 in three parts (the first two to 33 bits) and 2/pi
LN2_HI, LN2_LO, INV_LN2 = 0.6931471806019545, -4.2009150726810846e-11, 1.4426950408889634
PIO2_1, PIO2_2, PIO2_3 = 1.5707963267341256, 6.077100506303966e-11, 2.0222662487959506e-21
TWO_OVER_PI = 0.6366197723675814

#: the primitives as Python runs them (the translation writes its own)
PRIMITIVES = """def _floor(x):
    return float(_m.floor(x))


def _exponent(x):
    return float(_m.frexp(x)[1] - 1)


def _scale2(x, k):
    return x * _m.ldexp(1.0, int(k))
"""

SOURCE = f"""def _exp(x):
    c = max(min(x, 710.0), -746.0)
    xs = c if c == c else 0.0
    k = _floor(xs * {INV_LN2!r} + 0.5)
    r = (xs - k * {LN2_HI!r}) - k * {LN2_LO!r}
    y = 1.0 + r * (1.0 + r * ({_EXP_POLY}))
    half = _floor(k * 0.5)
    e = _scale2(_scale2(y, half), k - half)
    return e if x == x else x


def _log(x):
    xs = x if 0.0 < x < _m.inf else 1.0
    tiny = xs < 2.2250738585072014e-308
    xn = xs * 18014398509481984.0 if tiny else xs
    e = _exponent(xn)
    m = _scale2(xn, -e)
    big = m > 1.4142135623730951
    mm = m * 0.5 if big else m
    k = (e + 1.0 if big else e) - (54.0 if tiny else 0.0)
    f = mm - 1.0
    s = f / (2.0 + f)
    z = s * s
    hf = 0.5 * f * f
    lm = f - (hf - s * (hf + z * ({_LOG_POLY})))
    v = k * {LN2_HI!r} + (k * {LN2_LO!r} + lm)
    return (v if x < _m.inf else x) if x > 0.0 else (-_m.inf if x == 0.0 else _m.nan)


def _powg(x, y):
    p = _exp(y * _log(abs(x)))
    yc = y if abs(y) < 9007199254740992.0 else 0.0
    integer = _floor(yc) == yc
    odd = integer & (_floor(yc * 0.5) * 2.0 != yc)
    signed = (-p if odd else p) if integer else (p if x == -_m.inf else _m.nan)
    r = signed if x < 0.0 else p
    one = (x == 1.0) | (y == 0.0) | ((x == -1.0) & (abs(y) == _m.inf))
    return 1.0 if one else r


def _pow(x, n):
    return x if n == 1.0 else (1.0 if n == 0.0 else (x * x if n == 2.0 else _powg(x, n)))


def _sincos(x, quarter):
    xs = x if abs(x) < 65536.0 else 0.0
    q = _floor(xs * {TWO_OVER_PI!r} + 0.5)
    r = ((xs - q * {PIO2_1!r}) - q * {PIO2_2!r}) - q * {PIO2_3!r}
    n = q + quarter
    n4 = n - 4.0 * _floor(n * 0.25)
    z = r * r
    s = r + r * z * ({_SIN_POLY})
    c = 1.0 - (0.5 * z - z * z * ({_COS_POLY}))
    w = c if (n4 == 1.0) | (n4 == 3.0) else s
    return -w if n4 >= 2.0 else w


def _sin(x):
    v = _sincos(x, 0.0)
    return v if abs(x) < 65536.0 else (_m.sin(x) if x - x == 0.0 else x - x)


def _cos(x):
    v = _sincos(x, 1.0)
    return v if abs(x) < 65536.0 else (_m.cos(x) if x - x == 0.0 else x - x)
"""
