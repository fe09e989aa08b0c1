"""Serum IgE from its cells: B-cell class switch in the lymph node, short- and long-lived IgE plasma cells, and
IgE's own short life in serum (time in days).

IL-4 and IL-13 drive the B cells of the skin-draining node to switch to IgE through STAT6 (the node lymphocytes'
pSTAT6, :mod:`adqsp.disease.presentation`); the switched cells become plasma cells of two kinds. Short-lived
plasma cells secrete for days and die (3-5 days: Amanna IJ, Slifka MK. Immunol Rev 2010;236:125); long-lived ones
settle in survival niches (bone marrow, spleen) and secrete for months without further stimulation, and chronic
allergen exposure makes them the chief reservoir of IgE (Asrat S et al. Sci Immunol 2020;5:eaav8402). Serum IgE
itself turns over in about two days, so it follows the plasma cells within days, and when switching stops (IL-4Ra
blockade) it falls fast by the short-lived cells' share and then over months with the long-lived cells.

The plasma-cell states are in IU/mL: the serum IgE that each population sustains at steady state.
"""

from __future__ import annotations

from adqsp.model.declaration import Assignment, Parameter, State

PARAMETERS = (
    Parameter(
        "ige_healthy",
        50.0,
        "IU/mL",
        "assumed: no source found (value set by hand); total IgE of healthy adults is mostly below 100 IU/mL",
        description="serum IgE from plasma cells unrelated to the disease",
    ),
    Parameter(
        "ige_stat6",
        8000.0,
        "IU/mL",
        "assumed: no source found (value set by hand)",
        description="serum IgE that plasma cells sustain at full node lymphocyte pSTAT6 (class switch)",
        log_sd=0.8,
    ),
    Parameter(
        "ige_clearance",
        0.3466,
        "1/day",
        "serum IgE half-life about 2 days (Regulation and dysregulation of immunoglobulin E, Clin Mol Allergy"
        " 2010;8:3, Table 1; a short serum half-life of total and allergen-specific IgE: Lawrence MG et al. JACI"
        " 2017;139:422): ln 2 / 2 days",
        description="elimination of serum IgE",
    ),
    Parameter(
        "slpc_rate",
        0.25,
        "1/day",
        "short-lived plasma cells secrete for 3-5 days and die (Amanna IJ, Slifka MK. Immunol Rev 2010;236:125):"
        " mean lifespan 4 days",
        description="loss of short-lived IgE plasma cells",
    ),
    Parameter(
        "llpc_rate",
        1.0 / 180.0,
        "1/day",
        "assumed: IgE plasma cells in survival niches live for several months (long-lived IgE plasma cells months"
        " after immunisation: Asrat 2020; bioRxiv 2025.09.18.676877); mean lifespan 6 months",
        description="loss of long-lived IgE plasma cells",
    ),
    Parameter(
        "llpc_share",
        0.8,
        "fraction",
        "assumed: long-lived plasma cells are the chief source of IgE under chronic allergen exposure (Asrat 2020)",
        description="share of the disease's serum IgE that long-lived plasma cells secrete at steady state",
    ),
)

STATES = (
    State(
        "ige_slpc",
        0.0,
        "IU/mL",
        "serum IgE sustained by short-lived IgE plasma cells",
        scale=1000.0,
        capture="IgE_short_lived_IU_mL",
    ),
    State(
        "ige_llpc",
        0.0,
        "IU/mL",
        "serum IgE sustained by long-lived IgE plasma cells",
        scale=1000.0,
        capture="IgE_long_lived_IU_mL",
    ),
    State("ige", "ige_healthy", "IU/mL", "serum total IgE", scale=1000.0),
)

ASSIGNMENTS = (
    Assignment(
        "ige_switch",
        "ige_stat6 * node_lymphocyte_stat6",
        "IU/mL",
        "IgE class switch in the node: the serum IgE its new plasma cells would sustain at steady state",
    ),
)

RATES = {
    "ige_slpc": "slpc_rate * ((1.0 - llpc_share) * ige_switch - ige_slpc)",
    "ige_llpc": "llpc_rate * (llpc_share * ige_switch - ige_llpc)",
    "ige": "ige_clearance * (ige_healthy + ige_slpc + ige_llpc - ige)",
}
