"""Full receptor kinetics: constants, fit to pSTAT6 EC50s, mass balance, time to steady state, decoy."""

from __future__ import annotations

import numpy as np
import pytest

from adqsp.drugs.registry import resolve
from adqsp.errors import InputError
from adqsp.receptor import kinetics as k
from adqsp.receptor.constants import CELLS, PSTAT6_EC50_TARGETS_PM, all_parameters, typical_values
from adqsp.receptor.motifs import receptor_binder

CONDITIONS = [  # (cell, IL-4 pM, IL-13 pM, drugs nM)
    ("monocyte", 10.0, 100.0, {}),
    ("lymphocyte", 1e4, 1e4, {}),
    ("keratinocyte", 3.0, 30.0, {"dupilumab": 75.0}),
    ("fibroblast", 0.1, 1e3, {"lebrikizumab": 10.0}),
    ("sensory_neuron", 30.0, 5.0, {"tralokinumab": 1.0, "dupilumab": 0.5}),
    ("fibroblast", 3.0, 300.0, {"tralokinumab": 0.3, "lebrikizumab": 0.2}),  # two IL-13 antibodies at once
]


def test_parameters_are_documented() -> None:
    names = [p.name for p in all_parameters()]
    assert len(names) == len(set(names))
    for p in all_parameters():
        assert p.name.isidentifier() and p.name.startswith("rc_")
        assert p.unit and p.value >= 0.0 and p.log_sd == 0.0
        assert p.source.startswith(("assumed:", "fitted:")) or any(ch.isdigit() for ch in p.source), p.name
    for cell in CELLS:
        assert f"rc_{cell}_il4ra_copies" in names and f"rc_{cell}_pstat6_k" in names


@pytest.mark.parametrize(("cell", "cytokine"), sorted(PSTAT6_EC50_TARGETS_PM))
def test_fitted_ec50_within_2x_of_measured(cell: str, cytokine: str) -> None:
    lo, hi = PSTAT6_EC50_TARGETS_PM[(cell, cytokine)]
    ec50, top = k.ec50_pM(cytokine, cell)
    assert lo / 2.0 <= ec50 <= 2.0 * hi
    assert 0.3 < top < 1.0


def test_stored_fit_is_the_optimum() -> None:
    fitted = k.fit_pstat6()
    v = typical_values()
    for name, value in fitted.items():
        assert value == pytest.approx(v[name], rel=0.01), name


@pytest.mark.parametrize("cell", ["monocyte", "fibroblast"])
def test_il4_more_potent_than_il13(cell: str) -> None:
    assert 3.0 * k.ec50_pM("IL-4", cell)[0] < k.ec50_pM("IL-13", cell)[0]


@pytest.mark.parametrize(("cell", "il4", "il13", "drugs"), CONDITIONS)
def test_steady_state_mass_balance(cell: str, il4: float, il13: float, drugs: dict[str, float]) -> None:
    ss = k.steady_state(cell, il4, il13, drugs)
    r = k.rates(cell, il4, il13, drugs)
    y = np.array([ss.amounts[s] for s in r.species])
    assert np.all(y >= 0.0)
    flux = dict(zip(r.species, k.internalisation(r, y), strict=True))
    for synthesis, (chain, members) in zip(r.synthesis, k.chain_species(r.binders).items(), strict=True):
        assert sum(flux[m] for m in members) == pytest.approx(synthesis, rel=1e-8, abs=1e-10), chain
        copies = typical_values()[f"rc_{cell}_{chain}_copies"]
        total = sum(ss.amounts[m] for m in members)  # between the all-free and all-complexed limits
        assert copies * r.kint_free / r.kint_complex * (1 - 1e-9) <= total <= copies * (1 + 1e-9)
    assert np.max(np.abs(k.rhs(0.0, y, r))) < 1e-8 * max(r.synthesis)
    assert 0.0 <= ss.pstat6 < 1.0 and 0.0 <= ss.il4ra_occupancy < 1.0


def test_time_course_reaches_the_steady_state_within_an_hour() -> None:
    cell, il4, il13, drugs = "keratinocyte", 10.0, 30.0, {"dupilumab": 10.0}
    tc = k.time_course(cell, il4, il13, np.array([0.0, 2.0, 60.0, 120.0]), drugs)
    ss = k.steady_state(cell, il4, il13, drugs)
    full = np.array([ss.amounts[s] for s in tc.names])
    assert np.all(tc.amounts > -1e-6)
    signal = tc.species("type1") + tc.species("type2_il4") + tc.species("type2_il13")
    assert signal[1] < 0.5 * (ss.type1 + ss.type2)  # not instantaneous
    assert signal[2] == pytest.approx(ss.type1 + ss.type2, rel=1e-3)
    np.testing.assert_allclose(tc.amounts[:, 3], full, rtol=1e-4, atol=1e-6)
    assert tc.pstat6[3] == pytest.approx(ss.pstat6, rel=1e-4)


