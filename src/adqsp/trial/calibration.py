"""Calibration of the population-level response to ``calibration_targets.csv`` (and nothing else).

The candidates for fitting (log scale, within bounds) are listed in :data:`FITTED`. Each evaluation runs the SOLO 1
scenario with common random numbers (same seed, same virtual patients) and compares baseline means, week-16
responder rates and mean percent changes, the week-16 serum trough, TEWL change (BALISTAD) and week-4 signature
reversal (Hamilton 2014) with the targets. Residuals are scaled by a tolerance per endpoint kind (read as the
target's standard deviation) and weighted by the target's confidence.

The fit is scipy's trust-region least squares to a stated convergence criterion (:data:`CONVERGENCE`). What the
targets determine is read off the residual Jacobian at the result (:func:`identifiability`): a parameter whose
direction lies in the Jacobian's null space, or whose 95% interval reaches beyond its bounds, is not determined,
and the model declares it assumed (at the fitted value) instead of calibrated.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from scipy.optimize import least_squares

from adqsp.assembly import LOG_SD, build_model, parameter_of
from adqsp.files import write_json
from adqsp.model.declaration import Model
from adqsp.trial.fitted import FITTED
from adqsp.trial.job import run_trial
from adqsp.trial.scenario import Scenario, load_scenario
from adqsp.trial.targets import calibration_targets, number, value_change, value_range

#: residual scale per endpoint (target units)
SCALE = {
    "rate": 0.04,
    "pct": 4.0,
    "EASI_mean": 2.0,
    "NRS_mean": 0.4,
    "BSA_mean": 4.0,
    "serum_trough": 5.0,
    "signature": 0.08,
}
#: confidence weights; "approximate" SOLO 1 rates (EASI-50/90) count fully: they are part of the 5-point contract
WEIGHT = {"verified": 1.0, "approximate": 1.0, "uncertain": 0.25}
#: the optimiser's stopping rule: relative change of the cost (ftol) or of the log-parameters (xtol) below these,
#: or the projected gradient (gtol); a finite virtual trial's cost is only smooth to about 1e-3 of itself
CONVERGENCE = {"ftol": 1e-3, "xtol": 1e-3, "gtol": 1e-6}
#: finite-difference step of every Jacobian column, fitted key or assessed, in log-parameter: 10% of the value (a
#: virtual trial's responder rates move in steps of one patient; scipy's own diff_step is relative to the log-value,
#: 0.0024 at log 0.976, a step that mostly measures those jumps)
DIFF_STEP = 0.1
#: singular values below this fraction of the largest span directions the targets do not determine
RCOND = 1e-3
#: a parameter with more than this share of its direction in that null space is not determined
NULL_SHARE = 0.05
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Target:
    """One calibration target: where to read the simulated value, the published value and its weight."""

    label: str
    arm: str | None
    week: str
    key: str
    value: float
    scale: float
    weight: float


def solo_targets(scenario: Scenario) -> list[Target]:
    """Targets the SOLO 1 scenario can reproduce, from calibration_targets.csv."""
    arms = {a.name for a in scenario.arms}
    out: list[Target] = []
    for row in calibration_targets():
        w = WEIGHT.get(row["confidence"], 0.5)
        study, arm, endpoint = row["study"], row["arm"], row["endpoint"]
        value = number(row["value"])
        if study == "SOLO pooled" and arm == "all arms" and endpoint.endswith(("_mean", "_fraction")):
            if endpoint in ("EASI_mean", "NRS_mean", "BSA_mean", "IGA4_fraction"):
                scale = SCALE["rate"] if endpoint == "IGA4_fraction" else SCALE[endpoint]
                out.append(Target(f"baseline {endpoint}", None, "0", endpoint, value, scale, w))
        elif study in ("SOLO 1", "SOLO pooled") and arm in arms and value is not None:
            scale = SCALE["pct"] if endpoint.endswith("pct_change") else SCALE["rate"]
            out.append(Target(f"{study} {arm} wk{row['week']} {endpoint}", arm, row["week"], endpoint, value, scale, w))
        elif study == "label PK" and endpoint == "serum_trough" and arm in arms:
            low, high = value_range(row["value"])
            out.append(
                Target(
                    f"trough {arm}", arm, row["week"], "serum_trough_mg_L", (low + high) / 2, SCALE["serum_trough"], w
                )
            )
        elif study == "BALISTAD" and endpoint == "TEWL" and arm in arms:
            before, after = value_change(row["value"])
            out.append(
                Target(
                    f"BALISTAD {arm} wk16 TEWL",
                    arm,
                    row["week"],
                    "TEWL_pct_change",
                    100 * (after - before) / before,
                    SCALE["pct"] * 2,
                    w,
                )
            )
        elif study.startswith("Hamilton") and endpoint == "AD_upregulated_genes_reversal":
            # Hamilton 2014 gave 300 mg weekly; the SOLO weekly arm (with its loading dose) stands in at week 4
            out.append(
                Target(
                    "Hamilton wk4 signature reversal",
                    "dupilumab 300 mg qw",
                    row["week"],
                    "signature_reversal",
                    value,
                    SCALE["signature"],
                    w * 0.5,
                )
            )
    return out


def simulated(summary: dict, target: Target) -> float:
    if target.arm is None:
        values = [a["baseline"][target.key] for a in summary["arms"]]
        return float(np.mean(values))
    arm = next(a for a in summary["arms"] if a["name"] == target.arm)
    return float(arm["visits"][str(int(float(target.week)))][target.key])


def residuals(summary: dict, targets: list[Target]) -> np.ndarray:
    return np.array([(simulated(summary, t) - t.value) / t.scale * np.sqrt(t.weight) for t in targets])


def current_value(model: Model, key: str) -> float:
    """The model's typical value of a fitted parameter, or its log-SD for a ``<name>.log_sd`` key."""
    p = model.parameter(parameter_of(key))
    return p.log_sd if key.endswith(LOG_SD) else p.value


