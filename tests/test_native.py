"""A model's machine code compiled from its generated source by this package's LLVM translation: the same numbers as
the source run by Python, bit for bit; refusal of Python it does not know; the generated source and the object file
kept in the cache folder and reused, and shared by models that differ only in names and values."""

import ast
import ctypes
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from adqsp.assembly import build_model, compiled
from adqsp.drugs.registry import parse_record, shipped_text
from adqsp.engine import cache as compiled_module
from adqsp.engine import kernels
from adqsp.engine import native as native_module
from adqsp.engine.cache import load, solver_source
from adqsp.engine.canonical import canonical
from adqsp.engine.emit import Signature, UnsupportedSource, module_ir
from adqsp.engine.fast import fast_model, integrate_fast
from adqsp.engine.generate import generated_source
from adqsp.engine.kernels.calls import FUNCTIONS
from adqsp.engine.native import native_model
from adqsp.model.codegen import compile_model
from adqsp.model.declaration import Model, Parameter, State
from adqsp.population.sampling import sample

MODELS = {
    "drug-free": (None, None, "each_dose"),
    "dupilumab": ("dupilumab", None, "each_dose"),
    "tralokinumab": ("tralokinumab", None, "each_dose"),
    "upadacitinib": ("upadacitinib", None, "each_dose"),
    "cyclosporine interval-mean": ("cyclosporine", None, "interval_mean"),
}


def _call(native, name: str, *args):
    """One of the model's functions called through its address (arrays by pointer, numbers as doubles)."""
    address = int(native.functions[FUNCTIONS.index(name)])
    kinds = [ctypes.c_void_p if isinstance(a, np.ndarray) else ctypes.c_double for a in args]
    function = ctypes.CFUNCTYPE(ctypes.c_uint8 if name == "w_factor" else None, *kinds)(address)
    return function(*(ctypes.c_void_p(a.ctypes.data) if isinstance(a, np.ndarray) else float(a) for a in args))


@pytest.mark.parametrize("spec", MODELS.values(), ids=MODELS.keys())
def test_machine_code_gives_the_numbers_of_the_generated_source_run_by_python(spec):
    c = compiled(spec[0], spec[1], dosing=spec[2])
    source = solver_source(c)
    python = load(source)  # the generated module is plain Python
    n, n_p = len(c.model.states), len(c.model.parameters)
    native = native_model(source, n, n_p)
    P = c.parameter_matrix(sample(c.model, np.arange(3), seed=5).values, 3)
    m, n_o, n_f = native.n_exact, n - native.n_exact, len(native.fed)
    for i in range(3):
        p = np.ascontiguousarray(P[:, i])
        results = []
        for run in ("python", "native"):
            out = {
                "c": np.zeros(native.n_constants),
                "f": np.zeros(n),
                "J": np.zeros((n, n)),
                "ft": np.zeros(n),
                "r": np.zeros(n),
                "M": np.zeros((m + 1, m + 1)),
                "B": np.zeros((n_f, m)),
                "w": np.zeros((n_o, n_o)),
                "b": np.linspace(-1.0, 2.0, n_o),
            }
            y = c.initial(P)[:, i] * (0.5 + np.random.default_rng(i).random(n)) + 0.1
            t = 17.3
            if run == "python":
                python.consts(p, out["c"])
                python.jac(t, y, p, out["c"], out["f"], out["J"], out["ft"])
                python.rhs(t, y, p, out["c"], out["r"])
                python.lin(p, out["M"])
                python.feed(p, out["B"])
                python.w_assemble(out["w"], out["J"], 1.0 / 0.05)
                factored = bool(python.w_factor(out["w"], 10.0))
                if factored:
                    python.w_solve(out["w"], out["b"])
            else:
                _call(native, "consts", p, out["c"])
                _call(native, "jac", t, y, p, out["c"], out["f"], out["J"], out["ft"])
                _call(native, "rhs", t, y, p, out["c"], out["r"])
                _call(native, "lin", p, out["M"])
                _call(native, "feed", p, out["B"])
                _call(native, "w_assemble", out["w"], out["J"], 1.0 / 0.05)
                factored = bool(_call(native, "w_factor", out["w"], 10.0))
                if factored:
                    _call(native, "w_solve", out["w"], out["b"])
            results.append((out, factored))
        (py, py_factored), (nat, nat_factored) = results
        assert py_factored == nat_factored
        for key in py:
            np.testing.assert_array_equal(nat[key], py[key], err_msg=f"{key} of patient {i}")
        assert np.abs(py["J"]).sum() > 0 and np.abs(py["f"]).sum() > 0


