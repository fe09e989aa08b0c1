"""The immune biology of the seed on one moderate-to-severe patient (the `severe` fixture): priming in the lymph
node, innate type 2 cells and the IgE loop, eosinophils, and lesions that age from acute to chronic."""

import numpy as np

from adqsp.assembly import build_model, compiled
from adqsp.engine.solve import solve
from adqsp.trial.course import enrolment_state

WEEKS = 16


def _at(frame, day, column):
    return float(frame.loc[frame.time_days == day, column].iloc[0])


def test_blocking_il4ra_lowers_th2_priming_in_the_lymph_node(severe_courses):
    dup, placebo = severe_courses["dupilumab"], severe_courses["placebo"]
    # the node's lymphocytes lose their STAT6 signal within days: dupilumab reaches the node with lymph
    assert _at(dup, 7, "node_lymphocyte_stat6") < 0.2 * _at(dup, 0, "node_lymphocyte_stat6")
    # so each DC primes fewer Th2 cells, while placebo leaves the fate where it was
    assert _at(dup, 14, "node_th2_fate") < 0.8 * _at(dup, 0, "node_th2_fate")
    assert _at(placebo, 14, "node_th2_fate") > 0.95 * _at(placebo, 0, "node_th2_fate")
    # the Th1 and Th17 fates are not suppressed: IL-4's restraint lifts
    assert (dup.node_th_restraint >= dup.node_th_restraint.iloc[0] - 1e-12).all()
    # and the circulating Th2 pool falls below placebo's
    assert _at(dup, 7 * WEEKS, "th2_pool") < 0.6 * _at(placebo, 7 * WEEKS, "th2_pool")


def test_an_il13_antibody_leaves_th2_priming_to_il4(severe_courses):
    dup, tralo = severe_courses["dupilumab"], severe_courses["tralokinumab"]
    assert _at(tralo, 7 * WEEKS, "node_th2_fate") > _at(dup, 7 * WEEKS, "node_th2_fate") + 0.1


def test_the_ige_loop_follows_ige_down(severe_courses):
    """IgE falls over months under dupilumab; basophil FcεRI follows within weeks, mast-cell FcεRI more slowly,
    and with them the IL-4 and IL-13 that allergen releases from these cells."""
    dup, placebo = severe_courses["dupilumab"], severe_courses["placebo"]
    end = 7 * WEEKS
    ige = _at(dup, end, "ige") / _at(dup, 0, "ige")
    basophil = _at(dup, end, "basophil_fceri") / _at(dup, 0, "basophil_fceri")
    mast = _at(dup, end, "mast_fceri") / _at(dup, 0, "mast_fceri")
    assert ige < 0.7
    assert basophil < 0.9 and basophil < mast < 1.0
    assert _at(placebo, end, "basophil_fceri") / _at(placebo, 0, "basophil_fceri") > basophil + 0.05


def test_ige_loop_alone_responds_to_ige(severe):
    """With IgE and its plasma cells set lower and nothing else changed, FcεRI and the cells' IL-4 fall toward the
    new level."""
    state = enrolment_state(None, values=severe)
    c = compiled(None)
    names = c.model.state_names
    y0 = np.array([[state[n]] for n in names])
    low = y0.copy()
    for ige in ("ige", "ige_slpc", "ige_llpc"):
        low[names.index(ige), 0] *= 0.2
    P = c.parameter_matrix(severe, 1)
    days = np.array([0.0, 28.0])
    end = {}
    for label, y in (("same", y0), ("low", low)):
        tr = solve(c, P, y, days)
        seen = c.observe(days[-1], tr.states[-1], P)
        end[label] = {
            **dict(zip(names, tr.states[-1, :, 0], strict=True)),
            **{k: float(np.ravel(v)[0]) for k, v in seen.items()},
        }
    assert end["low"]["basophil_fceri"] < 0.9 * end["same"]["basophil_fceri"]
    assert end["low"]["mast_fceri"] < end["same"]["mast_fceri"]
    # the IL-4 the basophils release on allergen falls with their FcεRI, and with it the skin's IL-4
    assert end["low"]["les_basophil_activation"] < 0.9 * end["same"]["les_basophil_activation"]
    assert end["low"]["les_IL4_pM"] < end["same"]["les_IL4_pM"]


def test_blood_eosinophils_rise_when_tissue_recruitment_is_blocked(severe_courses):
    dup, placebo = severe_courses["dupilumab"], severe_courses["placebo"]
    assert _at(dup, 7, "eos_blood") > 1.05 * _at(dup, 0, "eos_blood")
    assert _at(placebo, 7, "eos_blood") < 1.02 * _at(placebo, 0, "eos_blood")
    assert _at(dup, 7 * WEEKS, "les_eos") < 0.7 * _at(dup, 0, "les_eos")


def test_a_new_lesion_becomes_chronic_over_weeks(severe):
    """A lesion started acute (chronicity 0) where the typical patient has a chronic one: chronicity rises on the
    time scale of ``chronic_rate`` (6 weeks), and Th1 joins the type 2 cells as it does."""
    c = compiled(None)
    names = c.model.state_names
    state = enrolment_state(None, values=severe)
    y0 = np.array([[state[n]] for n in names])
    y0[names.index("les_chronicity"), 0] = 0.0
    P = c.parameter_matrix(severe, 1)
    days = np.arange(0.0, 181.0, 1.0)
    tr = solve(c, P, y0, days)
    chronicity = tr.states[:, names.index("les_chronicity"), 0]
    th1 = tr.states[:, names.index("les_th1"), 0] / tr.states[:, names.index("les_th2"), 0]
    plateau = chronicity[-1]
    assert chronicity[7] < 0.25 * plateau  # still acute after a week
    half_time = days[np.argmax(chronicity >= 0.5 * plateau)]
    assert 14.0 <= half_time <= 42.0  # ln 2 x 6 weeks = 29 days, shortened as the lesion's own course settles
    assert th1[-1] > 1.2 * th1[0]


def test_the_mix_of_lesion_ages_follows_the_flares(severe):
    """New lesional area enters acute: the more a patient's affected area swings with its flares, the younger its
    lesions on average. Without flares the mix is at rest (no new area) and chronicity at its persistence."""
    c = compiled(None)
    names = c.model.state_names
    days = np.arange(0.0, 57.0, 1.0)  # one flare cycle (56 days) after enrolment
    mean_chronicity = {}
    for amplitude in (0.0, 0.3, 0.6):
        values = {**severe, "flare_amplitude": amplitude, "trial_effect": 0.0, "itch_expectation": 0.0}
        state = enrolment_state(None, values=values)
        tr = solve(c, c.parameter_matrix(values, 1), np.array([[state[n]] for n in names]), days)
        chronicity = tr.states[:, names.index("les_chronicity"), 0]
        mean_chronicity[amplitude] = chronicity.mean()
        if amplitude == 0.0:
            assert np.ptp(chronicity) < 1e-6 * chronicity[0]
    assert mean_chronicity[0.0] > mean_chronicity[0.3] + 0.01 > mean_chronicity[0.6] + 0.02


def test_each_new_state_is_kept_per_visit():
    captured = build_model("dupilumab").captured
    for column in (
        "LN_DC",
        "Th2_primed",
        "LN_STAT6",
        "ILC2",
        "basophil_FceRI",
        "mast_FceRI",
        "eosinophils",
        "eosinophils_skin",
        "IgE_short_lived_IU_mL",
        "IgE_long_lived_IU_mL",
        "chronicity",
        "IL31",
    ):
        assert column in captured