def test_chain_totals_follow_synthesis_and_internalisation() -> None:
    r = k.rates("monocyte", 30.0, 30.0, {"dupilumab": 1.0, "lebrikizumab": 1.0})
    y = np.random.default_rng(1).uniform(0.0, 300.0, len(r.species))
    dy, flux = k.rhs(0.0, y, r), k.internalisation(r, y)
    for synthesis, members in zip(r.synthesis, k.chain_species(r.binders).values(), strict=True):
        idx = [r.species.index(m) for m in members]
        assert dy[idx].sum() == pytest.approx(synthesis - flux[idx].sum(), rel=1e-10, abs=1e-10)


def test_il13_antibody_equilibrium_in_solution() -> None:
    binders = tuple(receptor_binder(resolve(d)) for d in ("tralokinumab", "lebrikizumab"))
    v = k.drug_values(binders)
    free, (_, leb) = k.in_solution(30.0, binders, (0.0, 10.0), v)
    sites, kd = v["rc_lebrikizumab_sites"] * 1e4, 1e3 * v["rc_lebrikizumab_kd_nM"]
    assert free + leb == pytest.approx(30.0, rel=1e-12)
    assert free == pytest.approx(30.0 / (1.0 + sites / kd), rel=0.01)  # antibody in excess
    free_t, (tralo, leb_t) = k.in_solution(1e6, binders, (10.0, 0.0), v)  # cytokine in excess: antibody saturated
    assert leb_t == 0.0 and free_t == pytest.approx(1e6 - v["rc_tralokinumab_sites"] * 1e4, rel=1e-3)
    assert free_t + tralo == pytest.approx(1e6, rel=1e-12)


def test_a_chain_binder_from_a_record_acts_by_its_affinity() -> None:
    """A copy of dupilumab's record under another name binds as dupilumab does; 1000-fold weaker, it blocks little."""
    dupilumab = resolve("dupilumab")
    copy = dupilumab.model_copy(update={"name": "dupilumab_copy"})
    mechanism = dupilumab.mechanism.model_copy(
        update={"kd_nM": dupilumab.mechanism.kd_nM.model_copy(update={"value": 20.0})}
    )
    weak = dupilumab.model_copy(update={"name": "weak", "mechanism": mechanism})
    same = k.steady_state("keratinocyte", 3.0, 30.0, {"dupilumab": 30.0})  # about the skin level of the label dose
    assert k.steady_state("keratinocyte", 3.0, 30.0, {copy: 30.0}).pstat6 == pytest.approx(same.pstat6, rel=1e-12)
    weaker = k.steady_state("keratinocyte", 3.0, 30.0, {weak: 30.0})
    untreated = k.steady_state("keratinocyte", 3.0, 30.0)
    assert same.il4ra_occupancy > 0.9 and same.pstat6 < 0.2 * untreated.pstat6
    assert weaker.il4ra_occupancy < 0.65 and weaker.pstat6 > 0.6 * untreated.pstat6


def test_decoy_raises_il13_ec50_only_through_ligand_depletion() -> None:
    cell = "fibroblast"

    def ec50(copies: float, volume: float | None) -> float:
        return k.ec50_pM("IL-13", cell, values={f"rc_{cell}_il13ra2_copies": copies}, volume_per_cell_pL=volume)[0]

    assert ec50(0.0, None) == pytest.approx(ec50(2000.0, None), rel=1e-9)  # excess medium: no effect
    none, some, many = (ec50(c, 1.0) for c in (0.0, 200.0, 2000.0))  # 1 pL per cell, tissue-like
    assert none < some < many and many > 1.2 * none


def test_bad_inputs_raise_input_error() -> None:
    with pytest.raises(InputError, match="cell"):
        k.steady_state("neutrophil", 1.0, 1.0)
    with pytest.raises(InputError, match="drug"):
        k.steady_state("monocyte", 1.0, 1.0, {"omalizumab": 1.0})
    with pytest.raises(InputError, match="drug_nM"):
        k.steady_state("monocyte", 1.0, 1.0, {"dupilumab": -1.0})
    with pytest.raises(InputError, match="il4_pM"):
        k.steady_state("monocyte", -1.0, 1.0)
