"""Text tables: the declared parameter table, the trial endpoint table beside published values and the
screening's counts."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from adqsp.model.declaration import Model

if TYPE_CHECKING:
    from adqsp.trial.validate import Validation

_COLUMNS = (
    "name",
    "value",
    "interval_95",
    "unit",
    "log_sd",
    "log_sd_interval_95",
    "calibrated",
    "source",
    "description",
)


def parameter_table(model: Model, fmt: str = "table") -> str:
    """Every declared parameter with value, unit, variability and source, as text, CSV or Markdown."""
    rows = [
        {
            "name": p.name,
            "value": f"{p.value:.6g}",
            "interval_95": _interval(p.interval),
            "unit": p.unit,
            "log_sd": f"{p.log_sd:g}",
            "log_sd_interval_95": _interval(p.log_sd_interval),
            "calibrated": "yes" if p.calibrated else "",
            "source": p.source,
            "description": p.description,
        }
        for p in model.parameters
    ]
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buf.getvalue().rstrip("\n")
    if fmt == "markdown":
        lines = ["| " + " | ".join(_COLUMNS) + " |", "|" + "---|" * len(_COLUMNS)]
        lines += ["| " + " | ".join(r[c].replace("|", "\\|") for c in _COLUMNS) + " |" for r in rows]
        return "\n".join(lines)
    shown = ("name", "value", "interval_95", "unit", "log_sd", "log_sd_interval_95", "calibrated", "source")
    widths = {c: min(max(len(c), *(len(r[c]) for r in rows)), 60) for c in shown}
    lines = ["  ".join(c.ljust(widths[c]) for c in shown)]
    lines += ["  ".join(r[c][: widths[c]].ljust(widths[c]) for c in shown) for r in rows]
    return "\n".join(lines)


def _interval(interval: tuple[float, float] | None) -> str:
    """A 95% interval as ``low-high`` (empty where none: the value is not calibrated)."""
    return "" if interval is None else f"{interval[0]:.3g}-{interval[1]:.3g}"


def endpoint_table(summary: dict) -> str:
    """Endpoints at the last visit per arm, each beside its published value where known and, in a summary with an
    ``uncertainty`` block, the 5th-95th percentile band over the parameter draws."""
    from adqsp.trial.summary import BASELINE_KEYS, VISIT_KEYS  # here: the parameter table needs no trial code

    arms = summary["arms"]
    last = max(arms[0]["visits"], key=float)
    header = [f"week {last}"] + [a["name"] for a in arms]
    rows = [header]
    base = summary.get("published_baseline", {})
    bands = summary.get("uncertainty", {}).get("arms", {})
    for key in BASELINE_KEYS:
        rows.append([f"baseline {key}"] + [_cell(a["baseline"][key], base.get(key), key) for a in arms])
    for key in VISIT_KEYS:
        rows.append(
            [key]
            + [
                _cell(
                    a["visits"][last][key],
                    a.get("published", {}).get(last, {}).get(key),
                    key,
                    bands.get(a["name"], {}).get(last, {}).get(key),
                )
                for a in arms
            ]
        )
    lines = _aligned(rows)
    estimand = f"; estimand {summary['estimand']}" if "estimand" in summary else ""
    band = (
        f"; (p5 to p95): 90% band over {summary['uncertainty']['draws']} parameter sets drawn from the calibration's"
        " covariance, same patients"
        if bands
        else ""
    )
    what = "simulated [published] (p5 to p95)" if bands else "simulated [published]"
    return "\n".join(lines) + f"\n({what}; rates as fractions, changes in % from baseline{estimand}{band})"


#: the columns of :func:`period_table`: label and key of an arm's ``maintenance`` entry (None: the arm's own)
PERIOD_COLUMNS = (
    ("patients", None),
    ("responders", "responders"),
    ("maintained", "response_maintained"),
    ("kept", "response_kept"),
    ("median weeks to loss", "median_weeks_to_loss"),
    ("trough mg/L", "trough_mg_L"),
)


def period_rows(period: dict) -> list[list[str]]:
    """One row per arm of a later period (summary.json's ``periods`` entry): name, patients, then the maintenance
    endpoints of :data:`PERIOD_COLUMNS` ("—" where none)."""
    rows = []
    for arm in period["arms"]:
        maintenance = arm.get("maintenance") or {}
        cells = [str(arm["n"])]
        for _, key in PERIOD_COLUMNS[1:]:
            value = maintenance.get(key)
            cells.append("—" if value is None else f"{value:g}" if isinstance(value, int) else f"{value:.2f}")
        rows.append([arm["name"], *cells])
    return rows


def period_table(summary: dict) -> str:
    """Each later period of a multi-period trial: its arms' patients and maintenance endpoints, and who left."""
    blocks = []
    for period in summary.get("periods", [])[1:]:
        criteria = " or ".join(period["entry"]["criteria"]) or "none"
        header = [f"{period['name']} (weeks {period['start_week']:g}-{period['start_week'] + period['weeks']:g})"]
        lines = _aligned([header + [label for label, _ in PERIOD_COLUMNS], *period_rows(period)])
        left = sum(f["left"] for f in period["flow"].values())
        lines.append(
            f"(entry: {period['entry']['who']}; response: {criteria} against the original baseline; {left} left"
            " at the boundary; maintained/kept: fractions of the responders who entered)"
        )
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _aligned(rows: list[list[str]]) -> list[str]:
    """``rows`` (the first a header) as left-aligned columns, a rule of dashes under the header."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def _cell(value: float | None, published: float | None, key: str, band: list[float] | None = None) -> str:
    """``value [published] (p5 to p95)``, each part where known."""
    fmt = "{:.1f}" if key.endswith(("pct_change", "_mean", "mg_L")) else "{:.2f}"
    text = "—" if value is None else fmt.format(value)
    text = text if published is None else f"{text} [{fmt.format(published)}]"
    return text if band is None else f"{text} ({fmt.format(band[0])} to {fmt.format(band[2])})"


#: the screening's counts (summary.json's ``screening``) as the table and the report show them: label, key and depth
#: (0: every candidate; 2: part of the count above)
SCREENING_ROWS = (
    ("candidates screened", "candidates", 0),
    ("failed", "failed", 1),
    ("solver", "failed_solver", 2),
    ("non-finite", "failed_non_finite", 2),
    ("no steady state", "failed_steady_state", 2),
    ("excluded", "excluded", 1),
    ("EASI below minimum", "excluded_easi", 2),
    ("IGA below minimum", "excluded_iga", 2),
    ("BSA below minimum", "excluded_bsa", 2),
    ("eligible", "eligible", 1),
    ("enrolled", "enrolled", 2),
    ("arm already full", "eligible_arm_full", 2),
)


def screening_table(counts: dict[str, int]) -> str:
    """The screening's counts (summary.json's ``screening``), one line each, what a count is made of indented."""
    n = max(counts["candidates"], 1)
    labels = [f"{'  ' * (depth - 1) if depth else ''}{label}" for label, _, depth in SCREENING_ROWS]
    width = max(len(label) for label in labels)
    digits = len(str(counts["candidates"]))
    lines = [
        f"{label:<{width}}  {counts[key]:>{digits}}" + (f"  {100 * counts[key] / n:5.1f}%" if depth else "")
        for label, (_, key, depth) in zip(labels, SCREENING_ROWS, strict=True)
    ]
    header = "screening (% of the candidates up to the last one enrolled; a candidate may miss several criteria)"
    return header + "\n" + "\n".join(lines)


def validation_table(validation: Validation) -> str:
    """Every comparison (study, arm, week, endpoint, published, simulated, error), then the mean absolute error
    per endpoint kind and the rows skipped."""
    rows = [("study", "arm", "week", "endpoint", "published", "simulated", "error")]
    for c in validation.comparisons:
        t = c.target
        fmt = "{:.3f}" if c.kind == "rate" else "{:.1f}"
        rows.append(
            (
                t.study,
                t.arm,
                f"{t.week:g}",
                t.endpoint,
                fmt.format(t.published),
                fmt.format(c.simulated),
                f"{c.error:+.1f}",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("(rates as fractions, their errors in percentage points; % changes and their errors in points)")
    lines.append("\nmean absolute error per endpoint kind:")
    for kind, entry in validation.mean_absolute_errors().items():
        lines.append(f"  {kind}: {entry['mae']:.1f} {entry['unit']} over {entry['n']}")
    if validation.skipped:
        lines.append("rows skipped: " + ", ".join(f"{key} {n}" for key, n in validation.skipped.items()))
    return "\n".join(lines)
