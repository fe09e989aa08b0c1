"""PEtab export: the PK part of the calibration problem passes PEtab's own checks, and its conditions simulated by
libRoadRunner give the serum levels adqsp gives for the same regimens."""

import numpy as np
import pandas as pd
import petab.v1 as petab
import pytest
import roadrunner

from adqsp.faces.cli import main
from adqsp.faces.petab import CONDITIONS, DOSE_DAYS, MEASUREMENTS
from adqsp.pk.regimen import Regimen
from adqsp.trial.course import time_course


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


@pytest.mark.parametrize("condition", list(CONDITIONS))
def test_each_condition_gives_adqsp_s_serum_levels(folder, condition):
    rr = roadrunner.RoadRunner(str(folder / "model.xml"))
    for i, mg in enumerate(CONDITIONS[condition]):
        rr[f"dose_{i}_mg"] = mg
    days = np.arange(0.0, 113.0, 7.0)
    theirs = rr.simulate(times=list(days), selections=["dupilumab_serum_mg_L"])[:, 0]
    doses = [{"mg": mg, "day": d} for d, mg in zip(DOSE_DAYS, CONDITIONS[condition], strict=True) if mg > 0]
    ours = time_course("dupilumab", Regimen.from_entries(doses), 16, step_days=7).dupilumab_serum_mg_L.to_numpy()
    # relative where the drug is there; near zero, adqsp's absolute tolerance (5e-4 of a 100 mg amount) sets the floor
    np.testing.assert_allclose(theirs[1:], ours[1:], rtol=1e-3, atol=1e-3)
    for cond, day, value, _, _ in MEASUREMENTS:  # the measured levels are within the model's reach, not fitted
        if cond == condition:
            assert 0.5 * value < ours[int(day // 7)] < 2.0 * value


def test_a_file_in_the_way_is_a_one_line_error(tmp_path, capsys):
    blocker = tmp_path / "taken"
    blocker.write_text("x", encoding="utf-8")
    assert main(["export-petab", "--out", str(blocker)]) == 2
    assert "--out: " in capsys.readouterr().err
