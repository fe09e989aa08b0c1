"""The seed's mechanism claims, on the typical patient: dual blockade through IL-4Ra versus IL-13 alone."""

import pytest

from adqsp.pk.regimen import LABEL_DOSES, Regimen
from adqsp.trial.course import population_course, time_course

WEEKS = 16


@pytest.fixture(scope="module")
def courses():
    return {
        drug or "placebo": time_course(drug, Regimen.from_entries(LABEL_DOSES[drug]) if drug else Regimen(), WEEKS)
        for drug in (None, "dupilumab", "tralokinumab")
    }


def _at(frame, week, column):
    return float(frame.loc[frame.time_days == week * 7.0, column].iloc[0])


@pytest.mark.parametrize(
    "column", ["tarc_serum", "ige_serum", "les_epidermis_um", "les_tewl", "les_signature_up", "itch_nrs", "easi"]
)
def test_dupilumab_lowers_type2_read_outs_more_than_placebo(courses, column):
    dup, placebo = courses["dupilumab"], courses["placebo"]
    assert _at(dup, WEEKS, column) < 0.9 * _at(dup, 0, column)
    assert _at(dup, WEEKS, column) < _at(placebo, WEEKS, column)


def test_dupilumab_reverses_the_lesional_signature(courses):
    dup = courses["dupilumab"]
    reversal = 1.0 - _at(dup, WEEKS, "les_signature_up") / _at(dup, 0, "les_signature_up")
    assert reversal > 0.3


def test_dual_blockade_of_type_i_and_type_ii_signalling(courses):
    dup = courses["dupilumab"]
    for column in ("les_lymphocyte_type1", "les_lymphocyte_type2", "les_keratinocyte_type2"):
        assert _at(dup, WEEKS, column) < 0.2 * _at(dup, 0, column)


def test_not_an_immunosuppressant(courses):
    """Th1 and Th17 responsiveness is not suppressed: IL-4's restraint of their priming in the lymph node lifts (the
    only factor on those fates under dupilumab; fewer DCs arrive as the skin heals)."""
    dup = courses["dupilumab"]
    assert _at(dup, WEEKS, "node_th_restraint") > _at(dup, 0, "node_th_restraint")
    assert (dup.node_th_restraint >= dup.node_th_restraint.iloc[0] - 1e-12).all()


def test_il13_only_antibody_leaves_il4_signalling_in_place(courses):
    dup, tralo = courses["dupilumab"], courses["tralokinumab"]
    # IL-4-only type I signalling on lymphocytes, and what it drives: IgE class switch and Th2 amplification (the
    # amplification through the assumed th2_il4_feedback, on top of the antigen drive both treatments lower: Th2 1.33
    # times dupilumab's with the parameters of 2026-12-07, IgE 2.0, lymphocyte type I signalling 56)
    for column in ("les_lymphocyte_type1", "les_lymphocyte_pstat6", "ige_serum"):
        assert _at(tralo, WEEKS, column) > 1.5 * _at(dup, WEEKS, column)
    assert _at(tralo, WEEKS, "les_th2") > 1.2 * _at(dup, WEEKS, "les_th2")
    # but the IL-13 antibody does reduce IL-13 (type II) signalling on keratinocytes
    assert _at(tralo, WEEKS, "les_keratinocyte_type2") < 0.8 * _at(tralo, 0, "les_keratinocyte_type2")


def test_disease_returns_after_stopping():
    """16 weeks of treatment, then none: the disease comes back to the untreated course of the same patients in the
    same trial (the trial-participation effect persists in both, so that course, not the pre-trial baseline, is
    where it must return). Sampled patients with a baseline EASI of 16 or more (the typical patient's disease is
    mild); mean EASI at weeks 0, 4, .., 52."""
    doses = [{"mg": 600, "week": 0}, {"mg": 300, "every_weeks": 2, "from_week": 2, "until_week": 16}]
    stopped = population_course("dupilumab", Regimen.from_entries(doses), 52, 300, 3, ("easi",), step_days=28.0)
    untreated = population_course(None, Regimen(), 52, 300, 3, ("easi",), step_days=28.0)
    baseline = untreated[untreated.time_days == 0.0].set_index("patient").easi
    enrolled = baseline.index[baseline >= 16.0]
    assert len(enrolled) > 50

    def mean_easi(course):
        kept = course[course.patient.isin(enrolled)]
        return kept.groupby(kept.time_days / 7.0).easi.mean()

    easi, natural = mean_easi(stopped), mean_easi(untreated)
    assert easi[16] < 0.5 * natural[16]
    assert easi[20] < 0.75 * natural[20]  # weeks, not days: the drug is still there
    assert easi[52] > 0.75 * natural[52] and easi[52] > easi[16]


def test_exposure_stays_positive_for_every_virtual_patient():
    """Flare amplitude and trial effect vary between patients; no draw may turn the trigger exposure negative."""
    import numpy as np

    from adqsp.assembly import compiled
    from adqsp.population.sampling import sample

    c = compiled(None)
    pop = sample(c.model, np.arange(3000), seed=1)
    P = c.parameter_matrix(pop.values, len(pop))
    y = c.initial(P)
    for t in (-100.0, -13.0, 0.0, 7.0, 50.0):
        assert (c.observe(t, y, P)["les_exposure"] > 0).all()


def test_expectation_changes_the_itch_diary_not_the_skin():
    """The trial expectation effect biases reported itch; scratching, and so the skin, follows perceived itch."""
    regimen = Regimen.from_entries(LABEL_DOSES["dupilumab"])
    low, high = (
        time_course("dupilumab", regimen, 8, step_days=7.0, overrides=(("itch_expectation", value),))
        for value in (0.01, 1.0)
    )
    assert high.itch_nrs.iloc[0] == pytest.approx(low.itch_nrs.iloc[0], rel=1e-9)  # the baseline diary: no effect
    assert (high.itch_nrs.iloc[1:] < low.itch_nrs.iloc[1:] - 0.5).all()
    for column in ("scratching", "les_barrier", "les_epidermis_um", "easi"):
        assert high[column].tolist() == pytest.approx(low[column].tolist(), rel=1e-9)
