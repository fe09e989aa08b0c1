"""The guarded working folder of the tests of bad input: an error must come before any simulation starts and leave
nothing behind; and a patient with moderate-to-severe disease, with its courses on the label regimens."""

import tempfile
from pathlib import Path

import pytest

import adqsp.trial.course
import adqsp.trial.job
import adqsp.trial.validate


@pytest.fixture(scope="session")
def severe() -> dict[str, float]:
    """One patient with moderate-to-severe disease, as a trial enrols (the typical parameters give a mild one, EASI
    about 0.4): 3 times the typical Th2 expansion (baseline EASI about 27 with the parameters of 2026-12-07), no
    flares, for the treatment tests of single patients."""
    from adqsp.assembly import build_model

    return {"th2_drive": 3.0 * build_model(None).parameter("th2_drive").value, "flare_amplitude": 0.0}


@pytest.fixture(scope="session")
def severe_courses(severe) -> dict:
    """The `severe` patient's 16-week course (every state and assignment, daily) without a drug ("placebo") and on
    the label regimens of dupilumab, tralokinumab and lebrikizumab."""
    from adqsp.pk.regimen import LABEL_DOSES, Regimen

    return {
        drug or "placebo": adqsp.trial.course.time_course(
            drug, Regimen.from_entries(LABEL_DOSES[drug]) if drug else Regimen(), 16, values=severe
        )
        for drug in (None, "dupilumab", "tralokinumab", "lebrikizumab")
    }


@pytest.fixture(scope="session")
def dupilumab_enrolled():
    """``(n, last_day) ->`` the dupilumab model and ``n`` patients (seed 11) at enrolment: their parameters, initial
    states, and the label regimen's dose events up to ``last_day``, for the tests of the solver's kernels."""
    import numpy as np

    from adqsp.assembly import compiled
    from adqsp.pk.regimen import LABEL_DOSES, Regimen
    from adqsp.population.sampling import sample
    from adqsp.trial.run import arm_initial_states, enrolment_states

    def make(n: int, last_day: float) -> tuple:
        c = compiled("dupilumab")
        pop = sample(c.model, np.arange(n), seed=11)
        y_enrol, ok = enrolment_states(pop)
        assert ok.all()
        P = c.parameter_matrix(pop.values, len(pop))
        dose_t, dose_mg = Regimen.from_entries(LABEL_DOSES["dupilumab"]).events(last_day, pop.values["WT"])
        return c, P, arm_initial_states(c, y_enrol, P), dose_t, dose_mg

    return make


class SimulationStarted(BaseException):
    """Raised by the guard: a simulation was about to start (BaseException, so main() does not catch it)."""


@pytest.fixture
def work(tmp_path, monkeypatch) -> Path:
    """An empty working folder (so a default results/ folder would show), internal-error logs kept out of the shared
    /tmp, and every way into a simulation replaced by a guard that raises :class:`SimulationStarted`."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    logs = tmp_path / "logs"
    logs.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(logs))

    def guard(*args, **kwargs):
        raise SimulationStarted("a simulation started; the error should have been raised before")

    for module, name in (
        (adqsp.trial.job, "run_trial"),
        (adqsp.trial.course, "time_course"),
        (adqsp.trial.validate, "run_trial"),
    ):
        monkeypatch.setattr(module, name, guard)
    return folder


def files_under(root: Path) -> dict[str, bytes | None]:
    """Every path under ``root`` with its bytes (None for a folder): two calls compare what changed."""
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None) for p in root.rglob("*")}
