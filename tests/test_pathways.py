"""The pathways read-out: type 1, 2, 17 and 22 activity per skin site, in time courses, the trial's summary and
per-patient table (fractions of each patient's baseline), and the report's pathway figure."""

from __future__ import annotations

import html
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from adqsp.assembly import build_model
from adqsp.disease.pathways import PATHWAYS
from adqsp.faces.report import write_report
from adqsp.pk.regimen import LABEL_DOSES, Regimen
from adqsp.trial.course import time_course
from adqsp.trial.job import run_trial
from adqsp.trial.scenario import load_scenario
from adqsp.trial.summary import PATHWAY_KEYS

SITES = ("les", "non")
SMALL = replace(load_scenario(), patients_per_arm=8, seed=5)


def _fractions(course, site: str = "les"):
    """Each pathway activity of a time course as a fraction of its day-0 value, indexed by week."""
    columns = [f"{site}_{p}_activity" for p in PATHWAYS]
    frame = course.set_index(course["time_days"] / 7.0)[columns]
    return frame / frame.iloc[0]


@pytest.fixture(scope="module")
def typical():
    """The typical patient's lesional pathway activities under placebo and dupilumab's label regimen."""
    label = Regimen.from_entries(LABEL_DOSES["dupilumab"])
    return {
        "placebo": _fractions(time_course(None, Regimen(), 16)),
        "dupilumab": _fractions(time_course("dupilumab", label, 16)),
    }


@pytest.fixture(scope="module")
def trial():
    return run_trial(SMALL)


def test_every_arm_model_declares_and_captures_four_activities_per_site():
    for drug in (None, "dupilumab", "tralokinumab"):
        model = build_model(drug)
        for site in SITES:
            assert {f"{site}_{p}_activity" for p in PATHWAYS} <= set(model.assignment_names)
        suffixes = ("", "_non")
        assert {f"{p}_activity{s}" for p in PATHWAYS for s in suffixes} <= set(model.captured)


def test_dupilumab_takes_type_2_below_half_of_baseline_by_week_16(typical):
    dupilumab, placebo = typical["dupilumab"], typical["placebo"]
    assert dupilumab.loc[16.0, "les_type2_activity"] < 0.5
    assert dupilumab.loc[16.0, "les_type2_activity"] < 0.2 * placebo.loc[16.0, "les_type2_activity"]


def test_dupilumab_does_not_suppress_type_1_directly(typical):
    """Before the lesions heal, type 1 stays at baseline and above its placebo course: blocking IL-4 lifts IL-4's
    restraint of Th1 cells, while type 2 has already fallen by most of the way."""
    dupilumab, placebo = typical["dupilumab"], typical["placebo"]
    at_week_2 = dupilumab.loc[2.0]
    assert at_week_2["les_type1_activity"] >= 0.95
    assert at_week_2["les_type1_activity"] > placebo.loc[2.0, "les_type1_activity"]
    assert at_week_2["les_type2_activity"] < 0.2


@pytest.mark.xfail(
    strict=True,
    reason="the model's Th1 cells are driven by the skin's antigen load (exactly as its Th17 cells are), so type 1"
    " falls as the barrier heals and the trial lowers exposure: 0.61 of baseline at week 16 under dupilumab, 0.64"
    " under placebo (docs/pathways.md)",
)
def test_type_1_stays_at_baseline_to_week_16_under_dupilumab(typical):
    assert typical["dupilumab"].loc[16.0, "les_type1_activity"] >= 0.95


def test_dupilumab_suppresses_type_1_no_further_than_taking_part_in_the_trial_does(trial):
    """Not an immunosuppressant: at every visit the arms' type 1 (IFN-gamma) activity is at least 0.85 of the
    placebo arm's (the type 1 that falls, falls with the trial's own lowering of exposure, as in placebo)."""
    placebo, q2w = trial.summary["arms"][:2]
    for week in placebo["visits"]:
        treated, untreated = (a["visits"][week]["pathway_activity"]["type1"] for a in (q2w, placebo))
        assert treated >= 0.85 * untreated, week


def test_the_summary_gives_pathway_activity_for_every_arm_and_visit_from_baseline_1(trial):
    for arm in trial.summary["arms"]:
        assert set(arm["visits"]) == {"0", "1", "2", "4", "8", "12", "16"}
        for week, entry in arm["visits"].items():
            for key in PATHWAY_KEYS:
                assert set(entry[key]) == set(PATHWAYS), (arm["name"], week, key)
                assert all(np.isfinite(v) and v > 0.0 for v in entry[key].values())
                if week == "0":
                    assert entry[key] == {p: 1.0 for p in PATHWAYS}
    placebo, q2w = (arm["visits"]["16"]["pathway_activity"] for arm in trial.summary["arms"][:2])
    assert q2w["type2"] < 0.5 * placebo["type2"]


def test_the_summary_means_the_per_patient_fractions_of_the_table(trial):
    """Without dropout and with continuous values taken without rescue (the default estimand), an arm's
    pathway_activity is the mean of its patients' fractions in patients.parquet, which are their activities over
    their own day-0 values."""
    p = trial.patients.loc[trial.patients.ok]
    for column, raw in (("pathway_type2", "type2_activity"), ("pathway_type22_nonlesional", "type22_activity_non")):
        baseline = p.loc[p.week == 0].set_index(["arm", "patient_id"])[raw]
        expected = p[raw].to_numpy() / baseline.loc[list(zip(p.arm, p.patient_id, strict=True))].to_numpy()
        np.testing.assert_allclose(p[column], expected, rtol=1e-12)
    for arm in trial.summary["arms"]:
        rows = p[(p.arm == arm["name"]) & (p.week == 16)]
        assert arm["visits"]["16"]["pathway_activity"]["type1"] == pytest.approx(rows["pathway_type1"].mean())
        site = arm["visits"]["16"]["pathway_activity_nonlesional"]
        assert site["type17"] == pytest.approx(rows["pathway_type17_nonlesional"].mean())


def test_the_endpoint_table_has_a_row_per_pathway(trial):
    table = trial.endpoints()
    rows = table[(table.week == 16.0) & table.endpoint.str.startswith("pathway_activity.")]
    assert len(rows) == len(trial.summary["arms"]) * len(PATHWAYS)


def test_the_report_shows_the_pathway_profile_of_each_arm(trial, tmp_path: Path):
    path = tmp_path / "report.html"
    write_report(trial.summary, trial.patients, path)
    text = html.unescape(path.read_text(encoding="utf-8"))
    caption = next(line for line in text.split("<figcaption>")[1:] if line.startswith("Pathway profile"))
    assert "type 2 / type 1: placebo" in caption
    for arm in trial.summary["arms"]:
        activity = arm["visits"]["16"]["pathway_activity"]
        assert f"{arm['name']} {100 * activity['type2']:.0f}% / {100 * activity['type1']:.0f}%" in caption
    assert text.count('alt="Pathway profile') == 1
