"""Compiling several models' machine code side by side: worker processes fill the cache this process loads from."""

import numpy as np

from adqsp.assembly import build_model
from adqsp.drugs.registry import parse_record, shipped_text
from adqsp.engine import cache as compiled_module
from adqsp.engine import prebuild as prebuild_module
from adqsp.engine.cache import solver_source
from adqsp.engine.canonical import canonical
from adqsp.engine.fast import fast_model, integrate_fast
from adqsp.engine.generate import generated_source
from adqsp.engine.prebuild import is_cached, prebuild
from adqsp.model.codegen import compile_model
from adqsp.model.declaration import Model, Parameter, State


def _decay(name: str, rate: str) -> Model:
    states = (State("a", 1.0, "mg"), State("b", 0.0, "mg"))
    return Model(name, (Parameter("k", 0.5, "1/day", "test"),), states, (), {"a": rate, "b": "k * a - b"}).check()


def test_models_missing_from_the_cache_are_compiled_in_worker_processes(tmp_path, monkeypatch):
    monkeypatch.setenv("ADQSP_CACHE", str(tmp_path))
    monkeypatch.setattr(prebuild_module.os, "cpu_count", lambda: 2)
    models = [compile_model(_decay("linear", "-k * a")), compile_model(_decay("quadratic", "-k * a * a"))]
    sources = [solver_source(c) for c in models]
    assert not any(is_cached(s, False) for s in sources)
    assert prebuild([(models[0], True), (models[1], False), (models[1], False)]) == 2
    assert is_cached(sources[0], True) and is_cached(sources[1], False) and not is_cached(sources[1], True)
    assert prebuild([(models[0], True), (models[1], False)]) == 0  # all cached: nothing to do
    P = models[1].parameter_matrix({}, 1)
    course = integrate_fast(fast_model(models[1]), P, models[1].initial(P), np.array([0.0, 2.0]))
    np.testing.assert_allclose(course.states[-1, 0, 0], 1.0 / (1.0 + 0.5 * 2.0), rtol=1e-3)


def test_a_single_missing_model_is_left_to_this_process(tmp_path, monkeypatch):
    monkeypatch.setenv("ADQSP_CACHE", str(tmp_path))
    c = compile_model(_decay("alone", "-k * a"))
    assert prebuild([(c, False)]) == 0
    assert not is_cached(solver_source(c), False)


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
