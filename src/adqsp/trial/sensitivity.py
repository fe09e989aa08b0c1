"""Local sensitivity of trial endpoints to every declared parameter: what each number of the model weighs.

For each parameter ``p`` (typical value, and log-SD where it varies between patients) the normalised sensitivity
of an endpoint ``E`` is ``dE / d ln p``, by central differences ``(E(p e^h) - E(p e^-h)) / 2h`` on virtual trials
with common random numbers (the same patients in every trial). Endpoints: the week-16 SOLO 1 endpoints with a
published value (the embedded default scenario), and the week-16 differences between dupilumab and tralokinumab at
their label regimens on the same scenario's population (the seed's central contrast). Rates are in percent points,
changes in percent, so a sensitivity of 5 means: a 10% larger parameter moves the endpoint by about half a point.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

from adqsp.assembly import LOG_SD, build_model
from adqsp.drugs.registry import resolve
from adqsp.errors import InputError
from adqsp.pk.regimen import LABEL_DOSES, Regimen
from adqsp.trial.job import run_trial
from adqsp.trial.scenario import Arm, Scenario, load_scenario
from adqsp.trial.summary import RESPONDER_KEYS

#: the contrast's endpoints (week 16, dupilumab minus tralokinumab)
CONTRAST_KEYS = ("EASI_pct_change", "EASI75", "IGA01", "NRS4")
#: log step of the central differences
STEP = 0.1


@dataclass(frozen=True)
class Row:
    """One parameter's (or log-SD's) sensitivities: endpoint label -> dE / d ln p."""

    key: str
    value: float
    source: str
    sensitivities: dict[str, float]
    calibrated: bool = False

    @property
    def weight(self) -> float:
        """The largest absolute sensitivity over the endpoints."""
        return max((abs(v) for v in self.sensitivities.values()), default=0.0)

    @property
    def kind(self) -> str:
        """calibrated (the targets determine this value or log-SD), assumed or cited (a publication or data file)."""
        if self.calibrated:
            return "calibrated"
        return "assumed" if self.source.startswith(("assumed", "calibrated")) else "cited"


def solo_endpoints(summary: dict) -> dict[str, float]:
    """The week-16 endpoints of each arm that has a published value (rates in percent points)."""
    out = {}
    for arm in summary["arms"]:
        for key in arm.get("published", {}).get("16", {}):
            value = arm["visits"]["16"][key]
            out[f"{arm['name']}: {key}"] = 100.0 * value if key in RESPONDER_KEYS else value
    return out


def contrast_endpoints(summary: dict) -> dict[str, float]:
    """Week-16 dupilumab minus tralokinumab (rates in percent points)."""
    dup, tralo = (summary["arms"][k]["visits"]["16"] for k in (0, 1))
    return {
        f"dupilumab - tralokinumab: {key}": (100.0 if key in RESPONDER_KEYS else 1.0) * (dup[key] - tralo[key])
        for key in CONTRAST_KEYS
    }


def contrast_scenario(base: Scenario) -> Scenario:
    """Dupilumab against tralokinumab, each at its label regimen, on the base scenario's population."""
    arms = tuple(
        Arm(drug, resolve(drug), Regimen.from_entries(LABEL_DOSES[drug]), None)
        for drug in ("dupilumab", "tralokinumab")
    )
    return replace(base, name="contrast", arms=arms, compare_to=())


def sensitivity(
    patients_per_arm: int = 1000, seed: int = 20161, log: Callable[[str], None] = print, only: tuple[str, ...] = ()
) -> list[Row]:
    """Every declared parameter's (or only those named) normalised sensitivities, heaviest first."""
    solo = replace(load_scenario(), patients_per_arm=patients_per_arm, seed=seed)
    contrast = contrast_scenario(solo)
    declared = {p.name: p for drug in ("dupilumab", "tralokinumab", None) for p in build_model(drug).parameters}
    solo_names = {p.name for a in solo.arms for p in build_model(a.drug, a.pk_model).parameters}
    keys = [n for n, p in declared.items() if p.value != 0.0 and n != "WT"]
    keys += [n + LOG_SD for n, p in declared.items() if p.log_sd > 0.0]
    for i, key in enumerate(only):
        if key not in keys:
            raise InputError(
                f"only[{i}]", f"not a parameter with a non-zero value or log-SD: {key!r} (see `adqsp params`)"
            )
    rows = []
    for k, key in enumerate(only or keys):
        name = key.removesuffix(LOG_SD)
        p = declared[name]
        base = p.log_sd if key.endswith(LOG_SD) else p.value
        ends: dict[str, list[float]] = {}
        for sign in (1.0, -1.0):
            override = ((key, base * math.exp(sign * STEP)),)
            measured = contrast_endpoints(run_trial(replace(contrast, parameters=override)).summary)
            if name in solo_names:
                measured |= solo_endpoints(run_trial(replace(solo, parameters=override)).summary)
            for label, value in measured.items():
                ends.setdefault(label, []).append(value)
        determined = (p.log_sd_interval if key.endswith(LOG_SD) else p.interval) is not None
        effects = {lab: (hi - lo) / (2 * STEP) for lab, (hi, lo) in ends.items()}
        rows.append(Row(key, base, p.source, effects, determined))
        log(f"{k + 1:4d}/{len(only or keys)}  {key:36s} weight {rows[-1].weight:8.2f}")
    return sorted(rows, key=lambda r: -r.weight)


def markdown(rows: list[Row], patients_per_arm: int, seed: int) -> str:
    """The table as a Markdown page: every parameter with its kind, its weight and its largest effects."""
    lines = [
        "# Sensitivity of the endpoints to every parameter",
        "",
        "Generated by `adqsp sensitivity` (`adqsp.trial.sensitivity`): normalised local sensitivities",
        f"dE / d ln p by central differences (log step {STEP}) on virtual trials with common random numbers,",
        f"{patients_per_arm} patients per arm, seed {seed}: the week-16 SOLO 1 endpoints with a published value and",
        "the week-16 differences between dupilumab and tralokinumab at their label regimens. Rates in percent",
        "points, changes in percent: a sensitivity of 5 means a 10% larger parameter moves the endpoint by about",
        "half a point. Weight: the largest absolute sensitivity; the three largest effects are listed.",
        "",
        "| parameter | value | kind | weight | largest effects |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        top = sorted(r.sensitivities.items(), key=lambda kv: -abs(kv[1]))[:3]
        effects = "; ".join(f"{label} {value:+.2f}" for label, value in top)
        lines.append(f"| {r.key} | {r.value:.4g} | {r.kind} | {r.weight:.2f} | {effects} |")
    assumed = [r for r in rows if r.kind == "assumed"][:10]
    lines += ["", "## The ten assumed parameters that weigh most", ""]
    lines += [f"{k}. `{r.key}` ({r.weight:.2f}): {r.source}" for k, r in enumerate(assumed, 1)]
    return "\n".join(lines) + "\n"
