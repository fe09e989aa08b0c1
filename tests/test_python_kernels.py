"""The solver's kernels run by the Python interpreter (``kernels.python_module``) against the same kernels compiled by
numba: the same results bit for bit, and a lone patient's course in a fresh process compiles nothing with numba."""

import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest

from adqsp.assembly import compiled
from adqsp.engine import cache, fast, kernels
from adqsp.engine.cache import load
from adqsp.engine.fast import fast_model, integrate_fast, steady_state_fast
from adqsp.pk.regimen import Regimen
from adqsp.population.sampling import sample
from adqsp.trial.run import ARM_RELAXED

DAYS = np.array([0.0, 7.0, 28.0, 56.0, 112.0])


def _interpreted(monkeypatch) -> None:
    """Every kernel call of this test in the interpreter, however many patients."""
    monkeypatch.setattr(fast, "_kernel", lambda name, patients: getattr(kernels.python_module(), name))


def _compiled_only(monkeypatch) -> None:
    """Every kernel call of this test compiled (the solver on lanes), however few patients."""
    compiled_kernels = load(kernels.source())
    lanes = {"solve": fast.LANES_SOLVER}
    monkeypatch.setattr(fast, "_kernel", lambda name, patients: getattr(compiled_kernels, lanes.get(name, name)))


@pytest.fixture(scope="module")
def dupilumab(dupilumab_enrolled):
    """Six patients at enrolment, the label regimen: the exactly integrated chain with a fed state, grid steps,
    later doses."""
    return dupilumab_enrolled(6, DAYS[-1])


def _both(monkeypatch, run):
    """``run()`` with the compiled kernels, then interpreted."""
    _compiled_only(monkeypatch)
    a = run()
    _interpreted(monkeypatch)
    return a, run()


def _same(a, b) -> None:
    for field in ("states", "ok", "steps", "rejected"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field), err_msg=field)
    assert a.message == b.message


@pytest.mark.parametrize(
    "options",
    [{}, {"relaxed": ARM_RELAXED}, {"multiplier_limit": -1.0}, {"max_steps": 40}],
    ids=["plain", "relaxed", "partial-pivoting", "too-many-steps"],
)
def test_interpreted_solver_gives_the_compiled_results_bit_for_bit(monkeypatch, dupilumab, options):
    c, P, y0, dose_t, dose_mg = dupilumab
    model = fast_model(c)
    a, b = _both(monkeypatch, lambda: integrate_fast(model, P, y0, DAYS, dose_t, dose_mg, **options))
    _same(a, b)
    if "max_steps" in options:
        assert not a.ok.any()  # the failure path is compared too
    else:
        assert a.ok.all() and (a.rejected > 0).any()  # rejected steps are compared too


def test_interpreted_solver_matches_for_a_daily_oral_drug_averaged_over_its_interval(monkeypatch):
    c = compiled("cyclosporine", None, (("pk_tau", 1.0),), "interval_mean")
    pop = sample(c.model, np.arange(3), seed=3)
    P = c.parameter_matrix(pop.values, len(pop))
    days = np.array([0.0, 10.0, 30.0])
    dose_t, dose_mg = Regimen.from_entries([{"mg": 300.0, "every_days": 1.0}]).events(days[-1], pop.values["WT"])
    model = fast_model(c)
    a, b = _both(monkeypatch, lambda: integrate_fast(model, P, c.initial(P), days, dose_t, dose_mg))
    assert a.ok.all()
    _same(a, b)


def test_interpreted_steady_state_and_jacobian_match(monkeypatch):
    c = compiled(None)
    model = fast_model(c)
    pop = sample(c.model, np.arange(4), seed=2)
    P = c.parameter_matrix(pop.values, len(pop))
    a, b = _both(monkeypatch, lambda: steady_state_fast(model, P, c.initial(P), 0.0))
    assert a[1].all()
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    n = len(c.model.states)

    def point():
        f, J, ft = np.empty(n), np.zeros((n, n)), np.empty(n)
        model.jac(3.0, a[0][:, 0], P[:, 0], f, J, ft)
        return f, J, ft

    for x, y in zip(*_both(monkeypatch, point), strict=True):
        np.testing.assert_array_equal(x, y)


def test_a_lone_patient_is_interpreted_until_the_kernel_is_compiled(monkeypatch):
    source, python = kernels.source(), kernels.python_module()
    monkeypatch.setattr(cache, "_LOADED", {})  # as in a new process
    assert fast._kernel("solve", 1) is python.solve
    for signatures, lone in (([], python.solve), (["compiled"], None)):
        scalar, lanes = SimpleNamespace(signatures=signatures), SimpleNamespace(signatures=[])
        monkeypatch.setitem(cache._LOADED, source, SimpleNamespace(solve=scalar, solve_lanes=lanes))
        assert fast._kernel("solve", 1) is (lone or scalar)
        assert fast._kernel("solve", 2) is lanes  # a population always runs compiled, on lanes


def test_a_lone_patients_course_compiles_nothing_with_numba_and_no_functions_for_lanes():
    script = (
        "import sys; from adqsp.trial.course import time_course; from adqsp.pk.regimen import Regimen;"
        "from adqsp.engine import native;"
        "frame = time_course('dupilumab', Regimen.from_entries([{'mg': 600.0, 'day': 0.0}]), 2.0);"
        "assert frame['solver_ok'].all(); print('numba' in sys.modules);"
        "print(any(m.functions[-len(native.LANED):].any() for m in native._ENGINES.values()))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]


def test_the_compiled_scalar_solver_gives_the_interpreted_results(monkeypatch, dupilumab):
    """The scalar solver compiled (a lone patient's, once the explorer has compiled it) against the interpreter."""
    c, P, y0, dose_t, dose_mg = dupilumab
    model = fast_model(c)
    runs = []
    for module in (load(kernels.source()), kernels.python_module()):
        monkeypatch.setattr(fast, "_kernel", lambda name, patients, module=module: getattr(module, name))
        runs.append(integrate_fast(model, P, y0, DAYS, dose_t, dose_mg, multiplier_limit=-1.0))
    _same(*runs)
    assert runs[0].ok.all()