class _BudgetSpent(Exception):
    """The fit has run as many virtual trials as it was allowed."""


@dataclass(frozen=True)
class Estimate:
    """A fitted key's value, the standard error of its logarithm (inf: not determined) and its 95% interval."""

    value: float
    se_log: float
    low: float
    high: float
    determined: bool


def identifiability(
    J: np.ndarray, x: np.ndarray, names: list[str], bounds: dict[str, tuple[float, float]]
) -> dict[str, Estimate]:
    """What the targets determine, from the residual Jacobian ``J`` (d residual / d log-parameter) at ``x``.

    The residuals are scaled as standard deviations, so the covariance of the log-parameters is ``(J^T J)^-1``.
    Directions with singular values below ``RCOND`` times the largest are not determined; a parameter with more
    than ``NULL_SHARE`` of its direction there, or whose 95% interval reaches beyond its bounds, is dropped, and
    the others' errors are computed again without it (it is then fixed), until none is dropped.
    """
    keep = list(range(len(names)))
    dropped: set[int] = set()
    while True:
        se = np.full(len(names), np.inf)
        if keep:
            _, sv, vt = np.linalg.svd(J[:, keep], full_matrices=False)
            v = vt.T
            rank = sv > RCOND * sv[0] if sv.size and sv[0] > 0 else np.zeros(len(sv), bool)
            null_share = 1.0 - (v[:, rank] ** 2).sum(axis=1)
            with np.errstate(divide="ignore"):
                var = (v[:, rank] ** 2 / sv[rank] ** 2).sum(axis=1)
            se[keep] = np.where(null_share > NULL_SHARE, np.inf, np.sqrt(var))
        with np.errstate(over="ignore"):  # an undetermined parameter's interval is unbounded
            low, high = np.exp(x - Z95 * se), np.exp(x + Z95 * se)
        outside = [
            i
            for i in keep
            if not (np.isfinite(se[i]) and bounds[names[i]][0] <= low[i] and high[i] <= bounds[names[i]][1])
        ]
        if not outside:
            break
        worst = max(outside, key=lambda i: se[i])  # drop the least determined, then look again
        keep.remove(worst)
        dropped.add(worst)
    return {
        n: Estimate(float(np.exp(x[i])), float(se[i]), float(low[i]), float(high[i]), i not in dropped)
        for i, n in enumerate(names)
    }


