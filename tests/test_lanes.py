"""Patients on lanes: the model's functions translated for ``LANES`` patients at once give each lane the scalar
function's numbers bit for bit, and the solver on lanes (``kernels/lanes.py``) gives each patient the scalar
solver's states, statuses and step counts bit for bit (the scalar solver run by the interpreter, itself checked
against the compiled one in ``test_python_kernels.py``)."""

import ctypes

import numba
import numpy as np
import pytest

from adqsp.assembly import compiled
from adqsp.engine import fast, kernels
from adqsp.engine.cache import load, solver_source
from adqsp.engine.fast import fast_model, integrate_fast
from adqsp.engine.kernels import FUNCTIONS, LANES
from adqsp.engine.native import native_model
from adqsp.model.codegen import compile_model
from adqsp.model.declaration import Model, Parameter, State
from adqsp.pk.regimen import LABEL_DOSES, Regimen
from adqsp.population.sampling import sample
from adqsp.trial.run import ARM_RELAXED

MODELS = {
    "drug-free": (None, None, "each_dose"),
    "dupilumab": ("dupilumab", None, "each_dose"),
    "tralokinumab": ("tralokinumab", None, "each_dose"),
    "cyclosporine interval-mean": ("cyclosporine", None, "interval_mean"),
}
DAYS = np.array([0.0, 7.0, 28.0, 56.0, 112.0])


def _function(native, name: str):
    """The model's function ``name`` by its address: arrays by pointer, numbers as doubles."""
    address = int(native.functions[FUNCTIONS.index(name)])

    def call(*args):
        kinds = [ctypes.c_void_p if isinstance(a, np.ndarray) else ctypes.c_double for a in args]
        returns = ctypes.c_uint8 if name.startswith("w_factor") else None
        function = ctypes.CFUNCTYPE(returns, *kinds)(address)
        return function(*(ctypes.c_void_p(a.ctypes.data) if isinstance(a, np.ndarray) else float(a) for a in args))

    return call


def _lanes(columns: list[np.ndarray]) -> np.ndarray:
    """Each lane's array as the lanes-last layout of a ``_lanes`` function."""
    return np.ascontiguousarray(np.stack(columns, axis=-1))


@pytest.mark.parametrize("spec", MODELS.values(), ids=MODELS.keys())
def test_each_lane_of_a_function_gives_the_scalar_functions_numbers(spec):
    c = compiled(spec[0], spec[1], dosing=spec[2])
    n, n_p = len(c.model.states), len(c.model.parameters)
    native = native_model(solver_source(c), n, n_p).with_lanes()
    P = c.parameter_matrix(sample(c.model, np.arange(LANES), seed=5).values, LANES)
    n_o = n - native.n_exact
    rng = np.random.default_rng(3)
    ts = 17.3 + np.arange(LANES)
    limits = np.where(np.arange(LANES) % 3 == 0, -1.0, 1e12)  # a negative limit refuses every multiplier
    scalar = []
    for j in range(LANES):
        p = np.ascontiguousarray(P[:, j])
        y = c.initial(P)[:, j] * (0.5 + rng.random(n)) + 0.1
        out = {"y": y, "p": p, "c": np.zeros(native.n_constants), "f": np.zeros(n), "J": np.zeros((n, n))}
        out |= {"ft": np.zeros(n), "r": np.zeros(n), "w": np.zeros((n_o, n_o)), "b": np.linspace(-1.0, 2.0, n_o)}
        _function(native, "consts")(p, out["c"])
        _function(native, "jac")(ts[j], y, p, out["c"], out["f"], out["J"], out["ft"])
        _function(native, "rhs")(ts[j], y, p, out["c"], out["r"])
        _function(native, "w_assemble")(out["w"], out["J"], 1.0 / (0.05 * (j + 1)))
        out["factored"] = bool(_function(native, "w_factor")(out["w"], limits[j]))
        if out["factored"]:
            _function(native, "w_solve")(out["w"], out["b"])
        scalar.append(out)
    lanes = {k: _lanes([s[k] for s in scalar]) for k in ("y", "p", "c")}
    lanes |= {k: np.zeros_like(_lanes([s[k] for s in scalar])) for k in ("f", "J", "ft", "r", "w")}
    lanes["b"] = _lanes([np.linspace(-1.0, 2.0, n_o)] * LANES)
    _function(native, "jac_lanes")(ts.copy(), lanes["y"], lanes["p"], lanes["c"], lanes["f"], lanes["J"], lanes["ft"])
    _function(native, "rhs_lanes")(ts.copy(), lanes["y"], lanes["p"], lanes["c"], lanes["r"])
    diagonal = 1.0 / (0.05 * (np.arange(LANES) + 1))
    _function(native, "w_assemble_lanes")(lanes["w"], lanes["J"], diagonal)
    passed = _function(native, "w_factor_lanes")(lanes["w"], limits.copy())
    _function(native, "w_solve_lanes")(lanes["w"], lanes["b"])
    assert [bool((passed >> j) & 1) for j in range(LANES)] == [s["factored"] for s in scalar]
    assert not all(s["factored"] for s in scalar) and any(s["factored"] for s in scalar)
    for j, s in enumerate(scalar):
        for key in ("f", "J", "ft", "r"):
            np.testing.assert_array_equal(lanes[key][..., j], s[key], err_msg=f"{key} of lane {j}")
        if s["factored"]:  # a refused lane's factors are not read
            np.testing.assert_array_equal(lanes["w"][..., j], s["w"], err_msg=f"w of lane {j}")
            np.testing.assert_array_equal(lanes["b"][..., j], s["b"], err_msg=f"b of lane {j}")


