"""Trial statistics: responder rules, arm means of per-patient change from baseline, published comparators.

Responders (per patient, against the patient's own observed baseline visit):
EASI-50/75/90: EASI reduced by at least 50/75/90%. IGA 0/1: IGA 0 or 1 with a reduction of at least 2 points.
NRS4: weekly-average peak pruritus NRS improved by at least 4 points, among patients with baseline NRS >= 4.
How a patient counts after its rescue treatment (:mod:`adqsp.conduct.rescue`) or its dropout
(:mod:`adqsp.conduct.dropout`) is the scenario's estimand (:mod:`adqsp.trial.estimand`); by default, as in SOLO,
its responder flags are 0 from then on (non-responder imputation) and continuous read-outs are the values without
rescue (hypothetical strategy) and the last observed before dropout. The rescued and dropped-out fractions count
every patient; the serum trough is every patient's simulated value (a PK read-out, not an efficacy endpoint).
Patients whose status is not "ok" (solver failure, non-finite read-out, negative amount) are excluded from every
statistic and counted by reason. A trial in which more than :data:`FAILURE_WARN_FRACTION` of the screening
candidates could not be scored, or of an arm's patients failed, warns (:func:`failure_warnings`). Pathway activities
(:mod:`adqsp.disease.pathways`) are each patient's fraction of its own day-0 value, averaged per arm and visit as the
estimand counts continuous read-outs.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from adqsp.disease.pathways import PATHWAYS, capture_column
from adqsp.schema import ESTIMANDS
from adqsp.trial.estimand import under_estimand
from adqsp.trial.run import ArmResult
from adqsp.trial.targets import calibration_targets, number

BASELINE_KEYS = ("EASI_mean", "IGA4_fraction", "NRS_mean", "BSA_mean")
VISIT_KEYS = (
    "EASI_pct_change",
    "EASI50",
    "EASI75",
    "EASI90",
    "IGA01",
    "NRS4",
    "NRS_pct_change",
    "serum_trough_mg_L",
    "TARC_pct_change",
    "IgE_pct_change",
    "epidermal_thickness_pct_change",
    "TEWL_pct_change",
    "signature_reversal",
    "rescued_fraction",
    "dropout_fraction",
)
#: summary.json key per visit -> the skin site whose pathway activities it holds (arm means of fractions of baseline)
PATHWAY_KEYS = {"pathway_activity": "les", "pathway_activity_nonlesional": "non"}
#: above this fraction of failures (screening candidates not scored, or an arm's patients excluded) a trial warns.
#: Failures are not a random sample: leaving out a fraction f of an arm's patients can move a rate by up to f
#: whichever way they would have fared, and 1% is about one standard error of a 10-50% responder rate in an arm of
#: 1000 (0.9-1.6 points), so beyond it the bias may be visible (of screening candidates, under half of whom are
#: eligible in SOLO 1, 1% may be up to about 2% of the would-be patients). The default trial has none: 0 of 6593
#: candidates and 0 of 3000 patients; a few isolated failures in a large trial stay counted but silent.
FAILURE_WARN_FRACTION = 0.01
#: per-patient responder flags (turned to 0 after rescue or dropout under non-responder imputation)
RESPONDER_KEYS = ("EASI50", "EASI75", "EASI90", "IGA01", "NRS4")
#: summary key -> per-visit read-out whose percent change is averaged
_PCT_READOUTS = {
    "TARC_pct_change": "TARC_pg_mL",
    "IgE_pct_change": "IgE_IU_mL",
    "epidermal_thickness_pct_change": "epidermis_um",
    "TEWL_pct_change": "TEWL",
}


def per_patient(result: ArmResult) -> dict[str, np.ndarray]:
    """Per-patient, per-visit derived quantities ``(n_visits, n_patients)`` as observed (rescue ignored)."""
    s, r = result.scores, result.readouts
    easi0, iga0, nrs0 = s["EASI"][0], s["IGA"][0], s["NRS"][0]
    with np.errstate(divide="ignore", invalid="ignore"):
        out = {
            "EASI_pct_change": 100.0 * (s["EASI"] - easi0) / easi0,
            "NRS_pct_change": np.where(nrs0 > 0, 100.0 * (s["NRS"] - nrs0) / nrs0, np.nan),
            "signature_reversal": 1.0 - r["signature_up"] / r["signature_up"][0],
            **{k: 100.0 * (r[v] - r[v][0]) / r[v][0] for k, v in _PCT_READOUTS.items()},
        }
    out["IGA01"] = ((s["IGA"] <= 1) & (iga0 - s["IGA"] >= 2)).astype(float)
    out["NRS4"] = np.where(nrs0 >= 4, (nrs0 - s["NRS"] >= 4).astype(float), np.nan)
    for level in (50, 75, 90):
        out[f"EASI{level}"] = (out["EASI_pct_change"] <= -level).astype(float)
    return out


def pathway_column(pathway: str, site: str) -> str:
    """The per-patient column (patients.parquet) of a site's pathway activity as a fraction of its day-0 value."""
    return f"pathway_{pathway}" + ("" if site == "les" else "_nonlesional")


