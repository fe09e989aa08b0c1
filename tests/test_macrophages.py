"""Skin macrophages on one moderate-to-severe patient (the `severe` fixture): recruited with the lesion's T-cell
infiltrate, alternatively activated (M2) by IL-4 and IL-13 through the monocyte's receptor constants, CCL18."""

from adqsp.assembly import build_model

WEEKS = 16


def _at(frame, day, column):
    return float(frame.loc[frame.time_days == day, column].iloc[0])


def test_lesions_hold_more_macrophages_and_more_of_them_alternatively_activated(severe_courses):
    placebo = severe_courses["placebo"]
    assert _at(placebo, 0, "les_macrophage") > 1.2 * _at(placebo, 0, "non_macrophage")
    assert _at(placebo, 0, "les_macrophage_m2") > 1.3 * _at(placebo, 0, "non_macrophage_m2")
    assert 0.05 < _at(placebo, 0, "les_macrophage_m2") < 0.95


def test_blocking_il4ra_ends_alternative_activation_within_days(severe_courses):
    dup, placebo = severe_courses["dupilumab"], severe_courses["placebo"]
    assert _at(dup, 7, "les_macrophage_m2") < 0.1 * _at(dup, 0, "les_macrophage_m2")
    assert _at(placebo, 7, "les_macrophage_m2") > 0.8 * _at(placebo, 0, "les_macrophage_m2")
    assert _at(dup, 7 * WEEKS, "les_CCL18") < 0.1 * _at(placebo, 7 * WEEKS, "les_CCL18")


def test_il13_antibodies_leave_the_il4_driven_part(severe_courses):
    """Monocytes answer IL-4 at about a tenth of IL-13's concentration (pSTAT6 EC50 10 against 56-123 pM): an IL-13
    antibody leaves the IL-4-driven M2 share that IL-4Ra blockade removes."""
    dup = _at(severe_courses["dupilumab"], 7 * WEEKS, "les_macrophage_m2")
    for drug in ("tralokinumab", "lebrikizumab"):
        assert _at(severe_courses[drug], 7 * WEEKS, "les_macrophage_m2") > 3.0 * dup, drug


def test_macrophage_numbers_follow_the_infiltrate_over_weeks(severe_courses):
    dup = severe_courses["dupilumab"]
    infiltrate = dup.les_th2 + dup.les_th1 + dup.les_th17 + dup.les_th22
    # the infiltrate falls first; macrophages follow on their 3-week renewal
    day = 14
    fall_infiltrate = 1.0 - float(infiltrate[dup.time_days == day].iloc[0]) / float(infiltrate.iloc[0])
    fall_macrophages = 1.0 - _at(dup, day, "les_macrophage") / _at(dup, 0, "les_macrophage")
    assert 0.0 < fall_macrophages < fall_infiltrate
    assert _at(dup, 7 * WEEKS, "les_macrophage") < _at(severe_courses["placebo"], 7 * WEEKS, "les_macrophage")


def test_the_macrophage_read_outs_are_kept_per_visit():
    captured = build_model("dupilumab").captured
    assert {"macrophages", "macrophage_M2", "CCL18"} <= set(captured)
