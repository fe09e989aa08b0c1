"""``x ** n`` with a parameter exponent, as the generated rates and Jacobian write it (``model/expressions.py``)."""

import numba as _nb


@_nb.njit(cache=True, inline="always")
def _pow(x, n):
    """The exponents 1, 0 and 2 (a Hill coefficient of 1 and its derivative's 0) as a copy, a constant or a product
    instead of libm's pow."""
    if n == 1.0:
        return x
    if n == 0.0:
        return 1.0
    if n == 2.0:
        return x * x
    return x**n
