"""Time courses of one patient: arguments checked by the scenario schema."""

from __future__ import annotations

import pytest

from adqsp.errors import InputError
from adqsp.pk.regimen import Regimen
from adqsp.trial.course import time_course


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