def covariance(J: np.ndarray, names: list[str], estimates: dict[str, Estimate]) -> dict:
    """The joint covariance of the determined keys' log-values, ``(J^T J)^-1`` on their columns of ``J`` (the
    pseudo-inverse over the directions :func:`identifiability` keeps, so its diagonal is each ``se_log`` squared):
    the Laplace approximation of the fit, as ``{"keys": [...], "log": [[...]]}``."""
    keys = [n for n in names if estimates[n].determined]
    if not keys:
        return {"keys": [], "log": []}
    _, sv, vt = np.linalg.svd(J[:, [names.index(n) for n in keys]], full_matrices=False)
    rank = sv > RCOND * sv[0]
    v = vt.T[:, rank]
    return {"keys": keys, "log": ((v / sv[rank] ** 2) @ v.T).tolist()}


def calibrate(
    patients_per_arm: int | None = None,
    seed: int | None = None,
    max_evaluations: int = 150,
    log=print,
    checkpoint: Path | None = None,
    only: tuple[str, ...] = (),
    start: dict[str, float] | None = None,
    assess: tuple[str, ...] | None = None,
) -> dict:
    """Fit :data:`FITTED` (or the keys in ``only``, the others kept) to the targets, running at most
    ``max_evaluations`` virtual trials (finite-difference ones included); returns every fitted key's value, the
    provenance of the fit (optimiser, convergence, evaluations, cost), the estimate of each assessed key (the
    refitted ones and ``assess``, by default every other key of :data:`FITTED`) with its interval and whether the
    targets determine it, the joint covariance of the determined keys' log-values (:func:`covariance`) and the
    target table.

    ``checkpoint``: a JSON file rewritten with the best values so far (a long fit can be inspected or resumed);
    ``start``: starting values of fitted keys instead of the shipped ones.
    """
    base = load_scenario().sized(patients_per_arm, seed)  # the default SOLO 1 trial, unless told otherwise
    targets = solo_targets(base)
    model = build_model("dupilumab")
    names = list(only or FITTED)
    kept = {n: current_value(model, n) for n in FITTED if n not in names}
    start_values = np.array([np.clip((start or {}).get(n, current_value(model, n)), *FITTED[n]) for n in names])
    x0 = np.log(start_values)
    lower, upper = np.log([FITTED[n][0] for n in names]), np.log([FITTED[n][1] for n in names])
    started = time.perf_counter()
    history: list[float] = []
    best: dict[str, object] = {}  # point, values and summary of the lowest-cost evaluation

    evaluated: dict[bytes, np.ndarray] = {}  # the optimiser revisits points; a trial is rerun for none of them
    final_jacobian = False

    def trial(values: dict[str, float]) -> tuple[dict, np.ndarray]:
        summary = run_trial(base.with_overrides(values)).summary
        r = residuals(summary, targets)
        history.append(float(r @ r))
        log(
            f"eval {len(history):4d}  cost {history[-1]:10.2f}  best {best.get('cost', history[-1]):10.2f}  "
            f"{time.perf_counter() - started:7.0f} s"
        )
        return summary, r

    def f(x: np.ndarray) -> np.ndarray:
        point = x.tobytes()
        if point in evaluated:
            return evaluated[point]
        if len(history) >= max_evaluations and not final_jacobian:
            raise _BudgetSpent
        # relative to the start, so the start's values come back exactly (exp(log(v)) may differ from v in the last bit)
        values = {**kept, **dict(zip(names, (start_values * np.exp(x - x0)).tolist(), strict=True))}
        summary, r = trial(values)
        if history[-1] == min(history) and not final_jacobian:  # the result is fixed once its Jacobian is taken
            best.update(x=x.copy(), values=values, summary=summary, residuals=r, cost=history[-1])
            if checkpoint is not None:
                write_json({"parameters": values, "cost": history[-1]}, checkpoint)
        evaluated[point] = r
        return r

    try:  # max_nfev would not count the finite-difference Jacobian's trials: the budget is enforced in f

        def forward_differences(x: np.ndarray) -> np.ndarray:
            return _jacobian(f, x, f(x), lower, upper)  # f(x) was evaluated: no new trial

        fit = least_squares(f, x0, jac=forward_differences, bounds=(lower, upper), x_scale=1.0, **CONVERGENCE)
        status, message = int(fit.status), str(fit.message)
    except _BudgetSpent:
        fit, status, message = None, 0, f"stopped: the budget of {max_evaluations} virtual trials was spent"
    # the objective is a finite virtual trial: the best point evaluated, not the optimiser's last iterate
    x_best = best["x"]
    if fit is not None and np.array_equal(fit.x, x_best):
        jac = fit.jac
    else:  # the uncertainty needs the Jacobian at the result: its trials are not counted against the budget
        final_jacobian = True
        jac = _jacobian(f, x_best, best["residuals"], lower, upper)
    values, summary = best["values"], best["summary"]
    fit_trials = len(history)
    # the kept keys' columns too (their trials not counted against the budget): what the targets determine is a
    # property of every candidate, fitted this time or not
    others = [n for n in (FITTED if assess is None else assess) if n not in names]
    columns = [_column(lambda v: trial(v)[1], values, n, best["residuals"]) for n in others]
    jac = np.column_stack([jac, *columns]) if columns else jac
    assessed = names + others
    estimates = identifiability(jac, np.log([values[n] for n in assessed]), assessed, FITTED)
    table = [
        {"target": t.label, "published": t.value, "simulated": sim, "error": sim - t.value, "weight": t.weight}
        for t, sim in ((t, simulated(summary, t)) for t in targets)
    ]
    return {
        "provenance": {
            "command": " ".join(["adqsp", *sys.argv[1:]]) if sys.argv and sys.argv[0].endswith("adqsp") else "",
            "date": datetime.now(UTC).strftime("%Y-%m-%d"),
            "optimiser": "scipy.optimize.least_squares (trf), finite-difference Jacobian in log-parameters",
            "convergence": {**CONVERGENCE, "log_step": DIFF_STEP},
            "status": status,
            "message": message,
            "converged": status > 0,
            "fitted": names,
            "assessed": assessed,
            "uncertainty": "95% intervals from (J^T J)^-1 at the result, residuals scaled as standard deviations;"
            f" not determined: null-space share > {NULL_SHARE} (singular values < {RCOND} of the largest) or"
            " an interval beyond the bounds; covariance: (J^T J)^-1 of the determined keys' log-values on their"
            " columns (the Laplace approximation of the fit: a multivariate normal of the log-values)",
        },
        "parameters": values,
        "estimates": {
            n: {
                "value": values[n],
                "se_log": e.se_log if np.isfinite(e.se_log) else None,
                "low": e.low if e.determined else None,
                "high": e.high if e.determined else None,
                "determined": e.determined,
            }
            for n, e in estimates.items()
        },
        "covariance": covariance(jac, assessed, estimates),
        "targets": table,
        "patients_per_arm": base.patients_per_arm,
        "seed": base.seed,
        "cost": best["cost"],
        "evaluations": fit_trials,
        "assessment_trials": len(history) - fit_trials,
    }


