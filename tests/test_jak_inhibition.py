"""A JAK inhibitor from a record with the ``inhibits_pathways`` motif on the JAK pairs: each pair's inhibition is
the Emax of the plasma level, and it acts where the pair signals (type I and II IL-4 receptors, IFN-gamma, IL-22,
IL-31, TSLP) within days; IL-17, which signals without JAKs, is left alone."""

import numpy as np
import pytest

from adqsp.assembly import build_model
from adqsp.drugs.registry import parse_record
from adqsp.pk.regimen import Regimen
from adqsp.trial.course import time_course

POTENCY = {"jak1_jak2": 0.023, "jak1_jak3": 0.048, "jak1_tyk2": 0.023}  # mg/L
RECORD = (
    """
name = "jak_test"
class = "JAK1-selective inhibitor (test record)"
route = "oral"
molecular_weight_kDa = { value = 0.38, unit = "kDa", source = "assumed: a test record" }
skin_partition = { value = 1.0, unit = "dimensionless", source = "assumed: a test record" }

[mechanism]
motif = "inhibits_pathways"
"""
    + "".join(
        f"""
[[mechanism.inhibits]]
pathway = "{pathway}"
ic50_mg_L = {{ value = {ic50}, unit = "mg/L", source = "assumed: a test record" }}
emax = {{ value = 1.0, unit = "dimensionless", source = "assumed: a test record" }}
"""
        for pathway, ic50 in POTENCY.items()
    )
    + """
[pk_models.test]
source = "assumed: a test record"
absorption = "first_order"
compartments = 1
elimination = ["linear"]
[pk_models.test.parameters]
CL = { value = 960.0, unit = "L/day", source = "assumed: a test record" }
Vc = { value = 200.0, unit = "L", source = "assumed: a test record" }
ka = { value = 24.0, unit = "1/day", source = "assumed: a test record" }
F = { value = 1.0, unit = "dimensionless", source = "assumed: a test record" }
"""
)
DAILY = Regimen.from_entries([{"mg": 15.0, "every_days": 1.0, "from_day": 0}])


@pytest.fixture(scope="module")
def course():
    return time_course(parse_record(RECORD, "jak_test.toml"), DAILY, 2, step_days=0.25)


def _at(frame, day, column):
    return float(frame.loc[np.isclose(frame.time_days, day), column].iloc[0])


def test_each_jak_pair_is_inhibited_as_its_potency_says(course):
    c = course.jak_test_serum_mg_L.to_numpy()
    for pathway, ic50 in POTENCY.items():
        np.testing.assert_allclose(course[f"jak_test_{pathway}_inhibition"], c / (c + ic50), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(course[f"{pathway}_activity"], ic50 / (c + ic50), rtol=1e-9, atol=1e-12)


def test_the_jak_pathways_fall_within_days_and_il17_is_left_alone(course):
    day = 2.25  # 6 h after the third dose (a short half-life: at the trough the block is nearly gone)
    for pathway in ("type1", "type2", "type22"):
        assert _at(course, day, f"les_{pathway}_activity") < 0.8 * _at(course, 0.0, f"les_{pathway}_activity"), pathway
    assert _at(course, 1.0, "les_type17_activity") > 0.95 * _at(course, 0.0, "les_type17_activity")
    assert _at(course, day, "itch_nrs") < 0.95 * _at(course, 0.0, "itch_nrs")
    # type I and type II signalling both lose their JAKs: keratinocyte and lymphocyte pSTAT6 fall at once
    for cell in ("keratinocyte", "lymphocyte"):
        assert _at(course, 0.25, f"les_{cell}_pstat6") < 0.8 * _at(course, 0.0, f"les_{cell}_pstat6"), cell


def test_models_without_a_jak_inhibitor_keep_their_expressions():
    names = build_model("dupilumab").assignment_names
    assert not any(name.startswith("jak1_") for name in names)
