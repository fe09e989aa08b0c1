"""Lesion age: lesional skin passes from acute to chronic while it stays inflamed (time in days).

Acute lesions (days old) carry type 2 and Th22 activation with little Th1; chronic lesions (months old,
lichenified) intensify the type 2 and Th22 axes and add Th1 (Gittler JK et al. JACI 2012;130:1344; the biphasic
IL-4 then IFN-gamma course of the atopy patch test: Thepen T et al. JACI 1996;97:828). The lesional site's
``les_chronicity`` (0 = acute, 1 = chronic) rises toward the lesion's persistence, its inflammation relative to
``chronic_half``, at ``chronic_rate``, and falls at the same rate as the lesion clears (remodelling reverses over
weeks). Chronicity raises the Th1 and Th22 expansion and turns epidermal hyperplasia into lichenification (the
EASI sign, :mod:`adqsp.endpoints.scores`); erythema and papulation follow the infiltrate at every age.

The lesional site stands for all of a patient's lesions, so ``les_chronicity`` is their mean over lesion ages. New
lesional area enters acute: when the affected area grows (as the flare cycle raises the infiltrate, or at onset),
the new share of it (the area's relative growth per day) dilutes the mean, and healing area
leaves at the mean. Each patient's mix of lesion ages thus follows its own flares: the more its area swings, the
more of it is young. A patient enrolled with chronic AD of years has lesions at this mix after the screening
burn-in; disease duration beyond the months that chronicity takes is not modelled.
"""

from __future__ import annotations

from adqsp.model.declaration import Assignment, Parameter, State
from adqsp.model.units import GUARD_SIGNAL

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


def rates(infiltrate_rate: str) -> dict[str, str]:
    """The chronicity's rate; ``infiltrate_rate`` is the expression of the lesional T-cell infiltrate's time
    derivative. The new share of the lesional area per day is the affected area's relative growth, d ln(area) / dt,
    from its Hill law in the infiltrate (``bsa_fraction``, ``area_max``, ``area_hill``), where it grows."""
    new_area = (
        f"max(area_hill * (1.0 - bsa_fraction / area_max) * ({infiltrate_rate})"
        f" / max(les_inflammation, {GUARD_SIGNAL}), 0.0)"
    )
    return {"les_chronicity": f"chronic_rate * (les_persistence - les_chronicity) - {new_area} * les_chronicity"}


def gain(subset: str) -> str:
    """`` * <factor>``: the chronic lesion's gain on a subset's expansion (none for Th2, Th17)."""
    return GAINS.get(subset, "")
