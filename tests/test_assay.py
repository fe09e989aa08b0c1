"""In-vitro pSTAT6 assays: drug mechanisms, potency order, result format and input checks."""

from __future__ import annotations

import json
import math

import pytest

from adqsp.errors import InputError
from adqsp.receptor import kinetics as k
from adqsp.receptor.assay import AssayResult, ic50_nM, run_assay

# dupilumab serum 60-80 mg/L x skin partition 0.157 x 6.8 nM per mg/L = 64-85 nM; 10 nM: a low trough
SKIN_NM = (10.0, 75.0)


@pytest.mark.parametrize("cell", ["monocyte", "fibroblast", "keratinocyte"])
@pytest.mark.parametrize("cytokine", ["IL-4", "IL-13"])
def test_dupilumab_suppresses_il4_and_il13_type1_and_type2(cell: str, cytokine: str) -> None:
    free = run_assay(cytokine, cell)
    dose = free.ec50_pM
    il4, il13 = (dose, 0.0) if cytokine == "IL-4" else (0.0, dose)
    before = k.steady_state(cell, il4, il13)
    for nM, most in zip(SKIN_NM, (0.7, 0.25), strict=True):
        blocked = run_assay(cytokine, cell, "dupilumab", nM)
        assert blocked.ec50_pM > 1.5 * free.ec50_pM
        after = k.steady_state(cell, il4, il13, {"dupilumab": nM})
        assert after.pstat6 < most * before.pstat6
        assert after.type2 < most * before.type2
        if before.type1 > 0.0:  # cells with gamma-c: type I is blocked too
            assert after.type1 < most * before.type1


@pytest.mark.parametrize("drug", ["tralokinumab", "lebrikizumab"])
@pytest.mark.parametrize("nM", SKIN_NM)
@pytest.mark.parametrize("cell", ["monocyte", "fibroblast"])
def test_il13_antibodies_block_il13_but_not_il4(drug: str, nM: float, cell: str) -> None:
    il4_free, il4_drug = run_assay("IL-4", cell), run_assay("IL-4", cell, drug, nM)
    assert il4_drug.ec50_pM / il4_free.ec50_pM < 1.5
    assert il4_drug.max_response == pytest.approx(il4_free.max_response, rel=0.05)
    il13_free, il13_drug = run_assay("IL-13", cell), run_assay("IL-13", cell, drug, nM)
    assert il13_drug.ec50_pM > 10.0 * il13_free.ec50_pM


@pytest.mark.parametrize("cell", ["monocyte", "fibroblast"])
def test_il4_more_potent_than_il13(cell: str) -> None:
    assert run_assay("IL-4", cell).ec50_pM < run_assay("IL-13", cell).ec50_pM


def test_ic50s() -> None:
    dup4, dup13 = ic50_nM("dupilumab", "IL-4"), ic50_nM("dupilumab", "IL-13")
    assert 0.0 < dup4 < 100.0 and 0.0 < dup13 < 100.0
    assert math.isinf(ic50_nM("tralokinumab", "IL-4")) and math.isinf(ic50_nM("lebrikizumab", "IL-4"))
    tra, leb = ic50_nM("tralokinumab", "IL-13"), ic50_nM("lebrikizumab", "IL-13")
    assert 0.0 < leb < tra < 100.0  # lebrikizumab has the higher affinity
    assert ic50_nM("dupilumab", "IL-4", cytokine_pM=1.0) < ic50_nM("dupilumab", "IL-4", cytokine_pM=100.0)


def test_result_format() -> None:
    result = run_assay("IL-13", "fibroblast", "lebrikizumab", 1.0)
    assert isinstance(result, AssayResult)
    d = result.to_dict()
    assert set(d) == {"cytokine", "cell", "drug", "drug_nM", "ec50_pM", "max_response", "curve"}
    assert (d["cytokine"], d["cell"], d["drug"], d["drug_nM"]) == ("IL-13", "fibroblast", "lebrikizumab", 1.0)
    assert json.loads(json.dumps(d)) == d
    responses = [r for _, r in result.curve]
    assert all(b >= a for a, b in zip(responses, responses[1:], strict=False))
    assert responses[-1] == pytest.approx(result.max_response)
    below = [c for c, r in result.curve if r < 0.5 * result.max_response]
    above = [c for c, r in result.curve if r >= 0.5 * result.max_response]
    assert max(below) < result.ec50_pM <= min(above)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"cytokine": "IL-5"}, "cytokine"),
        ({"cytokine": "IL-4", "cell": "neutrophil"}, "cell"),
        ({"cytokine": "IL-4", "drug": "omalizumab", "drug_nM": 1.0}, "drug"),
        ({"cytokine": "IL-4", "drug": "dupilumab", "drug_nM": -1.0}, "drug_nM"),
        ({"cytokine": "IL-4", "drug": "dupilumab", "drug_nM": math.nan}, "drug_nM"),
        ({"cytokine": "IL-4", "drug_nM": 5.0}, "drug_nM"),
    ],
)
def test_bad_inputs(kwargs: dict, field: str) -> None:
    with pytest.raises(InputError) as err:
        run_assay(**kwargs)
    assert err.value.field == field
    with pytest.raises(InputError):
        ic50_nM("dupilumab", "IL-4", cytokine_pM=-1.0)
