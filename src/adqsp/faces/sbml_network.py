"""The declared model as a reaction network, for the SBML export: which states are species (amounts of drug, cells,
cytokine complexes, serum proteins and blood cells) and in which compartment, and each species' rate split into
reactions whose kinetic laws sum back to the declared rate.

A rate is split at its top-level sums (a product or quotient with a sum inside is distributed, so ``k * (a - b)``
gives ``k * a`` and ``- k * b``). A term that leaves one species and enters another with the same expression is a
transfer (absorption, distribution); a negative term that reads the species is a decay (one reaction per term:
elimination, drainage, death); the other terms together are its production. States that measure a property rather
than an amount (barrier integrity, epidermal thickness, itch, FcεRI density, lesion chronicity, the plasma cells'
IgE equivalents) stay variables with rate rules.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from adqsp.model.declaration import Model
from adqsp.model.expressions import names_in, parse

#: a species' unit -> (kind of quantity, SBML substance unit, compartment unit); "amount" species hold amounts (the
#: state's value), "concentration" species a concentration in a compartment of nominal size 1 (so a kinetic law is
#: the declared term times the compartment)
SPECIES_UNITS = {
    "mg": ("amount", "mg", "L"),
    "AU": ("amount", "dimensionless", "L"),
    "pM": ("concentration", "pmol", "L"),
    "nM": ("concentration", "nmol", "L"),
    "IU/mL": ("concentration", "dimensionless", "mL"),
    "cells/uL": ("concentration", "cells", "uL"),
}
#: states in these units that are not amounts: the serum IgE that each plasma-cell population sustains
NOT_SPECIES = frozenset({"ige_slpc", "ige_llpc"})
#: compartment of a species by name prefix (first match), with its description
COMPARTMENTS = (
    ("les_", "lesional_skin", "lesional skin (tissue and interstitium)"),
    ("non_", "nonlesional_skin", "nonlesional skin (tissue and interstitium)"),
    ("node_", "lymph_node", "skin-draining lymph node"),
    ("sc_", "subcutis", "subcutaneous injection depot and absorption chain"),
    ("gut_", "gut", "gut (oral dose) and absorption chain"),
    ("central", "central_compartment", "central PK compartment (serum)"),
    ("target", "central_compartment", "central PK compartment (serum)"),
    ("peripheral", "peripheral_compartment", "peripheral PK compartment"),
    ("ige", "serum", "serum"),
    ("eos_", "blood", "blood"),
    ("", "circulation", "circulating cells (blood and lymph)"),
)
#: SBO terms of the reaction kinds (transport reaction, production, degradation)
SBO = {"transfer": "SBO:0000185", "production": "SBO:0000393", "decay": "SBO:0000179"}


@dataclass(frozen=True)
class Species:
    name: str
    compartment: str
    kind: str  # "amount" or "concentration"
    substance_unit: str
    volume_unit: str  # of its compartment


@dataclass(frozen=True)
class Reaction:
    """``reactant -> product`` (either may be None) at ``law``, in the declared expression language, per day in the
    species' unit (an amount species) or its compartment's content (a concentration species)."""

    id: str
    kind: str
    reactant: str | None
    product: str | None
    law: str


def species_of(model: Model) -> dict[str, Species]:
    """The states exported as species, by name."""
    out = {}
    for s in model.states:
        if s.unit not in SPECIES_UNITS or s.name in NOT_SPECIES:
            continue
        out[s.name] = Species(s.name, compartment_of(s.name), *SPECIES_UNITS[s.unit])
    return out


def compartment_of(state: str) -> str:
    return next(c for prefix, c, _ in COMPARTMENTS if state.startswith(prefix))


def reactions_of(model: Model, species: dict[str, Species]) -> list[Reaction]:
    """Every species' rate as reactions (transfers first, in state order), laws summing to the declared rates."""
    terms = {s: _terms(parse(model.rates[s])) for s in species}
    keys = {s: [ast.dump(node) for _, node in t] for s, t in terms.items()}  # a term's structure, to compare
    used: dict[str, list[bool]] = {s: [False] * len(t) for s, t in terms.items()}
    out: list[Reaction] = []
    for source, its in terms.items():
        for i, (sign, node) in enumerate(its):
            if sign > 0 or used[source][i] or source not in _names(node):
                continue  # a transfer carries what leaves its source: its law reads the source
            key = keys[source][i]
            for target, theirs in terms.items():
                open_terms = (j for j, (s2, _) in enumerate(theirs) if s2 > 0 and not used[target][j])
                j = next((j for j in open_terms if keys[target][j] == key), None)
                if target != source and j is not None:
                    used[source][i] = used[target][j] = True
                    law = _law(ast.unparse(node), species[source])
                    out.append(Reaction(f"transfer_{source}_to_{target}", "transfer", source, target, law))
                    break
    for s, its in terms.items():
        kept = [(sign, node) for k, (sign, node) in enumerate(its) if not used[s][k]]
        decays = [node for sign, node in kept if sign < 0 and s in _names(node)]
        made = [(sign, node) for sign, node in kept if not (sign < 0 and s in _names(node))]
        if made:
            law = " ".join(f"{'-' if sign < 0 else '+'} {ast.unparse(node)}" for sign, node in made)
            law = law[2:] if law.startswith("+ ") else f"0.0 {law}"
            out.append(Reaction(f"production_{s}", "production", None, s, _law(law, species[s])))
        for k, node in enumerate(decays, 1):
            suffix = f"_{k}" if len(decays) > 1 else ""
            out.append(Reaction(f"decay_{s}{suffix}", "decay", s, None, _law(ast.unparse(node), species[s])))
    return _unique_ids(out)


def _unique_ids(reactions: list[Reaction]) -> list[Reaction]:
    """The reactions with ids made unique (``_2``, ``_3`` ... on repeats, e.g. two routes between two species)."""
    seen: dict[str, int] = {}
    out = []
    for r in reactions:
        seen[r.id] = seen.get(r.id, 0) + 1
        out.append(r if seen[r.id] == 1 else Reaction(f"{r.id}_{seen[r.id]}", r.kind, r.reactant, r.product, r.law))
    return out


def modifiers(reaction: Reaction, species: dict[str, Species]) -> list[str]:
    """Species the law reads other than the reaction's own (modifier species references)."""
    own = {reaction.reactant, reaction.product}
    return sorted(n for n in names_in(reaction.law) if n in species and n not in own)


def _names(node: ast.expr) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _law(term: str, species: Species) -> str:
    """A concentration species' law is an amount per day: the term times its compartment (nominal size 1)."""
    return f"({term}) * {species.compartment}" if species.kind == "concentration" else term


def _terms(node: ast.expr, sign: int = 1) -> list[tuple[int, ast.expr]]:
    """Signed additive terms of ``node``; a product or quotient with a sum inside is distributed."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
        right = -sign if isinstance(node.op, ast.Sub) else sign
        return _terms(node.left, sign) + _terms(node.right, right)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return _terms(node.operand, -sign if isinstance(node.op, ast.USub) else sign)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
        left = _terms(node.left)
        right = _terms(node.right) if isinstance(node.op, ast.Mult) else [(1, node.right)]
        return [(sign * sl * sr, ast.BinOp(nl, node.op, nr)) for sl, nl in left for sr, nr in right]
    return [(sign, node)]