def test_powers_and_the_c_librarys_functions_per_lane():
    rates = {"a": "-a ** k + 0.01 * tanh(a - b)", "b": "k * exp(-a) - 0.1 * b ** k"}
    model = Model(
        "lanes", (Parameter("k", 0.7, "1/day", "test"),), (State("a", 1.3, "mg"), State("b", 0.4, "mg")), (), rates
    ).check()
    native = native_model(solver_source(compile_model(model)), 2, 1).with_lanes()
    rng = np.random.default_rng(1)
    for exponents in (np.ones(LANES), np.array([0.0, 1.0, 2.0, 1.7, 3.0, 0.5, 1.0, 2.0])[:LANES]):
        y = rng.random((2, LANES)) * 2.0
        p, constants = np.ascontiguousarray(exponents[None, :]), np.zeros((native.n_constants, LANES))
        for j in range(LANES):
            constants[:, j] = 0.0
            one = np.zeros(native.n_constants)
            _function(native, "consts")(p[:, j].copy(), one)
            constants[:, j] = one
        rate = np.zeros((2, LANES))
        _function(native, "rhs_lanes")(np.full(LANES, 2.0), np.ascontiguousarray(y), p, constants, rate)
        for j in range(LANES):
            expected = np.zeros(2)
            _function(native, "rhs")(2.0, y[:, j].copy(), p[:, j].copy(), constants[:, j].copy(), expected)
            np.testing.assert_array_equal(rate[:, j], expected, err_msg=f"lane {j}, exponent {exponents[j]}")


def _on(monkeypatch, which: str) -> None:
    """Every solver call of this test on lanes, or in the interpreter (the scalar solver)."""
    module = load(kernels.source()) if which == "lanes" else kernels.python_module()
    name = "solve_lanes" if which == "lanes" else "solve"
    monkeypatch.setattr(fast, "_kernel", lambda kernel, patients: getattr(module, name))


@pytest.fixture(scope="module")
def dupilumab(dupilumab_enrolled):
    """More patients than lanes (each lane takes a second patient), at enrolment, the label regimen."""
    return dupilumab_enrolled(LANES + 3, DAYS[-1])


def _same(monkeypatch, run):
    """``run()`` on lanes and interpreted, in one thread: one range of patients, so lanes take second patients."""
    monkeypatch.setattr(numba.config, "NUMBA_NUM_THREADS", 1)
    _on(monkeypatch, "lanes")
    a = run()
    _on(monkeypatch, "python")
    b = run()
    for field in ("states", "ok", "steps", "rejected"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field), err_msg=field)
    return a


@pytest.mark.parametrize(
    "options",
    [{}, {"relaxed": ARM_RELAXED}, {"multiplier_limit": -1.0}, {"multiplier_limit": 1.5}, {"max_steps": 40}],
    ids=["plain", "relaxed", "partial-pivoting", "some-lanes-pivoting", "too-many-steps"],
)
def test_lanes_give_the_scalar_solvers_results_bit_for_bit(monkeypatch, dupilumab, options):
    c, P, y0, dose_t, dose_mg = dupilumab
    model = fast_model(c)
    a = _same(monkeypatch, lambda: integrate_fast(model, P, y0, DAYS, dose_t, dose_mg, **options))
    if "max_steps" in options:
        assert not a.ok.any()
    else:
        assert a.ok.all() and (a.rejected > 0).any()


@pytest.mark.parametrize("drug", ["tralokinumab", None])
def test_lanes_match_without_a_fed_state_and_without_an_exact_part(monkeypatch, drug):
    c = compiled(drug)
    pop = sample(c.model, np.arange(LANES + 1), seed=4)
    P = c.parameter_matrix(pop.values, len(pop))
    dose_t, dose_mg = (None, None)
    if drug:
        dose_t, dose_mg = Regimen.from_entries(LABEL_DOSES[drug]).events(DAYS[-1], pop.values["WT"])
    model = fast_model(c)
    a = _same(monkeypatch, lambda: integrate_fast(model, P, c.initial(P), DAYS, dose_t, dose_mg))
    assert a.ok.all()


def test_lanes_match_where_the_step_size_collapses(monkeypatch):
    """Patients whose state blows up before the end (``a' = k a^2``, at day ``1 / k``): the solver gives up on
    each at its own step, and the lanes go on with the others."""
    rates = {"a": "k * a * a", "b": "a - b"}
    model = Model(
        "blow-up", (Parameter("k", 0.5, "1/day", "test"),), (State("a", 1.0, "mg"), State("b", 0.0, "mg")), (), rates
    ).check()
    c = compile_model(model)
    P = c.parameter_matrix({"k": np.linspace(0.2, 3.0, LANES + 3)}, LANES + 3)
    fast_c = fast_model(c)
    a = _same(monkeypatch, lambda: integrate_fast(fast_c, P, c.initial(P), np.array([0.0, 1.0, 2.0, 3.0])))
    assert a.ok[0] and not a.ok[1:].any() and set(a.message[1:]) == {"step size too small"}
