"""Pathway activities of a skin site: the type 1, 2, 17 and 22 axes as read-outs (no rate law uses them).

Each is the signal the site's tissue receives from one axis, read from the disease block's own quantities, so the
read-out adds no parameter and changes no number of the model:

- type 1: IFN-gamma (``<site>_IFNg``, AU, from Th1 cells), times its receptor's JAK1/JAK2 activity under a JAK
  inhibitor;
- type 2: the STAT6-driven transcriptional activity of keratinocytes (``<site>_keratinocyte_stat6``, 0-1). IL-4 and
  IL-13 act on the skin only through pSTAT6, and the keratinocyte's activity is where the tissue's type 2 signature
  is made: it drives the STAT6 chemokines (TARC/CCL17, CCL26), the suppression of barrier repair and antimicrobial
  clearance and part of the epidermal hyperplasia, the genes a lesional biopsy reads (Hamilton 2014). The
  transcriptional activity, not pSTAT6 itself, because it is what the tissue responds to: pSTAT6 saturates it
  (spare receptors), so a fall of pSTAT6 at high levels changes little downstream. The lymphocyte's activity (Th2
  expansion, IgE class switch) moves with it but acts on cells, not on the tissue read in a biopsy;
- type 17: IL-17A (``<site>_IL17``, AU, from Th17 cells);
- type 22: IL-22 (``<site>_IL22``, AU, from Th22 cells), times its receptor's JAK1/TYK2 activity under a JAK
  inhibitor (IL-17 signals without JAKs).

The trial reports each as a fraction of the patient's own value at day 0 (:mod:`adqsp.trial.summary`), so the
units cancel. The lesional site's are kept per visit as ``type1_activity`` .. ``type22_activity``, the nonlesional
site's with the suffix ``_non``.
"""

from __future__ import annotations

from adqsp.disease.inhibition import Activities
from adqsp.model.declaration import Assignment

#: pathway -> (read-out of the disease block at a site ``{s}``, unit, what it is)
PATHWAYS: dict[str, tuple[str, str, str]] = {
    "type1": ("{s}_IFNg{jak1_jak2}", "AU", "type 1 pathway activity: IFN-gamma signalling"),
    "type2": (
        "{s}_keratinocyte_stat6",
        "dimensionless",
        "type 2 pathway activity: IL-4/IL-13 signalling, keratinocyte STAT6 transcriptional activity (0-1)",
    ),
    "type17": ("{s}_IL17", "AU", "type 17 pathway activity: IL-17A"),
    "type22": ("{s}_IL22{jak1_tyk2}", "AU", "type 22 pathway activity: IL-22 signalling"),
}
#: the suffix of a nonlesional site's captured column
NONLESIONAL_SUFFIX = "_non"


def capture_column(pathway: str, site: str) -> str:
    """The column under which a trial keeps a site's pathway activity per visit."""
    return f"{pathway}_activity" + ("" if site == "les" else NONLESIONAL_SUFFIX)


def pathway_assignments(site: str, act: Activities) -> tuple[Assignment, ...]:
    """The four pathway activities of ``site`` (``les`` or ``non``), each kept by a trial per visit; ``act``: the
    JAK factors of a JAK inhibitor's model (empty without one)."""
    return tuple(
        Assignment(
            f"{site}_{pathway}_activity",
            readout.format(s=site, jak1_jak2=act.jak1_jak2, jak1_tyk2=act.jak1_tyk2),
            unit,
            f"{site}: {description}",
            capture_column(pathway, site),
        )
        for pathway, (readout, unit, description) in PATHWAYS.items()
    )