def _decay(name: str, rate: str) -> Model:
    states = (State("a", 1.0, "mg"), State("b", 0.0, "mg"))
    return Model(name, (Parameter("k", 0.5, "1/day", "test"),), states, (), {"a": rate, "b": "k * a - b"}).check()


def test_the_object_file_is_kept_and_a_later_process_loads_it_without_compiling(tmp_path, monkeypatch):
    monkeypatch.setenv("ADQSP_CACHE", str(tmp_path))
    c = compile_model(_decay("kept", "-k * a * a"))
    monkeypatch.setattr(native_module, "_ENGINES", {})
    fast = fast_model(c)
    (kept,) = (tmp_path / "numba").glob("native_*.o")
    P = c.parameter_matrix({}, 1)
    first = integrate_fast(fast, P, c.initial(P), np.array([0.0, 2.0])).states

    def no_compiling(*args):
        raise AssertionError("compiled again")

    monkeypatch.setattr(native_module, "_ENGINES", {})  # a new process
    monkeypatch.setattr(native_module, "compile_object", no_compiling)
    again = integrate_fast(fast_model(c), P, c.initial(P), np.array([0.0, 2.0])).states
    np.testing.assert_array_equal(again, first)
    np.testing.assert_allclose(first[-1, 0, 0], 1.0 / (1.0 + 0.5 * 2.0), rtol=1e-3)  # a' = -k a^2
    assert kept.stat().st_size > 0


def test_a_parameter_power_in_machine_code_is_the_generated_power_and_the_c_librarys_within_its_bound():
    c = compile_model(_decay("power", "-a ** k"))  # _pow(a, k): special cases for exponents 0, 1 and 2
    source = solver_source(c)
    python = load(source)
    native = native_model(source, 2, 1)
    for x in (0.0, 0.3, 2.5, 1e-30):
        for n in (0.0, 1.0, 2.0, 1.7, 3.0):
            p, y, out, constants = np.array([n]), np.array([x, 0.0]), np.zeros(2), np.zeros(native.n_constants)
            _call(native, "consts", p, constants)
            _call(native, "rhs", 0.0, y, p, constants, out)
            assert out[0] == -python._pow(x, n), (x, n)
            if n in (0.0, 1.0, 2.0):
                assert out[0] == -(x**n), (x, n)  # a copy, a constant or a product: exact
            else:  # engine/mathlib.py's bound, in units in the last place
                assert abs(out[0] + x**n) <= (abs(n * np.log(x)) + 2.0) * np.spacing(x**n) if x else out[0] == 0.0


def test_every_function_and_power_of_the_expression_language_compiles_to_the_numbers_python_gives():
    rates = {  # each function of expressions.FUNCTIONS, a constant and a parameter power
        "a": "-k * a ** 2 + 0.1 * sqrt(b) - 0.01 * tanh(a - b) + 0.01 * sin(a) * cos(b)",
        "b": "k * exp(-a) - log(1.0 + b) + where(a > b, min(a, b), max(a - b, 0.0)) - 0.1 * b ** k",
    }
    states = (State("a", 1.3, "mg"), State("b", 0.4, "mg"))
    model = Model("language", (Parameter("k", 0.7, "1/day", "test"),), states, (), rates).check()
    c = compile_model(model)
    source = solver_source(c)
    native, python = native_model(source, 2, 1), load(source)
    for y in ([1.3, 0.4], [0.2, 2.5], [0.0, 0.0]):
        y = np.array(y)
        p, constants, rate = np.array([0.7]), np.zeros(native.n_constants), np.zeros(2)
        _call(native, "consts", p, constants)
        _call(native, "rhs", 2.0, y, p, constants, rate)
        expected = np.zeros(2)
        python.consts(p, constants)
        python.rhs(2.0, y, p, constants, expected)
        np.testing.assert_array_equal(rate, expected)
        np.testing.assert_allclose(rate, c.rhs(2.0, y[:, None], p[:, None])[:, 0], rtol=1e-14)


