"""Target-mediated drug disposition in the PK vocabulary (quasi-steady-state approximation, Gibiansky 2008): a
record with ``tmdd_qss`` elimination runs, matches an independent integration of the same equations, reduces to
the linear model without target, and shows the target's saturable clearance."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from adqsp.drugs.registry import parse_record, shipped_text
from adqsp.errors import InputError
from adqsp.pk.regimen import Regimen
from adqsp.trial.course import time_course

TARGET = {"R0": 5.0, "kdeg": 0.5, "kint": 2.0, "KSS": 0.5}  # nM, 1/day, 1/day, nM: a soluble-receptor-like target
WEEKS = 8


def _record(target: dict[str, float] = TARGET, elimination: str = '["linear", "tmdd_qss"]'):
    """Tralokinumab's record renamed, with a target of its own."""
    text = shipped_text("tralokinumab").replace('name = "tralokinumab"', 'name = "tmdd_antibody"')
    text = text.replace('elimination = ["linear"]', f"elimination = {elimination}")
    units = {"R0": "nM", "kdeg": "1/day", "kint": "1/day", "KSS": "nM"}
    lines = "".join(
        f'{k} = {{ value = {v}, unit = "{units[k]}", source = "assumed: a test target" }}\n' for k, v in target.items()
    )
    text = text.replace("[pk_models.soehoel2022.parameters]\n", "[pk_models.soehoel2022.parameters]\n" + lines)
    return parse_record(text, "tmdd_antibody.toml")


def _single(mg: float) -> Regimen:
    return Regimen.from_entries([{"mg": mg, "week": 0}])


def _reference(record, mg: float, days: np.ndarray, target: dict[str, float]) -> np.ndarray:
    """Free serum mg/L of the typical 75-kg patient from scipy: the same equations written out here."""
    p = {k: v.value for k, v in record.pk_models["soehoel2022"].parameters.items()}
    mw = record.molecular_weight_kDa.value
    r0, kdeg, kint, kss = (target[k] for k in ("R0", "kdeg", "kint", "KSS"))

    def free_nm(total, r):
        b = total - r - kss
        return 0.5 * (b + np.sqrt(b * b + 4.0 * kss * total))

    def rhs(t, y):
        depot, central, peripheral, r = y
        total = central / p["Vc"] * 1000.0 / mw
        free = free_nm(total, r)
        free_mg = free * p["Vc"] * mw / 1000.0
        complex_nm = total - free
        return [
            -p["ka"] * depot,
            p["ka"] * depot
            - p["CL"] / p["Vc"] * free_mg
            - p["Q"] / p["Vc"] * free_mg
            + p["Q"] / p["Vp"] * peripheral
            - kint * complex_nm * p["Vc"] * mw / 1000.0,
            p["Q"] / p["Vc"] * free_mg - p["Q"] / p["Vp"] * peripheral,
            kdeg * (r0 - r) - (kint - kdeg) * complex_nm,
        ]

    sol = solve_ivp(
        rhs, (0.0, days[-1]), [p["F"] * mg, 0.0, 0.0, r0], t_eval=days, method="LSODA", rtol=1e-9, atol=1e-12
    )
    total = sol.y[1] / p["Vc"] * 1000.0 / mw
    return free_nm(total, sol.y[3]) * mw / 1000.0


@pytest.mark.parametrize("mg", [30.0, 300.0])
def test_free_serum_matches_an_independent_integration(mg):
    record = _record()
    course = time_course(record, _single(mg), WEEKS)
    days = course.time_days.to_numpy()
    expected = _reference(record, mg, days, TARGET)
    simulated = course.tmdd_antibody_serum_mg_L.to_numpy()
    np.testing.assert_allclose(simulated, expected, rtol=5e-3, atol=1e-3 * expected.max())
    assert (course.tmdd_antibody_serum_total_mg_L >= simulated - 1e-12).all()


def test_without_target_it_is_the_linear_model():
    course = time_course(_record({**TARGET, "R0": 1e-9}), _single(300.0), WEEKS)
    linear = time_course("tralokinumab", _single(300.0), WEEKS)  # the record it was copied from
    np.testing.assert_allclose(course.tmdd_antibody_serum_mg_L, linear.tralokinumab_serum_mg_L, rtol=1e-4, atol=1e-6)


def test_the_target_clears_a_small_dose_faster_than_a_large_one():
    auc = {}
    for mg in (10.0, 1000.0):
        course = time_course(_record(), _single(mg), WEEKS)
        auc[mg] = np.trapezoid(course.tmdd_antibody_serum_mg_L, course.time_days) / mg
    assert auc[10.0] < 0.8 * auc[1000.0]  # dose-normalised exposure rises with dose: saturable target clearance


def test_a_tmdd_record_names_what_it_lacks():
    with pytest.raises(InputError, match=r"pk_models\.soehoel2022\.parameters: needs KSS"):
        _record({k: v for k, v in TARGET.items() if k != "KSS"})
    with pytest.raises(InputError, match="elimination: michaelis_menten and tmdd_qss"):
        _record(elimination='["michaelis_menten", "tmdd_qss"]')
    chained = shipped_text("tralokinumab").replace(
        'correlations = [["CL", "Vc", 0.61]]', 'correlations = [["CL", "Vc", 0.61], ["Vc", "Q", 0.3]]'
    )
    with pytest.raises(InputError, match="correlations: Vc is in more than one pair"):
        parse_record(chained, "chained.toml")
