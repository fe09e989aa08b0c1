"""Lesion age: lesional skin passes from acute to chronic while it stays inflamed (time in days).

Acute lesions (days old) carry type 2 and Th22 activation with little Th1; chronic lesions (months old,
lichenified) intensify the type 2 and Th22 axes and add Th1 (Gittler JK et al. JACI 2012;130:1344; the biphasic
IL-4 then IFN-gamma course of the atopy patch test: Thepen T et al. JACI 1996;97:828). The lesional site's
``les_chronicity`` (0 = acute, 1 = chronic) rises toward the lesion's persistence, its inflammation relative to
``chronic_half``, at ``chronic_rate``, and falls at the same rate as the lesion clears (remodelling reverses over
weeks). Chronicity raises the Th1 and Th22 expansion and turns epidermal hyperplasia into lichenification (the
EASI sign, :mod:`adqsp.endpoints.scores`); erythema and papulation follow the infiltrate at every age.

A patient enrolled with chronic AD of years has lesions at their chronic steady state after the screening burn-in;
disease duration beyond the months that chronicity takes is not modelled.
"""

from __future__ import annotations

from adqsp.model.declaration import Assignment, Parameter, State

PARAMETERS = (
    Parameter(
        "chronic_rate",
        1.0 / 42.0,
        "1/day",
        "assumed: an eczematous lesion lichenifies over weeks of persistence (acute lesions < 72 h, chronic"
        " lesions months old in Gittler 2012); time constant 6 weeks",
        description="rate at which lesion chronicity follows the lesion's persistence",
    ),
    Parameter(
        "chronic_half",
        1.0,
        "AU",
        "assumed: a lesional infiltrate near that of a typical lesion's type 2 cells",
        description="lesional T-cell infiltrate at half the maximal chronicity",
    ),
    Parameter(
        "chronic_th1_gain",
        2.0,
        "dimensionless",
        "assumed: Th1 activity is added in chronic lesions (Gittler 2012; Thepen 1996)",
        description="Th1 expansion gain of a fully chronic lesion",
    ),
    Parameter(
        "chronic_th22_gain",
        0.5,
        "dimensionless",
        "assumed: Th22 activity further intensified in chronic lesions (Gittler 2012)",
        description="Th22 expansion gain of a fully chronic lesion",
    ),
)

STATES = (
    State("les_chronicity", 0.0, "dimensionless", "lesion chronicity (0 acute, 1 chronic)", capture="chronicity"),
)
#: the chronic lesion's gain on a subset's expansion
GAINS = {
    "th1": " * (1.0 + chronic_th1_gain * les_chronicity)",
    "th22": " * (1.0 + chronic_th22_gain * les_chronicity)",
}


def assignments() -> tuple[Assignment, ...]:
    """The lesion's persistence (needs ``les_inflammation``)."""
    return (
        Assignment(
            "les_persistence",
            "max(les_inflammation, 0.0) / (max(les_inflammation, 0.0) + chronic_half)",
            "dimensionless",
            "lesion persistence: the chronicity a lesion of this infiltrate tends to (0-1)",
        ),
    )


RATES = {"les_chronicity": "chronic_rate * (les_persistence - les_chronicity)"}


def gain(subset: str) -> str:
    """`` * <factor>``: the chronic lesion's gain on a subset's expansion (none for Th2, Th17)."""
    return GAINS.get(subset, "")
