"""Mechanism motifs: what a drug's binding adds to the receptor layer, in the manner of PySB's macros.

A :class:`Binder` is a drug with its motif (from its record). Each motif emits the model pieces the receptor layer
needs: its parameters (``rc_<drug>_*``), its derived constants, and the terms it adds to the quasi-steady state of
each site and cell (:mod:`adqsp.receptor.qss`) and to the full kinetics (:mod:`adqsp.receptor.kinetics`):

- ``binds_receptor_chain``: the drug binds IL-4Ra, IL-13Ra1 or gamma-c; the bound chain takes no cytokine and is
  internalised at its own rate. Any number of such drugs may bind the same chain (each has its complex).
- ``binds_ligand`` with ``blocks = "receptor_binding"``: the drug binds IL-4 or IL-13 in solution; the bound cytokine
  binds no receptor chain (nor the IL-13Ra2 decoy).
- ``binds_ligand`` with ``blocks = "il4ra_recruitment"`` (IL-13): the bound IL-13 still binds IL-13Ra1 but cannot
  recruit IL-4Ra, so it forms no type II complex (nor binds IL-13Ra2).

Binding in solution is at equilibrium with ``binding_sites`` independent sites per molecule and drug depletion
included; several binders of one cytokine take it in turn, in the order given (exact for one binder). Motifs of
other kinds (kinase inhibitors acting on the JAK pairs of several receptors, inhibitors of T-cell activation, topical
glucocorticoids) act on pathways rather than on receptor assembly and will emit pathway inhibitions for the disease
layer.
"""

from __future__ import annotations

from dataclasses import dataclass

from adqsp.drugs.record import ChainBinding, DrugRecord, LigandBinding, Value
from adqsp.errors import InputError
from adqsp.model.declaration import Assignment, Parameter
from adqsp.model.units import PER_M_S_TO_PER_NM_MIN, PM_PER_NM

#: chain names of the records -> names used in the receptor layer
CHAIN = {"IL-4Ra": "il4ra", "IL-13Ra1": "il13ra1", "gamma-c": "gammac"}
LIGAND = {"IL-4": "il4", "IL-13": "il13"}


@dataclass(frozen=True)
class Binder:
    """A drug acting on the receptor layer: its name (for parameter and input names) and its motif."""

    drug: str
    mechanism: ChainBinding | LigandBinding

    @classmethod
    def of(cls, record: DrugRecord | None) -> tuple[Binder, ...]:
        """The record's binder, if its motif binds a receptor chain or a cytokine (else none)."""
        if record is None or not isinstance(record.mechanism, ChainBinding | LigandBinding):
            return ()
        return (cls(record.name, record.mechanism),)

    @property
    def chain(self) -> str | None:
        """The chain it binds (``il4ra``, ``il13ra1``, ``gammac``), if a chain binder."""
        return CHAIN[self.mechanism.chain] if isinstance(self.mechanism, ChainBinding) else None

    @property
    def ligand(self) -> str | None:
        """The cytokine it binds (``il4``, ``il13``), if a ligand binder."""
        return LIGAND[self.mechanism.ligand] if isinstance(self.mechanism, LigandBinding) else None

    @property
    def blocks_recruitment(self) -> bool:
        """A ligand binder whose complex binds IL-13Ra1 but cannot recruit IL-4Ra."""
        return isinstance(self.mechanism, LigandBinding) and self.mechanism.blocks == "il4ra_recruitment"

    @property
    def concentration(self) -> str:
        """The model name of its tissue concentration (nM)."""
        return f"{self.drug}_skin_nM"


def receptor_binder(record: DrugRecord, field: str = "drug") -> Binder:
    """The record's binder; an InputError naming ``field`` for a drug that binds no receptor chain or cytokine."""
    binders = Binder.of(record)
    if not binders:
        raise InputError(
            field,
            f"{record.name} binds no receptor chain or cytokine (its motif is {record.mechanism.motif}): the receptor"
            " layer does not see it",
        )
    return binders[0]


#: an IL-13 binder's association rate and complex uptake where its record gives none
DEFAULT_KON = Value(
    value=1e6,
    unit="1/(M*s)",
    source="assumed: a typical antibody association rate (the record gives none)",
    description="association with IL-13; koff = kon * KD",
)
NO_UPTAKE = Value(
    value=0.0,
    unit="dimensionless",
    source="assumed: no receptor takes the complex up (the record gives no uptake)",
    description="receptor-mediated clearance of the complex, as a fraction of free IL-13's clearance rate",
)


def binder_parameters(binder: Binder) -> tuple[Parameter, ...]:
    """The motif's constants, declared as ``rc_<drug>_kd_nM`` and ``rc_<drug>_kon``, ``rc_<drug>_kint`` (chain) or
    ``rc_<drug>_sites`` (ligand; an IL-13 binder also ``rc_<drug>_kon`` and ``rc_<drug>_complex_clearance``, for
    the turnover of its complexes in tissue: :mod:`adqsp.disease.complexes`)."""
    m, d = binder.mechanism, binder.drug
    if isinstance(m, ChainBinding):
        values = (("kd_nM", m.kd_nM), ("kon", m.kon), ("kint", m.bound_internalisation))
    else:
        values = (("kd_nM", m.kd_nM), ("sites", m.binding_sites))
        if binder.ligand == "il13":
            values += (("kon", m.kon or DEFAULT_KON), ("complex_clearance", m.complex_clearance or NO_UPTAKE))
    return tuple(_parameter(f"rc_{d}_{key}", v) for key, v in values)


def binder_constants(binder: Binder) -> tuple[Assignment, ...]:
    """Derived constants: a chain binder's dissociation rate ``rc_<drug>_off`` (1/min)."""
    if binder.chain is None:
        return ()
    d = binder.drug
    return (
        Assignment(
            f"rc_{d}_off",
            f"rc_{d}_kon * rc_{d}_kd_nM * {PER_M_S_TO_PER_NM_MIN}",
            "1/min",
            f"{d} dissociation from its chain",
        ),
    )


def unbound(total: str, binder: Binder) -> str:
    """Cytokine (pM) left unbound by ``binder`` at equilibrium in solution from ``total`` (pM): the root of the
    quadratic mass balance, written without cancellation for either sign of ``b = sites + KD - total`` (its 4 as
    ``2 * 2``, the structural numbers of the formula; ``tests/test_literals.py``)."""
    d = binder.drug
    sites, kd = f"(rc_{d}_sites * {PM_PER_NM} * {binder.concentration})", f"({PM_PER_NM} * rc_{d}_kd_nM)"
    b = f"({sites} + {kd} - {total})"
    root = f"sqrt({b} * {b} + 2.0 * 2.0 * {kd} * {total})"
    return f"where({b} > 0.0, 2.0 * {kd} * {total} / ({b} + {root}), ({root} - {b}) / 2.0)"


def _parameter(name: str, v: Value) -> Parameter:
    return Parameter(name, v.value, v.unit, v.source, description=v.description)
