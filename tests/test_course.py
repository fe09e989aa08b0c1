"""Time courses of one patient: arguments checked as a scenario file's are, overrides, the course's end."""

from __future__ import annotations

import pandas as pd
import pytest

from adqsp.errors import InputError
from adqsp.pk.regimen import LABEL_DOSES, Regimen
from adqsp.trial.course import population_course, time_course


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"weeks": 0}, "weeks"),
        ({"weeks": float("nan")}, "weeks"),
        ({"weeks": 4, "step_days": 0}, "step_days"),
        ({"weeks": 4, "drug": "aspirin"}, "drug"),
        ({"weeks": 4, "drug": None, "pk_model": "kovalenko2016"}, "pk_model"),
    ],
)
def test_time_course_arguments_are_checked_by_the_schema(kwargs, field):
    args = {"drug": "dupilumab", **kwargs}
    with pytest.raises(InputError, match=rf"^{field}: "):
        time_course(args.pop("drug"), Regimen(), **args)


LABEL = Regimen.from_entries(LABEL_DOSES["dupilumab"])


@pytest.mark.parametrize(
    ("drug", "overrides", "field"),
    [
        ("dupilumab", {"tralo_typo": 5.0}, "parameters.tralo_typo"),  # a typo had been ignored
        ("dupilumab", (("pk_Vc", 0.0),), "parameters.pk_Vc"),  # a model that divides by zero
        (None, (), "regimen"),  # doses without a drug had been dropped
    ],
)
def test_overrides_and_regimen_are_checked(drug, overrides, field):
    with pytest.raises(InputError, match=rf"^{field}: "):
        time_course(drug, LABEL, 2, overrides=overrides)


def test_overrides_as_a_mapping_and_the_end_of_a_course_the_step_does_not_divide():
    course = time_course("dupilumab", LABEL, 4, step_days=10, overrides={"pk_Vc": 5.52})
    assert course["time_days"].tolist() == [0.0, 10.0, 20.0, 28.0]
    typical = time_course("dupilumab", LABEL, 4, step_days=10)
    assert course["dupilumab_serum_mg_L"].iloc[-1] < typical["dupilumab_serum_mg_L"].iloc[-1]  # twice the volume


def test_every_column_has_its_unit():
    course = time_course("dupilumab", LABEL, 1)
    units = course.attrs["units"]
    assert set(units) == set(course.columns)
    assert (units["time_days"], units["dupilumab_serum_mg_L"], units["les_epidermis_um"]) == ("day", "mg/L", "um")


def test_a_population_course_is_its_patients_courses_whatever_the_population_size():
    small = population_course("dupilumab", LABEL, 4, patients=3, seed=7)
    large = population_course("dupilumab", LABEL, 4, patients=12, seed=7)
    assert small.solver_ok.all() and len(small) == 3 * 5  # days 0, 7, 14, 21, 28
    pd.testing.assert_frame_equal(small, large[large.patient < 3].reset_index(drop=True))
    assert small.groupby("time_days").dupilumab_serum_mg_L.min().iloc[-1] > 10.0  # everyone dosed


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"patients": 0}, "patients"), ({"outputs": ["easi", "no_such"]}, "outputs"), ({"seed": -1}, "seed")],
)
def test_population_course_arguments_are_checked(kwargs, field):
    with pytest.raises(InputError, match=rf"^{field}: "):
        population_course("dupilumab", LABEL, 2, **{"patients": 2, **kwargs})
