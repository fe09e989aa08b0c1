"""PEtab export: the PK part of the calibration problem passes PEtab's own checks, and its conditions simulated by
libRoadRunner give the serum levels adqsp gives for the same regimens."""

import numpy as np
import pandas as pd
import petab.v1 as petab
import pytest
import roadrunner

from adqsp.assembly import compiled
from adqsp.engine.integrate import Tolerances, integrate
from adqsp.faces.cli import main
from adqsp.faces.petab import CONDITIONS, DOSE_DAYS, MEASUREMENTS
from adqsp.pk.regimen import Regimen


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("petab")
    assert main(["export-petab", "--out", str(out)]) == 0
    return out


def test_the_problem_passes_petab_lint(folder):
    problem = petab.Problem.from_yaml(str(folder / "problem.yaml"))
    assert not petab.lint.lint_problem(problem)
    measured = pd.read_csv(folder / "measurements.tsv", sep="\t")
    assert list(measured.simulationConditionId) == [m[0] for m in MEASUREMENTS]
    assert set(pd.read_csv(folder / "conditions.tsv", sep="\t").conditionId) == set(CONDITIONS)


def _serum(regimen: Regimen, days: np.ndarray) -> np.ndarray:
    """adqsp's serum dupilumab (mg/L) for the typical patient at ``days``, by its scipy-BDF engine at tight
    tolerances (the trial engine's absolute tolerance, 5e-4 of a 100 mg amount, is about 0.02 mg/L: coarser than
    the levels once the saturable clearance has taken over)."""
    c = compiled("dupilumab", None, ())
    P = c.parameter_matrix({}, 1)
    dose_t, dose_mg = regimen.events(days[-1], P[c.model.parameter_names.index("WT")])
    tr = integrate(c, P, c.initial(P), days, dose_t, dose_mg, Tolerances(rtol=1e-10, atol=1e-10))
    return np.ravel(c.observe(days, tr.states[:, :, 0].T, np.repeat(P, len(days), axis=1))["dupilumab_serum_mg_L"])


@pytest.mark.parametrize("condition", list(CONDITIONS))
def test_each_condition_gives_adqsp_s_serum_levels(folder, condition):
    rr = roadrunner.RoadRunner(str(folder / "model.xml"))
    for i, mg in enumerate(CONDITIONS[condition]):
        rr[f"dose_{i}_mg"] = mg
    days = np.arange(0.0, 113.0, 7.0)
    theirs = rr.simulate(times=list(days), selections=["dupilumab_serum_mg_L"])[:, 0]
    doses = [{"mg": mg, "day": d} for d, mg in zip(DOSE_DAYS, CONDITIONS[condition], strict=True) if mg > 0]
    ours = _serum(Regimen.from_entries(doses), days)
    np.testing.assert_allclose(theirs[1:], ours[1:], rtol=1e-3, atol=1e-6)
    for cond, day, value, _, _ in MEASUREMENTS:  # the measured levels are within the model's reach, not fitted
        if cond == condition:
            assert 0.5 * value < ours[int(day // 7)] < 2.0 * value


def test_a_file_in_the_way_is_a_one_line_error(tmp_path, capsys):
    blocker = tmp_path / "taken"
    blocker.write_text("x", encoding="utf-8")
    assert main(["export-petab", "--out", str(blocker)]) == 2
    assert "--out: " in capsys.readouterr().err
