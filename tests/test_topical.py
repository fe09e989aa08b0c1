"""Background topical corticosteroids: off unless an arm asks for them, a local suppression of lesional T-cell
activation ordered by potency, stepped down as the lesion clears, and a scenario key with one-line errors."""

import numpy as np
import pytest

from adqsp.disease.topical import POTENCY
from adqsp.errors import InputError
from adqsp.pk.regimen import LABEL_DOSES, Regimen
from adqsp.schema import TCS_POTENCIES
from adqsp.trial.course import time_course
from adqsp.trial.scenario import load_scenario, parse_scenario

WEEKS = 8


def _course(severe, drug=None, potency=None):
    regimen = Regimen.from_entries(LABEL_DOSES[drug]) if drug else Regimen()
    overrides = {} if potency is None else {"tcs_applied": 1.0, "tcs_suppression": POTENCY[potency]}
    return time_course(drug, regimen, WEEKS, overrides=overrides, values=severe)


@pytest.fixture(scope="module")
def courses(severe):
    out = {p: _course(severe, potency=p) for p in (None, *TCS_POTENCIES)}
    out["dupilumab"], out["dupilumab + TCS"] = _course(severe, "dupilumab"), _course(severe, "dupilumab", "medium")
    return out


def _week(course, column, week=WEEKS):
    return float(course.loc[np.isclose(course.time_days, 7 * week), column].iloc[0])


def test_without_background_therapy_the_steroid_terms_are_exactly_one(courses):
    placebo = courses[None]
    assert (placebo.tcs_use == 0.0).all() and (placebo.les_tcs_factor == 1.0).all()
    assert (placebo.les_tcs_type1_factor == 1.0).all()


def test_tcs_suppress_every_lesional_pathway_and_leave_nonlesional_skin_alone(courses):
    placebo, tcs = courses[None], courses["medium"]
    for pathway in ("type1", "type2", "type17", "type22"):
        assert _week(tcs, f"les_{pathway}_activity") < 0.9 * _week(placebo, f"les_{pathway}_activity"), pathway
    # IFN-gamma is repressed less than the other subsets' cytokines
    ratio = {p: _week(tcs, f"les_{p}_activity") / _week(placebo, f"les_{p}_activity") for p in ("type1", "type17")}
    assert ratio["type1"] > ratio["type17"]
    # applied where the lesions are: the untreated skin's T cells move by little (through itch and scratching, and
    # the fewer DCs that carry lesional antigen to the lymph node)
    assert _week(tcs, "non_th2") == pytest.approx(_week(placebo, "non_th2"), rel=0.1)
    assert _week(tcs, "les_th2") < 0.8 * _week(placebo, "les_th2")


def test_a_more_potent_class_clears_more_and_use_steps_down_as_lesions_clear(courses):
    easi = [_week(courses[p], "easi") for p in TCS_POTENCIES]
    assert all(b < a for a, b in zip(easi, easi[1:], strict=False)), easi
    assert _week(courses[None], "easi") > easi[0]
    # daily on the active lesion at the start; less once its erythema falls below mild
    combined = courses["dupilumab + TCS"]
    assert combined.tcs_use.iloc[0] == 1.0
    assert _week(combined, "tcs_use") < 1.0 and _week(combined, "sign_erythema") < 1.0
    assert _week(combined, "easi") < _week(courses["dupilumab"], "easi")


def test_scenario_background_key_and_its_errors():
    text = {"name": "x", "weeks": 4, "arms": [{"name": "placebo + TCS", "background": "TCS"}]}
    arm = parse_scenario(text).arms[0]
    assert arm.tcs_potency == "medium" and dict(arm.overrides) == {"tcs_applied": 1.0, "tcs_suppression": 0.5}
    high = {**text, "arms": [{"name": "a", "background": "TCS", "tcs_potency": "high"}]}
    assert dict(parse_scenario(high).arms[0].overrides)["tcs_suppression"] == POTENCY["high"]
    with pytest.raises(InputError, match=r'arms\[0\]\.tcs_potency: needs background = "TCS"'):
        parse_scenario({**text, "arms": [{"name": "a", "tcs_potency": "high"}]})
    with pytest.raises(InputError, match=r"arms\[0\]\.background: unknown background therapy 'steroid'"):
        parse_scenario({**text, "arms": [{"name": "a", "background": "steroid"}]})
    with pytest.raises(InputError, match=r"parameters\.tcs_applied: background therapy is set per arm"):
        parse_scenario({**text, "parameters": {"tcs_applied": 1.0}})
    assert tuple(POTENCY) == TCS_POTENCIES
    arms = {a.name: a for a in load_scenario("comparators").arms}
    assert arms["dupilumab 300 mg q2w + TCS"].tcs_potency == "medium" and arms["placebo + TCS"].drug is None
