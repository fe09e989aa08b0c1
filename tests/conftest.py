"""Session set-up: on an empty cache (as in CI), the full models' machine code is compiled side by side before the
first test (see ``engine/prebuild.py``); on a filled one this only checks the cache."""

import pytest

from adqsp.assembly import compiled
from adqsp.engine.prebuild import prebuild


@pytest.fixture(scope="session", autouse=True)
def _machine_code():
    drugs = (None, "dupilumab", "tralokinumab", "lebrikizumab")
    prebuild([(compiled(drug), drug is None) for drug in drugs])  # only the drug-free model needs steady states
