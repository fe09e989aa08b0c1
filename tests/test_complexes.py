"""IL-13 antibodies by their binding: the complexes' turnover in skin sets free IL-13. Tralokinumab's complexes
leave only with lymph, so total IL-13 accumulates and part stays free; lebrikizumab's are taken up like the free
cytokine (IL-13Ra2), so total IL-13 does not accumulate and free IL-13 is what capture leaves (kon S against the
free cytokine's clearance)."""

import numpy as np
import pytest

from adqsp.assembly import build_model, compiled
from adqsp.model.units import PER_M_S_TO_PER_NM_DAY
from adqsp.pk.regimen import LABEL_DOSES, Regimen
from adqsp.trial.course import time_course

SEVERE = {"exposure_les": 2.5 * build_model(None).parameter("exposure_les").value}


@pytest.fixture(scope="module")
def courses():
    return {
        d: time_course(d, Regimen.from_entries(LABEL_DOSES[d]), 16, step_days=7, overrides=SEVERE)
        for d in ("tralokinumab", "lebrikizumab", "dupilumab")
    }


def test_free_and_total_il13_are_in_the_time_course_and_differ_by_mechanism(courses):
    at16 = {d: c.iloc[-1] for d, c in courses.items()}
    tralo, lebri = at16["tralokinumab"], at16["lebrikizumab"]
    # tralokinumab: complexes accumulate (total IL-13 many times what the skin makes), a third stays free
    assert tralo.les_il13_total_pM > 10 * tralo.les_IL13_pM
    assert 0.2 < tralo.les_il13_unbound_pM / tralo.les_IL13_pM < 0.6
    # lebrikizumab: the complex is cleared as the free cytokine is: no accumulation, little free
    assert lebri.les_il13_total_pM == pytest.approx(lebri.les_IL13_pM, rel=0.05)
    assert lebri.les_il13_unbound_pM / lebri.les_IL13_pM < 0.05
    # dupilumab blocks the receptor, not the cytokine: its model has no complexes
    assert "les_il13_total_pM" not in courses["dupilumab"]
    il13_type2 = {
        d: c.les_keratinocyte_type2_il13.iloc[-1] / c.les_keratinocyte_type2_il13.iloc[0] for d, c in courses.items()
    }
    # type II IL-13 signalling in lesional keratinocytes at week 16, fraction of day 0: tralokinumab leaves a part
    assert max(il13_type2["dupilumab"], il13_type2["lebrikizumab"]) < 0.05 < il13_type2["tralokinumab"]


def test_the_complex_is_at_rest_where_the_closed_form_says():
    c = compiled("tralokinumab", None, tuple(SEVERE.items()))
    P = c.parameter_matrix({}, 1)
    course = time_course("tralokinumab", Regimen.from_entries(LABEL_DOSES["tralokinumab"]), 4, overrides=SEVERE)
    row = course.iloc[-1]
    y = np.array([[row[s]] for s in c.model.state_names], dtype=float)
    value = {p.name: p.value for p in c.model.parameters}
    per_nm_day = PER_M_S_TO_PER_NM_DAY
    on = value["rc_tralokinumab_kon"] * per_nm_day * value["rc_tralokinumab_sites"] * row.tralokinumab_skin_nM
    off = value["rc_tralokinumab_kon"] * per_nm_day * value["rc_tralokinumab_kd_nM"]
    k_f, out = value["il13_clearance"], value["complex_drainage"]
    free = row.les_IL13_pM / (1.0 + on / k_f * out / (off + out))
    y[c.model.state_names.index("les_il13_tralokinumab_complex_pM"), 0] = on * free / (off + out)
    seen = c.observe(row.time_days, y, P)
    assert float(np.ravel(seen["les_il13_unbound_pM"])[0]) == pytest.approx(free, rel=1e-9)
    rate = c.rhs(row.time_days, y, P)[c.model.state_names.index("les_il13_tralokinumab_complex_pM"), 0]
    assert abs(rate) < 1e-9 * on * free
