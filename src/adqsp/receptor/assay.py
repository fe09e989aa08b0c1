"""In-vitro pSTAT6 dose-response assays on the full receptor kinetics.

Read-out: pSTAT6 at the receptor steady state (reached within about an hour of adding the cytokine to cells
pre-incubated with the drug), the same read-out the pSTAT6 constants were fitted to. The medium is in excess
(constant cytokine and drug concentrations). EC50: the cytokine concentration giving half of the curve's own
maximum, the response at 1 uM cytokine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from adqsp.drugs.record import DrugRecord
from adqsp.drugs.registry import drug_name, resolve
from adqsp.errors import InputError
from adqsp.receptor.constants import CELLS, CYTOKINES
from adqsp.receptor.kinetics import ec50_pM, response
from adqsp.receptor.motifs import receptor_binder

#: monocytes carry measured EC50s for both cytokines and have type I and type II receptors
DEFAULT_CELL = "monocyte"
CURVE_PM = tuple(float(c) for c in np.logspace(-2, 6, 33))  # 0.01 pM to 1 uM, 4 per decade
IC50_RANGE_NM = (1e-6, 1e5)


@dataclass(frozen=True)
class AssayResult:
    """A pSTAT6 dose-response: EC50 (pM), maximal response (0-1) and the curve as (pM, response) pairs."""

    cytokine: str
    cell: str
    drug: str | None
    drug_nM: float
    ec50_pM: float
    max_response: float
    curve: tuple[tuple[float, float], ...]

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready dictionary."""
        return {
            "cytokine": self.cytokine,
            "cell": self.cell,
            "drug": self.drug,
            "drug_nM": self.drug_nM,
            "ec50_pM": self.ec50_pM,
            "max_response": self.max_response,
            "curve": [[c, r] for c, r in self.curve],
        }


def _check(cytokine: str, cell: str, drug: str | DrugRecord | None, drug_nM: float) -> dict[DrugRecord, float]:
    if cytokine not in CYTOKINES:
        raise InputError("cytokine", f"unknown cytokine {cytokine!r} (allowed: {', '.join(CYTOKINES)})")
    if cell not in CELLS:
        raise InputError("cell", f"unknown cell type {cell!r} (allowed: {', '.join(CELLS)})")
    record = resolve(drug)
    if not (math.isfinite(drug_nM) and drug_nM >= 0.0):
        raise InputError("drug_nM", f"must be a finite concentration >= 0 nM, got {drug_nM}")
    if drug is None and drug_nM != 0.0:
        raise InputError("drug_nM", "a drug concentration was given without a drug")
    if record is not None:
        receptor_binder(record)
    return {record: drug_nM} if record is not None else {}


def run_assay(
    cytokine: str, cell: str = DEFAULT_CELL, drug: str | DrugRecord | None = None, drug_nM: float = 0.0
) -> AssayResult:
    """pSTAT6 dose-response of ``cell`` to IL-4 or IL-13 (0.01 pM - 1 uM) with a drug at ``drug_nM`` (nM)."""
    drugs = _check(cytokine, cell, drug, drug_nM)
    ec50, top = ec50_pM(cytokine, cell, drugs)
    curve = tuple((c, response(cytokine, cell, c, drugs)) for c in CURVE_PM)
    return AssayResult(
        cytokine=cytokine,
        cell=cell,
        drug=drug_name(drug),
        drug_nM=float(drug_nM),
        ec50_pM=ec50,
        max_response=top,
        curve=curve,
    )


def ic50_nM(drug: str | DrugRecord, cytokine: str, cell: str = DEFAULT_CELL, cytokine_pM: float | None = None) -> float:
    """Drug concentration (nM) halving the pSTAT6 response to a fixed cytokine dose (pM).

    Default dose: the drug-free EC80 of the cell. ``math.inf`` when even 1e5 nM does not halve the response
    (e.g. an IL-13 antibody against IL-4).
    """
    if drug is None:
        raise InputError("drug", "an IC50 needs a drug")
    record = resolve(drug)
    _check(cytokine, cell, record, 0.0)
    if cytokine_pM is None:
        cytokine_pM = _ec80_pM(cytokine, cell)
    elif not (math.isfinite(cytokine_pM) and cytokine_pM > 0.0):
        raise InputError("cytokine_pM", f"must be a finite concentration > 0 pM, got {cytokine_pM}")
    half = 0.5 * response(cytokine, cell, cytokine_pM)

    def excess(log_nM: float) -> float:
        return response(cytokine, cell, cytokine_pM, {record: 10.0**log_nM}) - half

    lo, hi = (math.log10(x) for x in IC50_RANGE_NM)
    if excess(hi) > 0.0:
        return math.inf
    return 10.0 ** brentq(excess, lo, hi, xtol=1e-6)


def _ec80_pM(cytokine: str, cell: str) -> float:
    """Drug-free cytokine concentration (pM) giving 80% of the maximal response."""
    ec50, top = ec50_pM(cytokine, cell)
    log_c = brentq(lambda lc: response(cytokine, cell, 10.0**lc) - 0.8 * top, math.log10(ec50), math.log10(1e6))
    return 10.0**log_c
