"""The embedded comparators scenario: it runs from its name, and its pathway profile shows broad suppression under
cyclosporine where dupilumab suppresses type 2 signalling only."""

from dataclasses import replace

import pytest

from adqsp.errors import InputError
from adqsp.faces.cli import main
from adqsp.trial.job import run_trial
from adqsp.trial.scenario import EMBEDDED, embedded_scenarios, load_scenario


@pytest.fixture(scope="module")
def summary():
    return run_trial(replace(load_scenario("comparators"), patients_per_arm=60, seed=3)).summary


def test_every_embedded_scenario_loads_by_name_and_is_listed(capsys):
    for name in EMBEDDED:
        assert load_scenario(name).name == name
    assert main(["trial", "--list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in listed] == list(EMBEDDED) == list(embedded_scenarios())
    with pytest.raises(InputError, match="scenario: no file solo9 and no embedded scenario of that name"):
        load_scenario("solo9")
    assert main(["trial", "comparators", "--list"]) == 2
    assert "--list: lists the embedded scenarios: give it without a scenario" in capsys.readouterr().err


def test_the_comparison_arms_carry_their_pathway_profile(summary):
    arms = {a["name"]: a for a in summary["arms"]}
    assert set(arms) == {
        "placebo",
        "dupilumab 300 mg q2w",
        "tralokinumab 300 mg q2w",
        "lebrikizumab 250 mg q2w",
        "upadacitinib 15 mg qd",
        "upadacitinib 30 mg qd",
        "abrocitinib 100 mg qd",
        "abrocitinib 200 mg qd",
        "cyclosporine 4 mg/kg/day",
        "placebo + TCS",
        "dupilumab 300 mg q2w + TCS",
    }
    assert arms["dupilumab 300 mg q2w + TCS"]["background"] == {"therapy": "TCS", "potency": "medium"}
    assert arms["dupilumab 300 mg q2w"]["background"] is None
    for arm in arms.values():
        for week, visit in arm["visits"].items():
            assert set(visit["pathway_activity"]) == {"type1", "type2", "type17", "type22"}, week
    dup, csa = (
        arms[n]["visits"]["16"]["pathway_activity"] for n in ("dupilumab 300 mg q2w", "cyclosporine 4 mg/kg/day")
    )
    # targeted: dupilumab suppresses type 2 most; broad: cyclosporine lowers all four, types 1, 17, 22 far more
    assert dup["type2"] < 0.3 and dup["type2"] < csa["type2"] < 0.9
    for kind in ("type1", "type17", "type22"):
        assert csa[kind] < 0.6 * dup[kind], kind
    # a JAK1 inhibitor: within a week types 1, 2 and 22 below placebo's, type 17 (no JAKs) not; by week 16 type 1
    # below dupilumab's, which spares it
    placebo = arms["placebo"]["visits"]["1"]["pathway_activity"]
    for name in ("upadacitinib 30 mg qd", "abrocitinib 200 mg qd"):
        jak = arms[name]["visits"]["1"]["pathway_activity"]
        assert jak["type1"] < 0.9 * placebo["type1"] and jak["type22"] < 0.9 * placebo["type22"], name
        assert jak["type2"] < placebo["type2"] and jak["type17"] >= placebo["type17"], name
        assert arms[name]["visits"]["16"]["pathway_activity"]["type1"] < dup["type1"], name
    # background TCS where applied: types 2, 17 and 22 below placebo's (type 1, repressed less by steroids, moves by
    # less than the arms differ by chance at this size: tests/test_topical.py holds it in one patient); with
    # dupilumab, types 17 and 22 below dupilumab's
    tcs, dup_tcs, alone = (
        arms[n]["visits"]["16"]["pathway_activity"] for n in ("placebo + TCS", "dupilumab 300 mg q2w + TCS", "placebo")
    )
    for kind in ("type2", "type17", "type22"):
        assert tcs[kind] < alone[kind], kind
    assert dup_tcs["type17"] < 0.9 * dup["type17"] and dup_tcs["type22"] < 0.9 * dup["type22"]