def _step(x: float, lower: float, upper: float) -> float:
    """The forward-difference step at log-parameter ``x`` (backward where forward would pass ``upper``)."""
    return DIFF_STEP if x + DIFF_STEP <= upper or x - DIFF_STEP < lower else -DIFF_STEP


def _jacobian(f, x: np.ndarray, r0: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Forward differences of the residuals in log-parameters (:func:`_step`)."""
    columns = []
    for i in range(len(x)):
        shifted = x.copy()
        shifted[i] = np.clip(x[i] + _step(x[i], lower[i], upper[i]), lower[i], upper[i])
        columns.append((f(shifted) - r0) / (shifted[i] - x[i]))
    return np.column_stack(columns)


def _column(residuals_at, values: dict[str, float], key: str, r0: np.ndarray) -> np.ndarray:
    """d residuals / d log(``key``) at ``values`` by a forward difference (:func:`_step`, ``key``'s bounds)."""
    low, high = np.log(FITTED[key])
    step = _step(float(np.log(values[key])), float(low), float(high))
    return (residuals_at({**values, key: values[key] * np.exp(step)}) - r0) / step


def shipped_path() -> Path:
    """The package's calibration file (the default parameter set)."""
    return Path(__file__).resolve().parent.parent / "data" / "calibrated.json"
