"""Scale-out: the Dask executor and resumable chunk stores give the same numbers as a plain local run."""

import json
from dataclasses import replace

import pytest

from adqsp.faces.cli import main
from adqsp.trial import run as run_module
from adqsp.trial.executors import ChunkStore, DaskExecutor, LocalExecutor
from adqsp.trial.job import run_trial
from adqsp.trial.scenario import load_scenario

SMALL = replace(load_scenario(), weeks=4.0, visits=(2.0,), patients_per_arm=5, seed=3)


@pytest.fixture(scope="module")
def local_summary():
    return json.dumps(run_trial(SMALL).summary)


def test_dask_local_cluster_with_two_workers_gives_identical_results(local_summary, monkeypatch):
    # small screening batches: the Dask run screens in other rounds than the local one (several batches on two
    # workers, against one batch of 1024); the summary, its screening counts included, must not see it
    monkeypatch.setattr(run_module, "SCREEN_BATCH", 8)
    executor = DaskExecutor(workers=2)
    try:
        assert executor.parallelism == 2
        summary = run_trial(SMALL, executor=executor).summary
    finally:
        executor.close()
    assert json.dumps(summary) == local_summary


class _Interrupted(Exception):
    pass


class _FlakyExecutor(LocalExecutor):
    """Runs ``budget`` chunks, then fails like a killed run; counts the chunks it computed."""

    def __init__(self, budget: int) -> None:
        super().__init__(threads=1)
        self.budget, self.computed = budget, 0

    def map(self, fn, items):
        for k, item in enumerate(items):
            if self.computed >= self.budget:
                raise _Interrupted
            self.computed += 1
            yield k, fn(item)


def test_an_interrupted_run_resumes_with_only_the_missing_chunks(tmp_path, local_summary):
    store = ChunkStore(tmp_path / "chunks")
    with pytest.raises(_Interrupted):
        run_trial(SMALL, executor=_FlakyExecutor(budget=2), store=store)
    saved = sorted(p.name for p in (tmp_path / "chunks").glob("*.npz"))
    assert len(saved) == 2
    second = _FlakyExecutor(budget=10_000)
    summary = run_trial(SMALL, executor=second, store=store).summary
    assert json.dumps(summary) == local_summary
    total = len(list((tmp_path / "chunks").glob("*.npz")))
    assert second.computed == total - 2


def test_resume_refuses_a_partial_run_of_another_scenario(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    partial = tmp_path / "results" / ".solo1.partial"
    partial.mkdir(parents=True)
    (partial / "fingerprint.txt").write_text("another run", encoding="utf-8")
    assert main(["trial", "--patients-per-arm", "2", "--resume", "--quiet"]) == 2
    assert "--resume" in capsys.readouterr().err
    assert (partial / "fingerprint.txt").read_text(encoding="utf-8") == "another run"
