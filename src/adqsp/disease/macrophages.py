"""Skin macrophages (time in days): recruited into inflamed skin, renewed from blood monocytes, and alternatively
activated (M2) by IL-4 and IL-13 through STAT6.

- **Density** ``<s>_macrophage`` (1 = healthy skin): monocytes enter at ``mac_turnover x (1 + mac_recruit x
  infiltrate / (infiltrate + mac_infiltrate_half))``, the infiltrate being the site's T helper cells (the monocyte
  chemokines of inflamed skin), and macrophages leave or die at ``mac_turnover``. Dermal macrophages are renewed
  from blood monocytes (in the mouse: Tamoutounour S et al. Immunity 2013;39:925) and are more numerous in acute
  and chronic AD lesions than in healthy skin (Kiekens RC et al. Br J Dermatol 2001;145:957).
- **Polarisation** ``<s>_macrophage_m2`` (0-1): the site's macrophage pSTAT6 as a fraction of its maximum, computed
  by the receptor layer with the monocyte's receptor copies and its pSTAT6 constant fitted to measured EC50s (IL-4
  about 10 pM, IL-13 56-123 pM: :mod:`adqsp.receptor.constants`); IL-4 and IL-13 induce the alternative programme
  through IL-4Ra and STAT6 (IL-4: Stein M et al. J Exp Med 1992;176:287; IL-13: Doyle AG et al. Eur J Immunol
  1994;24:1441; both: Gordon S. Nat Rev Immunol 2003;3:23). IL-4 is
  the stronger inducer at these EC50s, so an IL-13 antibody leaves more of it than IL-4Ra blockade does.
- **CCL18** ``<s>_CCL18`` (AU: macrophage density x M2 share): M2 macrophages' chemokine (Kodelja V et al. J
  Immunol 1998;160:1411), raised in AD skin (Günther C et al. J Immunol 2005;174:1723), made in proportion to the
  M2 macrophages.

Macrophages are a read-out: their CCL17/CCL22 are folded into the keratinocyte STAT6 activity that drives TARC and
CCR4 homing, their own IL-13 is left out (no measure of its size beside the Th2 cells' was found).
"""

from __future__ import annotations

from adqsp.model.declaration import Assignment, Parameter, State

#: the receptor layer's cell type whose constants the skin's macrophages take (blood monocytes, their precursors)
RECEPTOR_CELL = "monocyte"

PARAMETERS = (
    Parameter(
        "mac_turnover",
        1.0 / 21.0,
        "1/day",
        "assumed: monocyte-derived dermal macrophages are renewed from blood over weeks (mouse dermis: Tamoutounour S"
        " et al. Immunity 2013;39:925; no human rate found); time constant 3 weeks",
        description="renewal (entry and loss) of skin macrophages",
    ),
    Parameter(
        "mac_recruit",
        2.0,
        "dimensionless",
        "assumed: macrophages are more numerous in acute and chronic AD lesions (Kiekens RC et al. Br J Dermatol"
        " 2001;145:957; the fold not taken from it): up to 3 times healthy skin",
        description="extra monocyte entry into skin at a saturating T-cell infiltrate",
    ),
    Parameter(
        "mac_infiltrate_half",
        10.0,
        "AU",
        "assumed: near the T-cell infiltrate of a lesion at enrolment (les_inflammation, whose half-maximal affected"
        " area is area_half, 13 AU)",
        description="T helper infiltrate at half the extra monocyte entry",
    ),
)


def site_states(s: str) -> tuple[State, ...]:
    return (
        State(
            f"{s}_macrophage",
            1.0,
            "dimensionless",
            f"{s}: macrophages (1 = healthy skin)",
            capture="macrophages" if s == "les" else "",
        ),
    )


def site_assignments(s: str) -> tuple[Assignment, ...]:
    """The site's macrophage polarisation and CCL18 (needs the receptor layer's ``<s>_monocyte_pstat6``)."""
    lesional = s == "les"
    return (
        Assignment(
            f"{s}_macrophage_m2",
            f"{s}_{RECEPTOR_CELL}_pstat6",
            "fraction",
            f"{s}: alternatively activated (M2) share of macrophages: their pSTAT6, fraction of maximum",
            "macrophage_M2" if lesional else "",
        ),
        Assignment(
            f"{s}_CCL18",
            f"{s}_macrophage * {s}_macrophage_m2",
            "AU",
            f"{s}: CCL18 from M2 macrophages (their density x M2 share)",
            "CCL18" if lesional else "",
        ),
    )


def site_rates(s: str) -> dict[str, str]:
    """The site's macrophage density (needs the site's T-cell infiltrate ``<s>_inflammation``)."""
    infiltrate = f"max({s}_inflammation, 0.0)"
    entry = f"1.0 + mac_recruit * {infiltrate} / ({infiltrate} + mac_infiltrate_half)"
    return {f"{s}_macrophage": f"mac_turnover * ({entry} - {s}_macrophage)"}
