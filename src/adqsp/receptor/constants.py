"""Receptor-layer constants: IL-4 / IL-13 binding, chain turnover, second-chain recruitment, pSTAT6, copies.

Drugs' binding constants are in their records (``data/drugs/``), declared through their motifs
(:mod:`adqsp.receptor.motifs`).

Values and sources follow ``reference/receptor_parameters.csv`` (quoted in each ``source``); ``assumed:`` marks a
value not in the reference and says why; ``fitted:`` marks a value fitted by
:func:`adqsp.receptor.kinetics.fit_pstat6` and names its targets. Units: association rate constants in 1/(M*s),
dissociation rate constants of solution binding in 1/s (as published), membrane (2D) and turnover rates in 1/min,
equilibrium constants in nM, copy numbers in copies/cell.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from adqsp.model.declaration import Parameter

#: cell types with receptor copy numbers; monocyte and fibroblast carry the measured pSTAT6 EC50s
CELLS = ("keratinocyte", "lymphocyte", "sensory_neuron", "monocyte", "fibroblast")
#: cell types whose pSTAT6 half-maximal complex number is fitted to measured EC50s
FITTED_CELLS = ("monocyte", "fibroblast")
#: receptor chains, in the order used in parameter names
CHAINS = ("il4ra", "gammac", "il13ra1", "il13ra2")
CYTOKINES = ("IL-4", "IL-13")

#: measured pSTAT6 EC50 ranges (pM) from the reference csv: the fit targets (low, high)
PSTAT6_EC50_TARGETS_PM: Mapping[tuple[str, str], tuple[float, float]] = MappingProxyType(
    {
        ("monocyte", "IL-4"): (10.0, 10.0),
        ("monocyte", "IL-13"): (56.0, 123.0),
        ("fibroblast", "IL-4"): (29.0, 48.0),
        ("fibroblast", "IL-13"): (411.0, 411.0),
    }
)

SHEN = "Shen, Hage & Sebald 1996 Eur J Biochem 240:252"
GANDHI = "Gandhi et al. 2014 Biophys J 107:2515; Richter et al. 2017 Nat Commun 8:15976"
MILOUX = "Miloux 1997 FEBS Lett 401:163; Zhang 1997 J Biol Chem 272:9474"
LACY = "Lacy 2012 J Mol Recognit 25:184; Lupardus 2010 Structure 18:332"
RAIA = "Raia 2011 Cancer Res 71:693 (BioModels BIOMD0000000313)"
FOXWELL = "Foxwell 1989 Eur J Immunol; Gonnord 2018 Sci Signal"
MEYER = (
    "public receptor-quantification data set of the Meyer lab (unpublished; as quoted in "
    "reference/receptor_parameters.csv)"
)
_FIT = (
    "fitted: jointly (rc_recruit_area_um2, rc_monocyte_pstat6_k, rc_fibroblast_pstat6_k) to the steady-state "
    "pSTAT6 EC50s of monocytes (IL-4 ~10 pM, IL-13 56-123 pM) and fibroblasts (IL-4 29-48 pM, IL-13 ~411 pM), "
    f"{MEYER}; log least squares to the geometric middle of each range, adqsp.receptor.kinetics.fit_pstat6"
)


def _p(name: str, value: float, unit: str, source: str, description: str) -> Parameter:
    return Parameter(name=name, value=value, unit=unit, source=source, log_sd=0.0, description=description)


BINDING = (
    _p("rc_il4_kon", 1.9e7, "1/(M*s)", SHEN, "IL-4 + IL-4Ra association (SPR, soluble ectodomain)"),
    _p("rc_il4_koff", 2e-3, "1/s", SHEN, "IL-4 : IL-4Ra dissociation (KD 0.1 nM)"),
    _p("rc_il13_kd_nM", 4.0, "nM", MILOUX, "IL-13 : IL-13Ra1 equilibrium dissociation constant (range 3-10 nM)"),
    _p(
        "rc_il13_kon",
        1e6,
        "1/(M*s)",
        "assumed: typical protein-protein association rate, no kon for IL-13 : IL-13Ra1 in the reference",
        "IL-13 + IL-13Ra1 association; koff = kon * KD",
    ),
    _p("rc_il13ra2_kd_nM", 0.15, "nM", LACY, "IL-13 : IL-13Ra2 (decoy) KD, middle of 0.1-0.25 nM"),
    _p(
        "rc_il13ra2_koff",
        5e-5,
        "1/s",
        f"{LACY} (upper bound koff < 5e-5 1/s)",
        "IL-13 : IL-13Ra2 dissociation; kon = koff / KD",
    ),
)

RECRUITMENT = (
    _p("rc_type1_kd_2d", 1000.0, "molecules/um^2", GANDHI, "2D KD of gamma-c recruitment into IL-4:IL-4Ra (type I)"),
    _p(
        "rc_type2_il4_kd_2d",
        180.0,
        "molecules/um^2",
        GANDHI,
        "2D KD of IL-13Ra1 recruitment into IL-4:IL-4Ra (type II, IL-4)",
    ),
    _p(
        "rc_type2_il13_kd_2d",
        480.0,
        "molecules/um^2",
        GANDHI,
        "2D KD of IL-4Ra recruitment into IL-13:IL-13Ra1 (type II, IL-13)",
    ),
    _p(
        "rc_recruit_area_um2",
        0.1243,
        "um^2",
        _FIT,
        "effective membrane area in which the chains meet (membrane microcompartments, Richter 2017): "
        "2D KD in copies/cell = 2D KD (molecules/um^2) * area; the three measured 2D KDs keep their ratios",
    ),
    _p(
        "rc_recruit_koff",
        6.0,
        "1/min",
        "assumed: the second chain exchanges on a seconds scale (rapid re-association in membrane "
        "microcompartments); only the 2D KD enters the steady state while this exceeds internalisation",
        "dissociation of the second chain from a ternary complex",
    ),
)

TURNOVER = (
    _p("rc_kint_free", 0.1, "1/min", RAIA, "constitutive internalisation of free chains"),
    _p("rc_kint_complex", 0.15, "1/min", RAIA, "internalisation of ligand-bound complexes (incl. decoy)"),
)

SIGNALLING = (
    _p(
        "rc_pstat6_hill",
        1.0,
        "dimensionless",
        "assumed: hyperbolic read-out, no cooperativity data",
        "Hill coefficient of pSTAT6 on signalling complexes",
    ),
)

#: copies/cell of (IL-4Ra, gamma-c, IL-13Ra1, IL-13Ra2) with their sources
_COPIES: dict[str, tuple[tuple[float, str], ...]] = {
    "keratinocyte": (
        (700.0, "assumed: geometric middle of the generic 100-5000 range (keratinocyte count not found, csv)"),
        (0.0, "assumed: keratinocytes are type II dominant, no functional gamma-c"),
        (700.0, "assumed: as IL-4Ra (type II dominant), within the fibroblast range 260-1730 of the csv"),
        (200.0, "assumed: some IL-13Ra2 on keratinocytes; no count in the reference"),
    ),
    "lymphocyte": (
        (300.0, f"{FOXWELL}: resting B cells 360, CD4 T cells 254 (value between the two)"),
        (328.0, "Gonnord 2018 Sci Signal (CD4 T cells)"),
        (100.0, "assumed: some IL-13Ra1 (B cells) so lymphocytes have type I and II; no count in the reference"),
        (0.0, "assumed: no IL-13Ra2 on lymphocytes"),
    ),
    "sensory_neuron": (
        (300.0, "assumed: as lymphocytes; neuronal count not in the reference"),
        (0.0, "assumed: sensory neurons signal through type II"),
        (300.0, "assumed: as IL-4Ra; neuronal count not in the reference"),
        (0.0, "assumed: no IL-13Ra2 on sensory neurons"),
    ),
    "monocyte": (
        (96.0, f"{FOXWELL}: monocytes 50-184, geometric middle"),
        (328.0, "assumed: as CD4 T cells (Gonnord 2018); monocytes express gamma-c, count not in the reference"),
        (614.0, f"{MEYER}: monocytes 490-770, geometric middle"),
        (0.0, "assumed: no IL-13Ra2 on resting monocytes"),
    ),
    "fibroblast": (
        (680.0, f"{FOXWELL}: fibroblasts 550-840, geometric middle"),
        (0.0, "assumed: fibroblasts are non-haematopoietic, no functional gamma-c (type II only)"),
        (671.0, f"{MEYER}: fibroblasts 260-1730, geometric middle"),
        (200.0, "assumed: fibroblasts express some IL-13Ra2; no count in the reference"),
    ),
}
_CHAIN_LABEL = {"il4ra": "IL-4Ra", "gammac": "gamma-c", "il13ra1": "IL-13Ra1", "il13ra2": "IL-13Ra2 (decoy)"}

#: complexes per cell giving half-maximal pSTAT6 (fitted cells) and the assumption for the others
_PSTAT6_K: dict[str, tuple[float, str]] = {
    "monocyte": (8.380, _FIT),
    "fibroblast": (208.7, _FIT),
}
_UNFITTED_K = "assumed: geometric mean of the fitted monocyte and fibroblast values (no pSTAT6 data)"


def copies_parameters() -> tuple[Parameter, ...]:
    """Receptor copy numbers per cell type, ``rc_<cell>_<chain>_copies`` (copies/cell, drug- and ligand-free)."""
    return tuple(
        _p(
            f"rc_{cell}_{chain}_copies",
            value,
            "copies/cell",
            source,
            f"{_CHAIN_LABEL[chain]} per {cell.replace('_', ' ')}, ligand- and drug-free",
        )
        for cell in CELLS
        for chain, (value, source) in zip(CHAINS, _COPIES[cell], strict=True)
    )


def pstat6_parameters() -> tuple[Parameter, ...]:
    """Signalling complexes per cell for half-maximal pSTAT6, ``rc_<cell>_pstat6_k`` (copies/cell)."""
    _unfitted = ((_PSTAT6_K["monocyte"][0] * _PSTAT6_K["fibroblast"][0]) ** 0.5, _UNFITTED_K)
    return tuple(
        _p(
            f"rc_{cell}_pstat6_k",
            _PSTAT6_K.get(cell, _unfitted)[0],
            "copies/cell",
            _PSTAT6_K.get(cell, _unfitted)[1],
            description=f"type I + type II complexes per {cell.replace('_', ' ')} for half-maximal pSTAT6",
        )
        for cell in CELLS
    )


@lru_cache(maxsize=1)
def all_parameters() -> tuple[Parameter, ...]:
    """Every receptor-layer constant, each declared once."""
    return (*BINDING, *RECRUITMENT, *TURNOVER, *SIGNALLING, *copies_parameters(), *pstat6_parameters())


def typical_values() -> dict[str, float]:
    """Name -> typical value of every receptor-layer constant."""
    return {p.name: p.value for p in all_parameters()}
