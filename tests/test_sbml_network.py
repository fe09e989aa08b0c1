"""The SBML export as a reaction network: species in compartments, reactions whose kinetic laws sum back to the
declared rates, SBO terms; the libRoadRunner and COPASI comparisons of tests/test_sbml.py run on this export."""

import libsbml
import numpy as np
import pytest

from adqsp.assembly import build_model
from adqsp.faces.sbml import to_sbml_document
from adqsp.faces.sbml_network import COMPARTMENTS, reactions_of, species_of
from adqsp.model.expressions import names_in, to_numpy
from adqsp.pk.regimen import LABEL_DOSES, Regimen

#: every shipped drug and PK model, placebo, and the interval-mean models (their mean input enters two compartments)
MODELS = (
    *((drug, None, "each_dose") for drug in (None, *sorted(LABEL_DOSES))),
    ("abrocitinib", "wojciechowski2022_200mg", "each_dose"),
    *((drug, None, "interval_mean") for drug in ("upadacitinib", "abrocitinib", "cyclosporine")),
    ("abrocitinib", "wojciechowski2022_200mg", "interval_mean"),
)


@pytest.mark.parametrize(("drug", "pk_model", "dosing"), MODELS)
def test_the_reactions_of_each_species_sum_to_its_declared_rate(drug, pk_model, dosing):
    model = build_model(drug, pk_model, dosing=dosing)
    species = species_of(model)
    reactions = reactions_of(model, species)
    assert len({r.id for r in reactions}) == len(reactions)
    for r in reactions:  # a transfer carries what leaves its source
        assert r.kind != "transfer" or r.reactant in names_in(r.law), r.id
    rng = np.random.default_rng(7)
    names = {*model.parameter_names, *model.state_names, *model.assignment_names, "t"}
    names |= {c for _, c, _ in COMPARTMENTS}
    for _ in range(3):
        env = {n: rng.uniform(0.2, 3.0) for n in names} | {"_np": np}
        for name, sp in species.items():
            net = 0.0
            for r in reactions:
                flux = eval(to_numpy(r.law), env) / (env[sp.compartment] if sp.kind == "concentration" else 1.0)
                net += flux * ((r.product == name) - (r.reactant == name))
            declared = eval(to_numpy(model.rates[name]), env)
            assert net == pytest.approx(declared, rel=1e-12, abs=1e-12), name


def test_pk_is_absorption_distribution_and_elimination():
    reactions = {r.id: r for r in reactions_of(build_model("dupilumab"), species_of(build_model("dupilumab")))}
    chain = ["sc_depot", "sc_transit1", "sc_transit2", "sc_transit3", "central"]
    for a, b in zip(chain, chain[1:], strict=False):
        assert reactions[f"transfer_{a}_to_{b}"].kind == "transfer"
    assert "transfer_central_to_peripheral" in reactions and "transfer_peripheral_to_central" in reactions
    # linear and target-mediated (Michaelis-Menten) elimination, each its own decay of the central amount
    decays = [r for r in reactions.values() if r.kind == "decay" and r.reactant == "central"]
    assert len(decays) == 2 and all(r.product is None for r in decays)


def test_the_exported_document_holds_the_network():
    doc = to_sbml_document(build_model("tralokinumab"), Regimen.from_entries(LABEL_DOSES["tralokinumab"]), 112.0)
    model = doc.getModel()
    assert doc.getNumErrors(libsbml.LIBSBML_SEV_ERROR) == 0
    species = {model.getSpecies(i).getId(): model.getSpecies(i) for i in range(model.getNumSpecies())}
    assert species["les_th2"].getCompartment() == "lesional_skin"
    assert (
        species["central"].getCompartment() == "central_compartment" and species["central"].getHasOnlySubstanceUnits()
    )
    complex_pM = species["les_il13_tralokinumab_complex_pM"]
    assert not complex_pM.getHasOnlySubstanceUnits() and complex_pM.getSubstanceUnits() == "u_pmol"
    # what measures a property stays a variable with a rate rule
    assert "les_barrier" not in species and model.getRateRuleByVariable("les_barrier") is not None
    central = model.getInitialAssignmentBySymbol("central_compartment")
    assert libsbml.formulaToL3String(central.getMath()) == "pk_Vc_i"
    kinds = {model.getReaction(i).getSBOTermID() for i in range(model.getNumReactions())}
    assert kinds == {"SBO:0000185", "SBO:0000393", "SBO:0000179"}
    production = model.getReaction("production_les_th2")
    assert {production.getModifier(i).getSpecies() for i in range(production.getNumModifiers())} >= {
        "les_antigen",
        "th2_pool",
    }
    doc.setConsistencyChecks(libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, True)
    doc.checkConsistency()
    assert doc.getErrorLog().getNumFailsWithSeverity(libsbml.LIBSBML_SEV_ERROR) == 0
