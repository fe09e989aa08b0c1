"""The numbers a declared expression may hold besides 0, 1 and 2, each declared once here with what it is.

Unit conversions, mathematical constants and numerical guards are written into the model's expressions by name
(f-strings); every other number in a rate law, assignment or score formula is a declared parameter with unit and
source (``tests/test_literals.py`` parses every expression of the shipped models and fails on any other number).
"""

from __future__ import annotations

import math
from types import MappingProxyType

# unit conversions (association rate constants as published in 1/(M*s), dissociation in 1/s; the model's receptor
# rates in 1/min, cytokines in pM, drugs in nM)
#: 1/(M*s) -> 1/(pM*min): 1e-12 M per pM, 60 s per min
PER_M_S_TO_PER_PM_MIN = 6e-11
#: 1/(M*s) -> 1/(nM*min): 1e-9 M per nM, 60 s per min
PER_M_S_TO_PER_NM_MIN = 6e-08
#: 1/(M*s) -> 1/(nM*day): 1e-9 M per nM, 86400 s per day
PER_M_S_TO_PER_NM_DAY = 8.64e-05
#: 1/(nM*s) -> 1/(pM*min): 1e-3 nM per pM, 60 s per min (an association rate written as koff / KD)
PER_NM_S_TO_PER_PM_MIN = 0.06
#: 1/s -> 1/min
PER_S_TO_PER_MIN = 60.0
#: nM -> pM
PM_PER_NM = 1000.0
#: (mg/L) / kDa -> nM: 1 mg/L of a 1 kDa (1000 g/mol) protein is 1 uM
NM_PER_MG_L_PER_KDA = 1000.0
#: fraction -> percent
PERCENT_PER_FRACTION = 100.0

# mathematical constants
#: a full cycle in radians, 2 pi
TWO_PI = math.tau

# numerical guards: floors of a denominator that is zero only where its numerator is too (far below any value the
# model reaches otherwise), so the expression stays finite
#: a cell's total IL-4Ra (copies/cell): a cell without IL-4Ra has occupancy 0
GUARD_COPIES = 1e-12
#: a signal in a Hill-type ratio: no signal gives a response of 0
GUARD_SIGNAL = 1e-30
#: two rate constants closer than this, relative, are taken as equal where a formula divides by their difference (the
#: divided difference's limit is used instead; its cancellation error below it would exceed 1e-11 relative)
GUARD_RATES = 1e-5

UNIT_CONVERSIONS = MappingProxyType(
    {
        "PER_M_S_TO_PER_PM_MIN": PER_M_S_TO_PER_PM_MIN,
        "PER_M_S_TO_PER_NM_MIN": PER_M_S_TO_PER_NM_MIN,
        "PER_M_S_TO_PER_NM_DAY": PER_M_S_TO_PER_NM_DAY,
        "PER_NM_S_TO_PER_PM_MIN": PER_NM_S_TO_PER_PM_MIN,
        "PER_S_TO_PER_MIN": PER_S_TO_PER_MIN,
        "PM_PER_NM": PM_PER_NM,
        "NM_PER_MG_L_PER_KDA": NM_PER_MG_L_PER_KDA,
        "PERCENT_PER_FRACTION": PERCENT_PER_FRACTION,
    }
)
MATHEMATICAL = MappingProxyType({"TWO_PI": TWO_PI})
GUARDS = MappingProxyType({"GUARD_COPIES": GUARD_COPIES, "GUARD_SIGNAL": GUARD_SIGNAL, "GUARD_RATES": GUARD_RATES})
#: structural numbers: nothing, one, two (a pair of terms, a half, the 2 and 4 = 2 * 2 of the quadratic formula)
STRUCTURAL = (0.0, 1.0, 2.0)
#: every number a declared expression may hold, by name
ALLOWED = MappingProxyType(
    {
        **{f"structural {x:g}": x for x in STRUCTURAL},
        **UNIT_CONVERSIONS,
        **MATHEMATICAL,
        **GUARDS,
    }
)
