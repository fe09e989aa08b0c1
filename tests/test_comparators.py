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
        "cyclosporine 4 mg/kg/day",
    }
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
