"""The closed-form QSS against the full receptor kinetics, and its declaration as model assignments."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from adqsp.drugs.registry import resolve
from adqsp.model.codegen import compile_model
from adqsp.model.declaration import Assignment, Model, Parameter
from adqsp.receptor import kinetics as k
from adqsp.receptor import qss
from adqsp.receptor.constants import CELLS
from adqsp.receptor.motifs import receptor_binder

DRUGS = ("dupilumab", "tralokinumab", "lebrikizumab")

TISSUE_PM = (0.0, 0.1, 1.0, 10.0, 30.0)  # tissue IL-4 / IL-13 range
DRUG_NM = (1.0, 10.0, 100.0)
TOLERANCE = 0.03  # relative, complexes and pSTAT6, one correction step, IL-4 and IL-13 up to 30 pM each


def _compare(cells: tuple[str, ...], conc: tuple[float, ...], corrections: int) -> dict[str, float]:
    """Worst relative error of the QSS against the full steady state over cells x IL-4 x IL-13 x drugs."""
    worst = dict.fromkeys(("type1", "type2", "pstat6", "il4ra_occupancy"), 0.0)
    drugs = [{}, *({d: nM} for d, nM in itertools.product(DRUGS, DRUG_NM))]
    drugs.append({"tralokinumab": 10.0, "dupilumab": 1.0})  # an IL-4Ra and an IL-13 binder together
    for cell in cells:
        il4, il13 = (np.array(x) for x in zip(*itertools.product(conc, conc), strict=True))
        for given in drugs:
            q = qss.evaluate(cell, il4, il13, given, corrections=corrections)
            for i in range(il4.size):
                full = k.steady_state(cell, il4[i], il13[i], given)
                for key, ref in (
                    ("type1", full.type1),
                    ("type2", full.type2),
                    ("pstat6", full.pstat6),
                    ("il4ra_occupancy", full.il4ra_occupancy),
                ):
                    if ref > 1e-9:
                        worst[key] = max(worst[key], abs(q[key][i] / ref - 1.0))
                    else:
                        assert abs(q[key][i]) < 1e-9
    return worst


def test_qss_matches_full_steady_state_in_tissue_range() -> None:
    worst = _compare(CELLS, TISSUE_PM, corrections=1)
    assert max(worst.values()) < TOLERANCE, worst


def test_second_correction_extends_validity_to_100_pM() -> None:
    worst = _compare(("keratinocyte", "lymphocyte"), (0.0, 30.0, 100.0), corrections=2)
    assert max(worst.values()) < 0.01, worst
    one = _compare(("lymphocyte",), (100.0,), corrections=1)
    assert one["type2"] > 0.05  # outside the stated domain the single correction is not enough


def test_receptor_relaxes_within_hours_so_qss_holds_on_days() -> None:
    """After a step in cytokines and drug the full model settles at the QSS within 2 h (1% of pSTAT6)."""
    t = np.linspace(0.0, 240.0, 241)
    for cell, drug in (("keratinocyte", "dupilumab"), ("lymphocyte", "lebrikizumab")):
        start = k.steady_state(cell, 1.0, 1.0)  # before the step: low cytokines, no drug
        tc = k.time_course(
            cell,
            20.0,
            20.0,
            t,
            {drug: 10.0},
            y0=np.array([start.amounts.get(s, 0.0) for s in k.species((receptor_binder(resolve(drug)),))]),
        )
        target = float(qss.evaluate(cell, 20.0, 20.0, {drug: 10.0})["pstat6"])
        off = np.abs(tc.pstat6 / target - 1.0) > 0.01
        settled = t[np.nonzero(off)[0][-1] + 1]
        assert 1.0 < settled <= 120.0, (cell, settled)


def test_dupilumab_blocks_and_il13_antibodies_spare_il4_in_tissue() -> None:
    base = qss.evaluate("keratinocyte", 10.0, 10.0)["pstat6"]
    assert qss.evaluate("keratinocyte", 10.0, 10.0, {"dupilumab": 70.0})["pstat6"] < 0.3 * base
    il4_only = qss.evaluate("keratinocyte", 10.0, 0.0)
    for drug in ("tralokinumab", "lebrikizumab"):
        with_drug = qss.evaluate("keratinocyte", 10.0, 0.0, {drug: 70.0})
        assert with_drug["pstat6"] == pytest.approx(il4_only["pstat6"], rel=1e-12)
        il13_only = qss.evaluate("keratinocyte", 0.0, 10.0, {drug: 70.0})["pstat6"]
        assert il13_only < 0.02 * qss.evaluate("keratinocyte", 0.0, 10.0)["pstat6"]


def test_evaluate_broadcasts() -> None:
    out = qss.evaluate("lymphocyte", np.array([[1.0], [10.0]]), np.array([0.0, 1.0, 10.0]), {"dupilumab": 5.0})
    assert out["pstat6"].shape == (2, 3) and np.all((out["pstat6"] >= 0) & (out["pstat6"] < 1))
    assert np.all(np.diff(out["pstat6"], axis=1) > 0) and np.all(np.diff(out["pstat6"], axis=0) > 0)


def test_assignments_fit_into_one_declared_model() -> None:
    binders = tuple(receptor_binder(resolve(d)) for d in DRUGS)  # every motif at once
    inputs = tuple(
        Parameter(n, 1.0, u, "test input")
        for n, u in (("skin_il4", "pM"), ("skin_il13", "pM"), *((f"{d}_skin_nM", "nM") for d in DRUGS))
    )
    assigns = (
        *qss.receptor_assignments("les", "skin_il4", "skin_il13", binders),
        *qss.receptor_assignments("non", "skin_il4", "skin_il13", binders),
    )
    parts = (*qss.receptor_parameters(binders), *inputs)
    constants = qss.receptor_constants(binders)
    model = compile_model(Model("m", parts, (), (*constants, *assigns), {})).model  # checks names
    names = set(model.assignment_names)
    for site, cell in itertools.product(("les", "non"), qss.TISSUE_CELLS):
        for out in ("il4ra_occupancy", "type1", "type2", "pstat6"):
            assert f"{site}_{cell}_{out}" in names
    assert all(isinstance(a, Assignment) and a.unit for a in assigns)
    with pytest.raises(ValueError, match="unknown cell"):
        qss.receptor_assignments("les", "skin_il4", "skin_il13", cells=("neutrophil",))