def pathway_fractions(result: ArmResult) -> dict[str, np.ndarray]:
    """Each pathway activity of each site per patient and visit ``(n_visits, n_patients)``, as a fraction of the
    patient's own day-0 value (rescue ignored), by :func:`pathway_column`."""
    r = result.readouts
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            pathway_column(p, site): r[capture_column(p, site)] / r[capture_column(p, site)][0]
            for site in PATHWAY_KEYS.values()
            for p in PATHWAYS
        }


def arm_summary(
    result: ArmResult, published: dict[str, dict[str, float]] | None = None, estimand: str = ESTIMANDS[0]
) -> dict:
    """The summary.json entry of one arm, its endpoints counted under ``estimand``."""
    ok = result.ok
    s = result.scores
    derived = under_estimand(per_patient(result), RESPONDER_KEYS, result.rescued, result.dropped, estimand)
    pathways = under_estimand(pathway_fractions(result), (), result.rescued, result.dropped, estimand)
    visits = {}
    for k, week in enumerate(result.weeks):
        entry = {key: _mean(derived[key][k][ok]) for key in VISIT_KEYS if key in derived}
        entry["serum_trough_mg_L"] = _mean(result.readouts["serum_mg_L"][k][ok]) if result.arm.drug else None
        entry["rescued_fraction"] = _mean(result.rescued[k][ok].astype(float))
        entry["dropout_fraction"] = _mean(result.dropped[k][ok].astype(float))
        visits[_week_key(week)] = {key: entry[key] for key in VISIT_KEYS}
        for key, site in PATHWAY_KEYS.items():
            visits[_week_key(week)][key] = {p: _mean(pathways[pathway_column(p, site)][k][ok]) for p in PATHWAYS}
    return {
        "name": result.arm.name,
        "drug": result.arm.drug.name if result.arm.drug else None,
        "background": None if result.arm.tcs_potency is None else {"therapy": "TCS", "potency": result.arm.tcs_potency},
        "n": int(ok.sum()),
        "excluded": int((~ok).sum()),
        "excluded_reasons": dict(sorted(Counter(result.status[~ok].tolist()).items())),
        "baseline": {
            "EASI_mean": _mean(s["EASI"][0][ok]),
            "IGA4_fraction": _mean((s["IGA"][0][ok] == 4).astype(float)),
            "NRS_mean": _mean(s["NRS"][0][ok]),
            "BSA_mean": _mean(s["BSA"][0][ok]),
        },
        "visits": visits,
        "published": published or {},
    }


def failure_warnings(screening: dict[str, int], arms: list[dict]) -> list[str]:
    """One line per failure fraction above :data:`FAILURE_WARN_FRACTION`: the screening's (``screening``: the
    counts of :data:`~adqsp.trial.run.SCREENING_COUNTS`) and each arm's (``arms``: :func:`arm_summary` entries)."""
    lines = []
    failed, candidates = screening["failed"], screening["candidates"]
    if failed > FAILURE_WARN_FRACTION * candidates:
        lines.append(
            f"{failed} of {candidates} screening candidates ({100 * failed / candidates:.1f}%) could not be scored"
            f" (solver failed {screening['failed_solver']}, non-finite {screening['failed_non_finite']}, no steady"
            f" state {screening['failed_steady_state']}) and were not enrolled; more than"
            f" {FAILURE_WARN_FRACTION:.0%}, the enrolled population may be biased"
        )
    for arm in arms:
        total = arm["n"] + arm["excluded"]
        if arm["excluded"] > FAILURE_WARN_FRACTION * total:
            reasons = ", ".join(f"{reason} {count}" for reason, count in arm["excluded_reasons"].items())
            lines.append(
                f"arm {arm['name']!r}: {arm['excluded']} of {total} patients ({100 * arm['excluded'] / total:.1f}%)"
                f" failed ({reasons}) and are left out of its statistics; more than {FAILURE_WARN_FRACTION:.0%},"
                " its endpoints may be biased"
            )
    return lines


def published_values(studies: tuple[str, ...], arm_name: str) -> dict[str, dict[str, float]]:
    """Calibration-target values for an arm, by week: rows of the named studies whose arm matches."""
    out: dict[str, dict[str, float]] = {}
    for row in calibration_targets():
        value = number(row["value"])
        if row["study"] in studies and row["arm"] == arm_name and row["week"] and value is not None:
            out.setdefault(_week_key(float(row["week"])), {})[row["endpoint"]] = value
    return out


def published_baseline(studies: tuple[str, ...]) -> dict[str, float]:
    """Baseline means of the pooled trial population (rows with arm 'all arms' at week 0)."""
    return {
        row["endpoint"]: number(row["value"])
        for row in calibration_targets()
        if row["study"] in studies and row["arm"] == "all arms" and row["endpoint"] in BASELINE_KEYS
    }


def _week_key(week: float) -> str:
    return f"{week:g}"


def _mean(values: np.ndarray) -> float | None:
    values = values[np.isfinite(values)]
    return float(values.mean()) if values.size else None