def test_kernels_are_compiled_again_for_another_version_of_the_package(monkeypatch):
    here = kernels.source()
    monkeypatch.setattr(kernels, "code_digest", lambda: "another version of this package")
    kernels.source.cache_clear()  # a new process
    try:
        assert kernels.source() != here  # numba's cache sees only the kernels' own file, not the calls they import
    finally:
        kernels.source.cache_clear()


def test_another_machine_llvm_or_code_version_names_another_object_file(monkeypatch):
    source = solver_source(compile_model(_decay("machines", "-k * a")))
    here = native_module.object_digest(source)
    monkeypatch.setattr(native_module, "code_digest", lambda: "another version of this package")
    assert native_module.object_digest(source) != here
    monkeypatch.undo()
    monkeypatch.setattr(native_module.llvm, "get_host_cpu_name", lambda: "another-cpu")
    assert native_module.object_digest(source) != here


def test_threads_asking_for_one_model_at_once_share_one_machine_code(tmp_path, monkeypatch):
    monkeypatch.setenv("ADQSP_CACHE", str(tmp_path))
    monkeypatch.setattr(native_module, "_ENGINES", {})
    source = solver_source(compile_model(_decay("shared", "-k * a * a * a")))
    with ThreadPoolExecutor(4) as pool:
        models = list(pool.map(lambda _: native_model(source, 2, 1), range(8)))
    assert all(m is models[0] for m in models) and len(native_module._ENGINES) == 1


@pytest.mark.parametrize(
    "body",
    [
        "    for i in range(3):\n        _out[0] = 1.0",
        "    _out[0] = sorted(_y)[0]",
        "    _out[3] = 1.0",
        "    _out[0] = _y[t]",
    ],
    ids=["loop", "unknown call", "index outside the shape", "index not constant"],
)
def test_python_the_translation_does_not_know_is_refused_with_the_line(body):
    tree = ast.parse(f"def rhs(t, _y, _out):\n{body}\n")
    signature = Signature((("t", None), ("_y", (2,)), ("_out", (2,))))
    with pytest.raises(UnsupportedSource, match="rhs"):
        module_ir(tree, {"rhs": signature})


def test_a_generated_source_is_kept_for_later_processes_running_the_same_code(tmp_path, monkeypatch):
    monkeypatch.setenv("ADQSP_CACHE", str(tmp_path))
    c = compile_model(_decay("kept", "-k * a"))

    def later_process() -> str:  # a new process: nothing generated in memory yet
        monkeypatch.setattr(compiled_module, "_SOLVER_SOURCES", {})
        return solver_source(c)

    source = later_process()
    (kept,) = (tmp_path / "numba").glob("source_*.py")
    assert kept.read_text(encoding="utf-8") == source == generated_source(canonical(c.model))
    kept.write_text(source + "# read back\n", encoding="utf-8")
    assert later_process() == source + "# read back\n"  # read, not generated again
    monkeypatch.setattr(compiled_module, "code_digest", lambda: "changed code")
    assert later_process() == source  # other code: generated again, kept in another file
    assert len(list((tmp_path / "numba").glob("source_*.py"))) == 2


def test_models_that_differ_only_in_names_share_one_generated_module():
    copy = parse_record(shipped_text("dupilumab").replace('name = "dupilumab"', 'name = "biosimilar"'), "copy.toml")
    original, renamed = build_model("dupilumab"), build_model(copy)
    assert original.parameter_names != renamed.parameter_names
    assert generated_source(canonical(original)) == generated_source(canonical(renamed))
    text = shipped_text("dupilumab").replace("kd_nM = { value = 0.02", "kd_nM = { value = 20.0")
    weaker = parse_record(text, "weaker.toml")
    assert generated_source(canonical(build_model(weaker))) == generated_source(canonical(original))  # values: P
    assert generated_source(canonical(build_model("tralokinumab"))) != generated_source(canonical(original))


def test_parameters_of_another_float_type_are_taken_as_doubles():
    c = compile_model(_decay("float32", "-k * a"))
    P = c.parameter_matrix({}, 2)
    times = np.array([0.0, 1.0])
    single = integrate_fast(fast_model(c), P.astype(np.float32), c.initial(P), times).states
    np.testing.assert_allclose(single, integrate_fast(fast_model(c), P, c.initial(P), times).states, rtol=1e-6)
