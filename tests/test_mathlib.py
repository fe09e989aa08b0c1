"""The generated module's own exp, sin, cos and powers (``engine/mathlib.py``): within their stated bounds of the C
library's, with its special values; and their machine code, for scalars and on lanes, the numbers Python gives bit
for bit."""

import ast
import ctypes
import math

import numpy as np
import pytest
from llvmlite import binding as llvm

from adqsp.engine.emit import Signature
from adqsp.engine.kernels import LANES
from adqsp.engine.mathlib import PRIMITIVES, SOURCE
from adqsp.engine.native import _target_machine, compile_object

CASES = 4096
#: a function of each kind for the machine code: exp, sin, cos and a power of the point's two numbers
PROBE = """
def probe(x, out):
    out[0] = _exp(x[0])
    out[1] = _sin(x[0])
    out[2] = _cos(x[0])
    out[3] = _pow(x[0], x[1])
"""


def _python() -> dict:
    namespace: dict = {"_m": math}
    exec(PRIMITIVES + SOURCE + PROBE, namespace)  # noqa: S102
    return namespace


def _ulps(value: float, reference: float) -> float:
    """``value``'s distance from ``reference`` in units in the last place of ``reference``."""
    if value == reference or (math.isnan(value) and math.isnan(reference)):
        return 0.0
    return abs(value - reference) / math.ulp(reference)


def _points() -> np.ndarray:
    """Arguments over the functions' ranges and their edges, special values included: ``(n, 2)``, the second
    column an exponent."""
    rng = np.random.default_rng(11)
    x = np.concatenate(
        [
            rng.uniform(-745.5, 709.9, CASES),
            rng.uniform(-8.0, 8.0, CASES),
            rng.uniform(-70000.0, 70000.0, CASES),
            np.exp(rng.uniform(-740.0, 700.0, CASES)),
            [0.0, -0.0, math.inf, -math.inf, math.nan, 1.0, -1.0, 5e-324, 1e-310, 709.78, 709.79, -745.13, 1e22],
        ]
    )
    y = np.concatenate(
        [
            rng.uniform(-4.0, 4.0, len(x) - 13),
            [0.5, -3.0, 2.71, -1.29, 3.0, math.inf, -math.inf, 0.5, 2.0, 1.0, 0.0, math.nan, 1e300],
        ]
    )
    return np.stack([x, y], axis=1)


def test_within_their_bounds_of_the_c_library():
    ns = _python()
    rng = np.random.default_rng(5)
    worst = {"exp": 0.0, "sin": 0.0, "cos": 0.0, "pow": 0.0}
    for x in np.concatenate([rng.uniform(-745.0, 709.7, CASES), rng.uniform(-5.0, 5.0, CASES)]):
        worst["exp"] = max(worst["exp"], _ulps(ns["_exp"](x), math.exp(x)))
    for x in np.concatenate([rng.uniform(-65000.0, 65000.0, CASES), rng.uniform(-7.0, 7.0, CASES)]):
        worst["sin"] = max(worst["sin"], _ulps(ns["_sin"](x), math.sin(x)))
        worst["cos"] = max(worst["cos"], _ulps(ns["_cos"](x), math.cos(x)))
    for x, y in zip(np.exp(rng.uniform(-30.0, 30.0, CASES)), rng.uniform(-4.0, 4.0, CASES), strict=True):
        worst["pow"] = max(worst["pow"], _ulps(ns["_pow"](x, y), math.pow(x, y)) / (abs(y * math.log(x)) + 2.0))
    assert worst["exp"] <= 2.0 and worst["sin"] <= 2.0 and worst["cos"] <= 2.0, worst
    assert worst["pow"] <= 1.0, worst  # within (|y log x| + 2) units


@pytest.mark.parametrize("x", [0.0, -0.0, 1e-300, 709.78, 709.79, -745.13, -746.0, math.inf, -math.inf, math.nan])
def test_exp_special_values_are_the_c_librarys(x):
    try:
        reference = math.exp(x)
    except OverflowError:
        reference = math.inf
    value = _python()["_exp"](x)
    assert value == reference or (math.isnan(value) and math.isnan(reference)) or _ulps(value, reference) <= 2.0


@pytest.mark.parametrize("x", [0.0, 1e-300, 3.0, 65535.9, 65536.0, 1e22, math.inf, -math.inf, math.nan])
def test_sin_and_cos_special_values_are_the_c_librarys(x):
    ns = _python()
    for ours, theirs in ((ns["_sin"], math.sin), (ns["_cos"], math.cos)):
        reference = theirs(x) if math.isfinite(x) else math.nan
        value = ours(x)
        assert (math.isnan(value) and math.isnan(reference)) or _ulps(value, reference) <= 2.0, (x, value, reference)


@pytest.mark.parametrize(
    ("x", "y", "expected"),
    [
        (0.0, 2.71, 0.0),
        (0.0, -1.29, math.inf),
        (math.inf, 2.71, math.inf),
        (math.inf, -1.29, 0.0),
        (-math.inf, 0.5, math.inf),
        (-math.inf, 3.0, -math.inf),
        (-2.0, 3.0, -8.0),
        (-2.0, -2.0, 0.25),
        (-2.0, 0.5, math.nan),
        (1.0, math.nan, 1.0),
        (math.nan, 0.0, 1.0),
        (-1.0, math.inf, 1.0),
        (math.nan, 2.71, math.nan),
        (2.0, math.nan, math.nan),
        (0.5, math.inf, 0.0),
        (2.0, 1e300, math.inf),
    ],
)
def test_power_special_values_are_c99s(x, y, expected):
    value = _python()["_pow"](x, y)
    if x < 0.0 and math.isfinite(x * y) and expected != 0.0:  # a negative base: signed, within the bound
        assert _ulps(value, expected) <= abs(y * math.log(abs(x))) + 2.0, value
    else:
        assert value == expected or (math.isnan(value) and math.isnan(expected)), value


def _machine_code(laned: bool):
    """The probe's machine code, its function for scalars or on lanes (and the engine that holds it)."""
    signature = Signature((("x", (2,)), ("out", (4,))))
    tree = ast.parse(PRIMITIVES + SOURCE + PROBE)
    code = compile_object(tree, {} if laned else {"probe": signature}, None, {"probe": signature} if laned else None)
    engine = llvm.create_mcjit_compiler(llvm.parse_assembly(""), _target_machine())
    engine.add_object_file(llvm.ObjectFileRef.from_data(code))
    engine.finalize_object()
    address = engine.get_function_address("probe_lanes" if laned else "probe")
    return ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p)(address), engine


def test_machine_code_gives_pythons_numbers_bit_for_bit_for_scalars_and_on_lanes():
    ns = _python()
    points = _points()
    scalar, _keep = _machine_code(laned=False)
    lanes, _keep_lanes = _machine_code(laned=True)
    expected = np.empty((len(points), 4))
    got = np.empty((len(points), 4))
    for i, point in enumerate(points):
        x = np.ascontiguousarray(point)
        out = np.empty(4)
        ns["probe"](x, out)
        expected[i] = out
        scalar(x.ctypes.data, got[i].ctypes.data)
    np.testing.assert_array_equal(got.view(np.int64), expected.view(np.int64))
    for start in range(0, len(points) - LANES + 1, LANES):  # lanes last; mixed ranges and special values per call
        x = np.ascontiguousarray(points[start : start + LANES].T)
        out = np.empty((4, LANES))
        lanes(x.ctypes.data, out.ctypes.data)
        np.testing.assert_array_equal(out.T.view(np.int64), expected[start : start + LANES].view(np.int64))
