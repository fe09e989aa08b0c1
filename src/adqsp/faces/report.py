"""Self-contained HTML report of a simulated trial: header, endpoint table and inline PNG plots.

The page needs no network: plots are base64 PNGs drawn with matplotlib's Agg canvas (no pyplot state is
touched), the CSS is inline and there is no JavaScript. The file is written atomically.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Iterable, Iterator
from html import escape
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from adqsp.faces.table import PERIOD_COLUMNS, SCREENING_ROWS, period_rows
from adqsp.files import write_atomic

#: endpoints of the table, in order, with their labels
_ENDPOINTS: dict[str, str] = {
    "EASI_pct_change": "EASI % change",
    "EASI50": "EASI-50",
    "EASI75": "EASI-75",
    "EASI90": "EASI-90",
    "IGA01": "IGA 0/1",
    "NRS4": "Pruritus NRS ≥4-point improvement",
    "NRS_pct_change": "Pruritus NRS % change",
    "serum_trough_mg_L": "Serum trough (mg/L)",
    "TARC_pct_change": "TARC % change",
    "IgE_pct_change": "Total IgE % change",
    "epidermal_thickness_pct_change": "Epidermal thickness % change",
    "TEWL_pct_change": "TEWL % change",
    "signature_reversal": "Transcriptomic signature reversal",
    "rescued_fraction": "Rescued",
    "dropout_fraction": "Dropped out",
}
#: response rates (fractions) shown as grouped bars
_RATES: dict[str, str] = {
    "EASI50": "EASI-50",
    "EASI75": "EASI-75",
    "EASI90": "EASI-90",
    "IGA01": "IGA 0/1",
    "NRS4": "NRS ≥4",
}
#: biomarker column of ``patients`` -> panel title
_BIOMARKERS: dict[str, str] = {
    "TARC_pg_mL": "TARC",
    "IgE_IU_mL": "Total IgE",
    "epidermis_um": "Epidermal thickness",
    "TEWL": "TEWL",
}
#: per-visit columns of the immune response (adqsp.disease.presentation, .innate, .macrophages, .lesion_age) ->
#: panel title
_IMMUNE: dict[str, str] = {
    "LN_STAT6": "Lymph-node STAT6 activity",
    "Th2_primed": "Primed Th2 cells (AU)",
    "ILC2": "Lesional ILC2s (AU)",
    "basophil_FceRI": "Basophil FcεRI (of maximal)",
    "eosinophils": "Blood eosinophils (cells/µL)",
    "macrophage_M2": "Lesional M2 macrophages (share)",
    "CCL18": "Lesional CCL18 (AU)",
    "chronicity": "Lesion chronicity (0-1)",
}
#: pathways of summary.json's ``pathway_activity`` (lesional skin, fractions of baseline) -> bar label
_PATHWAYS: dict[str, str] = {
    "type1": "Type 1 (IFN-γ)",
    "type2": "Type 2 (IL-4/IL-13, STAT6)",
    "type17": "Type 17 (IL-17)",
    "type22": "Type 22 (IL-22)",
}
#: horizontal offset between arms' parameter-band error bars on the EASI figure (weeks)
_BAND_SHIFT_WEEKS = 0.15
_BASELINE: dict[str, str] = {"EASI_mean": "EASI", "IGA4_fraction": "IGA 4", "NRS_mean": "NRS", "BSA_mean": "BSA (%)"}
#: per-patient columns the report needs (``serum_mg_L`` too where an arm gives a drug)
_COLUMNS = ("arm", "patient_id", "week", "EASI_pct_change", "il4ra_occupancy", *_BIOMARKERS, "ok")
_CSS = """
body { font-family: system-ui, sans-serif; max-width: 960px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead th { background: #f0f0f0; }
td.pub { color: #555; font-style: italic; }
td.sub { padding-left: 1.6em; }
p.warn { color: #8a3b00; font-weight: bold; }
figure { margin: 1.2em 0; } img { max-width: 100%; }
figcaption { font-size: 0.9em; color: #444; }
"""


def write_report(summary: dict, patients: pd.DataFrame, path: Path) -> None:
    """Write the HTML report of ``summary`` and per-patient ``patients`` to ``path`` (atomically)."""
    missing = [c for c in _COLUMNS if c not in patients.columns]
    if missing:
        raise ValueError(f"patients: missing columns {', '.join(missing)}")
    ok = patients.loc[patients["ok"].eq(True)]
    arms = [a["name"] for a in summary["arms"]]
    arms += [a["name"] for p in summary.get("periods", [])[1:] for a in p["arms"] if a["name"] not in arms]
    arms += [a for a in pd.unique(ok["arm"]) if a not in arms]
    colors = {a: f"C{i % 10}" for i, a in enumerate(arms)}
    figures = [
        (
            _plot_easi(summary, ok, arms, colors),
            "Mean EASI % change from baseline per arm; band: 95% confidence interval of the mean. "
            "Diamonds: published values." + _uncertainty_caption(summary),
        ),
        (
            _plot_rates(summary, colors),
            "Response rates at each arm's last visit. Diamonds: published values." + _uncertainty_caption(summary),
        ),
        (
            _plot_biomarkers(ok, arms, colors),
            "Biomarkers: mean % change from each patient's first visit; band: 95% confidence interval of the mean.",
        ),
        (
            _plot_occupancy(ok, arms, colors),
            "Lesional keratinocyte IL-4Rα occupancy by drug: median (line) and 5–95th percentile band.",
        ),
    ]
    if all(c in ok.columns for c in _IMMUNE):  # not in older results
        figures.append(
            (
                _plot_immune(ok, arms, colors),
                "The immune response, one panel per layer (priming in the lymph node, innate type 2 cells and the IgE"
                " loop, eosinophils, macrophages, lesion age): mean per arm; band: 95% confidence interval of the"
                " mean.",
            )
        )
    if any("pathway_activity" in _last_visit(arm)[1] for arm in summary["arms"]):  # not in older summaries
        figures.append((_plot_pathways(summary, colors), _pathway_caption(summary)))
    if "serum_mg_L" in patients.columns:  # a trial with a drug arm
        figures.insert(
            2,
            (
                _plot_pk(ok, arms, colors),
                "Drug serum concentration: median (line) and 5–95th percentile band; arms without drug exposure"
                " omitted.",
            ),
        )
    for period in summary.get("periods", [])[1:]:
        if any(arm.get("maintenance") for arm in period["arms"]):
            figures.append((_plot_loss(period, colors), _loss_caption(period)))
    page = _page(summary, figures)
    write_atomic(path, lambda tmp: tmp.write_text(page, encoding="utf-8"))


def _page(summary: dict, figures: list[tuple[str, str]]) -> str:
    """The whole HTML document; ``figures`` are (base64 PNG, caption) pairs."""
    title = f"adqsp report — {summary['scenario']}"
    meta = (
        f"Scenario <b>{escape(str(summary['scenario']))}</b> · seed {escape(str(summary['seed']))} · "
        f"adqsp {escape(str(summary['version']))} · {escape(_num(summary.get('weeks')))} weeks"
    )
    if "estimand" in summary:
        meta += f" · estimand {escape(str(summary['estimand']))}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{escape(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{escape(title)}</h1>",
        f"<p>{meta}</p>",
        *(f'<p class="warn">Warning: {escape(str(line))}</p>' for line in summary.get("warnings") or ()),
        "<h2>Arms</h2>",
        _arms_table(summary["arms"]),
        *(("<h2>Screening</h2>", _screening_table(summary["screening"])) if summary.get("screening") else ()),
        "<h2>Endpoints at the last visit</h2>",
        _endpoint_table(summary["arms"]),
        *(_periods_section(summary["periods"]) if summary.get("periods") else ()),
        "<h2>Plots</h2>",
    ]
    for png, caption in figures:
        parts.append(
            f'<figure><img src="data:image/png;base64,{png}" alt="{escape(caption)}">'
            f"<figcaption>{escape(caption)}</figcaption></figure>"
        )
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _periods_section(periods: list[dict]) -> list[str]:
    """The periods of a multi-period trial: each one's weeks and arms; for a later one the flow of patients from
    the previous arms and its arms' maintenance endpoints."""
    parts = ["<h2>Periods</h2>", "<table><thead><tr><th>Period</th><th>Weeks</th><th>Entry</th></tr></thead><tbody>"]
    for period in periods:
        start, end = period["start_week"], period["start_week"] + period["weeks"]
        entry = period.get("entry")
        rule = "screened and randomised" if entry is None else entry["who"]
        if entry and entry["criteria"]:
            rule += f" ({' or '.join(entry['criteria'])} against the original baseline)"
        if entry and entry["non_responders"]:
            rule += f"; non-responders to {entry['non_responders']}"
        parts.append(f"<tr><td>{escape(period['name'])}</td><td>{start:g}–{end:g}</td><td>{escape(rule)}</td></tr>")
    parts.append("</tbody></table>")
    for period in periods[1:]:
        parts.append(f"<h3>{escape(period['name'])}: where the patients went</h3>")
        targets = list(dict.fromkeys(name for flow in period["flow"].values() for name in flow["to"]))
        head = "".join(f"<th>{escape(t)}</th>" for t in targets)
        parts.append(
            f"<table><thead><tr><th>From</th><th>In the trial</th><th>Responders</th>{head}<th>Left</th></tr>"
            "</thead><tbody>"
        )
        for source, flow in period["flow"].items():
            cells = "".join(f"<td>{flow['to'].get(t, 0)}</td>" for t in targets)
            responders = "—" if flow["responders"] is None else flow["responders"]
            parts.append(
                f"<tr><td>{escape(source)}</td><td>{flow['present']}</td><td>{responders}</td>{cells}"
                f"<td>{flow['left']}</td></tr>"
            )
        parts.append("</tbody></table>")
        parts.append(f"<h3>{escape(period['name'])}: maintenance among the responders who entered</h3>")
        head = "".join(f"<th>{escape(label)}</th>" for label, _ in PERIOD_COLUMNS)
        parts.append(f"<table><thead><tr><th>Arm</th>{head}</tr></thead><tbody>")
        for row in period_rows(period):
            parts.append("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>")
        parts.append("</tbody></table>")
    return parts


def _plot_loss(period: dict, colors: dict[str, str]) -> str:
    """Kaplan-Meier curves of keeping the response, one step line per arm of a later period."""
    fig, ax = _figure()
    for arm in period["arms"]:
        maintenance = arm.get("maintenance")
        if not maintenance or not maintenance["responders"]:
            continue
        curve = maintenance["loss_of_response"] + [{"week": period["start_week"] + period["weeks"]}]
        weeks = [point["week"] for point in curve]
        kept = [point["kept"] for point in curve[:-1]]
        ax.step(weeks, [*kept, kept[-1]], where="post", color=colors.get(arm["name"], "C0"), label=_label(arm["name"]))
    ax.set_ylim(0, 1.02)
    _finish(ax, "Responders keeping their response")
    return _png(fig)


def _loss_caption(period: dict) -> str:
    criteria = " or ".join(period["entry"]["criteria"])
    return (
        f"{period['name']}: time to loss of response (Kaplan-Meier) among the patients who entered as responders"
        f" ({criteria} against the original baseline); a loss is the first visit meeting no criterion or after"
        " rescue; dropout censors."
    )


def _arms_table(arms: list[dict]) -> str:
    """Arm, drug, patients simulated and excluded, and baseline means."""
    head = "".join(f"<th>Baseline {escape(v)}</th>" for v in _BASELINE.values())
    rows = [f"<table><thead><tr><th>Arm</th><th>Drug</th><th>Patients</th><th>Excluded</th>{head}</tr></thead><tbody>"]
    for arm in arms:
        baseline = arm.get("baseline") or {}
        cells = "".join(f"<td>{escape(_fmt(k, baseline.get(k)))}</td>" for k in _BASELINE)
        drug = arm.get("drug")
        rows.append(
            f"<tr><td>{escape(str(arm['name']))}</td><td>{escape(str(drug)) if drug else '—'}</td>"
            f"<td>{int(arm['n'])}</td><td>{int(arm['excluded'])}</td>{cells}</tr>"
        )
    rows.append("</tbody></table>")
    return "\n".join(rows)


def _screening_table(counts: dict) -> str:
    """The screening's counts, each with its share of the candidates."""
    n = max(int(counts.get("candidates") or 0), 1)
    rows = ["<table><thead><tr><th>Candidates (up to the last one enrolled)</th><th>Number</th><th>Share</th></tr>"]
    rows.append("</thead><tbody>")
    for label, key, depth in SCREENING_ROWS:
        if key in counts:
            share = f"{100 * int(counts[key]) / n:.1f}%" if depth else ""
            cls = ' class="sub"' if depth == 2 else ""
            rows.append(f"<tr><td{cls}>{escape(label)}</td><td>{int(counts[key])}</td><td>{share}</td></tr>")
    rows.append("</tbody></table>")
    rows.append("<p>A candidate may miss several criteria.</p>")
    return "\n".join(rows)


def _endpoint_table(arms: list[dict]) -> str:
    """Simulated endpoints at each arm's last visit beside the published values at that week."""
    last = [_last_visit(arm) for arm in arms]
    published = [_at_week(arm.get("published") or {}, week) for arm, (week, _) in zip(arms, last, strict=True)]
    endpoints = list(_ENDPOINTS)
    endpoints += sorted({k for p in published for k in p if k not in _ENDPOINTS})
    top = "".join(
        f'<th colspan="2">{escape(str(arm["name"]))}<br>week {escape(_num(week))}</th>'
        for arm, (week, _) in zip(arms, last, strict=True)
    )
    sub = "<th>simulated</th><th>published</th>" * len(arms)
    rows = [f'<table><thead><tr><th rowspan="2">Endpoint</th>{top}</tr><tr>{sub}</tr></thead><tbody>']
    for key in endpoints:
        cells = "".join(
            f'<td>{escape(_fmt(key, visit.get(key)))}</td><td class="pub">{escape(_fmt(key, pub.get(key)))}</td>'
            for (_, visit), pub in zip(last, published, strict=True)
        )
        rows.append(f"<tr><td>{escape(_ENDPOINTS.get(key, key))}</td>{cells}</tr>")
    rows.append("</tbody></table>")
    return "\n".join(rows)


def _last_visit(arm: dict) -> tuple[float, dict]:
    """(week, endpoints) of the arm's last visit; (nan, {}) without visits."""
    visits = arm.get("visits") or {}
    if not visits:
        return math.nan, {}
    key = max(visits, key=float)
    return float(key), visits[key]


def _at_week(by_week: dict, week: float) -> dict:
    """The entry of a week-keyed dict whose key equals ``week`` numerically, or {}."""
    return next((v for k, v in by_week.items() if float(k) == week), {})


def _fmt(key: str, value: object) -> str:
    """Value formatted for the tables: rates and fractions in %, changes signed, '—' when missing."""
    if value is None or not math.isfinite(v := float(value)):
        return "—"
    if key in _RATES or key.endswith("_fraction"):
        return f"{100 * v:.1f}%"
    if key.endswith("_pct_change"):
        return f"{v:+.1f}%"
    if key.endswith("_mean"):
        return f"{v:.1f}"
    return f"{v:.3g}"


def _num(value: object) -> str:
    """A number such as a week without trailing zeros; '—' when missing."""
    return "—" if value is None or not math.isfinite(float(value)) else f"{float(value):g}"


def _label(name: object) -> str:
    """Text safe for matplotlib (no mathtext)."""
    return str(name).replace("$", r"\$")


def _mean_ci(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per week: mean of ``column`` and its 95% confidence interval (normal approximation)."""
    g = frame.groupby("week")[column].agg(["mean", "std", "count"]).sort_index()
    half = 1.96 * g["std"] / np.sqrt(g["count"])
    return pd.DataFrame({"mid": g["mean"], "lo": g["mean"] - half, "hi": g["mean"] + half})


def _median_band(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per week: median of ``column`` and its 5th and 95th percentiles."""
    g = frame.groupby("week")[column]
    return pd.DataFrame({"mid": g.median(), "lo": g.quantile(0.05), "hi": g.quantile(0.95)}).sort_index()


def _draw_band(ax: Axes, band: pd.DataFrame, color: str, label: str, scale: float = 1.0) -> None:
    """A line with markers and a shaded band."""
    x = band.index.to_numpy(float)
    ax.plot(x, scale * band["mid"].to_numpy(float), "-o", color=color, label=label, markersize=3)
    ax.fill_between(
        x, scale * band["lo"].to_numpy(float), scale * band["hi"].to_numpy(float), color=color, alpha=0.2, linewidth=0
    )


def _finish(ax: Axes, ylabel: str, xlabel: str = "Week", legend: bool = True) -> None:
    """Axis labels, grid, legend when asked and something is labelled, 'no data' when nothing was drawn yet."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    if not ax.has_data():
        ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", va="center", color="#888")
    if legend and ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize="small")


def _by_arm(frame: pd.DataFrame, arms: Iterable[str]) -> Iterator[tuple[str, pd.DataFrame]]:
    """(arm, rows) in the given arm order, skipping arms without rows."""
    for arm in arms:
        rows = frame.loc[frame["arm"] == arm]
        if not rows.empty:
            yield arm, rows


def _plot_easi(summary: dict, ok: pd.DataFrame, arms: list[str], colors: dict[str, str]) -> str:
    """Mean EASI % change over time with 95% CI, and published points."""
    fig, ax = _figure()
    for arm, rows in _by_arm(ok, arms):
        _draw_band(ax, _mean_ci(rows, "EASI_pct_change"), colors[arm], _label(arm))
    points = [
        (float(week), values["EASI_pct_change"], colors[arm["name"]])
        for arm in summary["arms"]
        for week, values in (arm.get("published") or {}).items()
        if values.get("EASI_pct_change") is not None
    ]
    for i, (week, value, color) in enumerate(points):
        ax.plot(week, value, "D", color=color, markeredgecolor="k", label="published" if i == 0 else None)
    bands = (summary.get("uncertainty") or {}).get("arms", {})
    for i, arm in enumerate(a for a in arms if a in bands):
        # the parameter band at each visit, each arm's bars shifted a little so they do not overlap
        weeks = [w for w, entries in bands[arm].items() if entries.get("EASI_pct_change") is not None]
        x = np.array([float(w) for w in weeks]) + _BAND_SHIFT_WEEKS * (i - (len(bands) - 1) / 2)
        p5, p50, p95 = np.array([bands[arm][w]["EASI_pct_change"] for w in weeks], dtype=float).T.reshape(3, -1)
        label = "5–95th percentile over parameter draws" if i == 0 else None
        ax.errorbar(x, p50, yerr=(p50 - p5, p95 - p50), fmt="none", ecolor=colors[arm], capsize=3, label=label)
    _finish(ax, "EASI % change from baseline")
    ax.axhline(0, color="#888", linewidth=0.8)
    return _png(fig)


def _plot_rates(summary: dict, colors: dict[str, str]) -> str:
    """Grouped bars of response rates at the last visit, published values as markers."""
    fig, ax = _figure()
    x = np.arange(len(_RATES))
    width = 0.8 / max(len(summary["arms"]), 1)
    labelled = False
    for i, arm in enumerate(summary["arms"]):
        week, visit = _last_visit(arm)
        published = _at_week(arm.get("published") or {}, week)
        offset = x - 0.4 + width * (i + 0.5)
        rates = [_percent(visit.get(k)) for k in _RATES]
        ax.bar(offset, rates, width, color=colors[arm["name"]], label=f"{_label(arm['name'])} (week {_num(week)})")
        band = _at_week((summary.get("uncertainty") or {}).get("arms", {}).get(arm["name"], {}), week)
        if band:  # the parameter band of each rate, as an error bar around the band's median
            p5, p50, p95 = (np.array([_percent((band.get(k) or [None] * 3)[j]) for k in _RATES]) for j in range(3))
            ax.errorbar(offset, p50, yerr=(p50 - p5, p95 - p50), fmt="none", ecolor="k", capsize=2)
        for xi, key in zip(offset, _RATES, strict=True):
            if published.get(key) is not None:
                ax.plot(xi, _percent(published[key]), "D", color="k", label=None if labelled else "published")
                labelled = True
    ax.set_xticks(x, list(_RATES.values()))
    ax.set_ylim(0, 100)
    _finish(ax, "Responders (%)", xlabel="")
    return _png(fig)


def _plot_pathways(summary: dict, colors: dict[str, str]) -> str:
    """Grouped bars of each arm's lesional pathway activities at its last visit, as fractions of baseline."""
    fig, ax = _figure()
    x = np.arange(len(_PATHWAYS))
    width = 0.8 / max(len(summary["arms"]), 1)
    top = 1.0
    for i, arm in enumerate(summary["arms"]):
        week, visit = _last_visit(arm)
        activity = visit.get("pathway_activity") or {}
        values = [math.nan if activity.get(k) is None else float(activity[k]) for k in _PATHWAYS]
        offset = x - 0.4 + width * (i + 0.5)
        ax.bar(offset, values, width, color=colors[arm["name"]], label=f"{_label(arm['name'])} (week {_num(week)})")
        top = max([top, *(v for v in values if math.isfinite(v))])
    ax.axhline(1.0, color="k", linewidth=0.8)
    ax.set_ylim(0, 1.3 * top)  # room for the legend above the line at 1
    ax.set_xticks(x, list(_PATHWAYS.values()))
    _finish(ax, "Activity (fraction of baseline)", xlabel="")
    return _png(fig)


def _pathway_caption(summary: dict) -> str:
    """One sentence: what the pathway figure shows, and each arm's type 2 and type 1 activity at its last visit."""
    shares = []
    for arm in summary["arms"]:
        activity = _last_visit(arm)[1].get("pathway_activity") or {}
        type2, type1 = ("—" if activity.get(k) is None else f"{100 * activity[k]:.0f}%" for k in ("type2", "type1"))
        shares.append(f"{arm['name']} {type2} / {type1}")
    return (
        "Pathway profile at each arm's last visit: mean lesional activity of the type 1 (IFN-γ), type 2 (IL-4/IL-13"
        " signalling through STAT6), type 17 (IL-17) and type 22 (IL-22) pathways as a fraction of each patient's"
        f" baseline (line at 1); type 2 / type 1: {', '.join(shares)}."
    )


def _uncertainty_caption(summary: dict) -> str:
    """A sentence on the error bars of a summary with an ``uncertainty`` block; empty without one."""
    block = summary.get("uncertainty")
    if not block:
        return ""
    return (
        f" Error bars: 5th–95th percentile (around the median) over {block['draws']} parameter sets drawn from the"
        f" calibration's covariance (seed {block['seed']}), the same patients in each; the"
        f" {len(block['not_determined'])} keys the targets do not determine stay at their fitted values."
    )


def _percent(value: object) -> float:
    """A fraction as percent; nan when missing."""
    return math.nan if value is None else 100 * float(value)


def _plot_pk(ok: pd.DataFrame, arms: list[str], colors: dict[str, str]) -> str:
    """Median and 5-95% band of serum concentration per drug arm."""
    fig, ax = _figure()
    for arm, rows in _by_arm(ok, arms):
        if (rows["serum_mg_L"] > 0).any():
            _draw_band(ax, _median_band(rows, "serum_mg_L"), colors[arm], _label(arm))
    _finish(ax, "Serum concentration (mg/L)")
    return _png(fig)


def _plot_biomarkers(ok: pd.DataFrame, arms: list[str], colors: dict[str, str]) -> str:
    """Small multiples of mean % change from first visit of each biomarker."""
    fig = Figure(figsize=(9, 6))
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.09, top=0.95, wspace=0.25, hspace=0.25)
    axes = fig.subplots(2, 2, sharex=True).ravel()
    ordered = ok.sort_values("week")
    for i, (ax, (column, title)) in enumerate(zip(axes, _BIOMARKERS.items(), strict=True)):
        base = ordered.groupby(["arm", "patient_id"])[column].transform("first")
        change = ordered.assign(pct=100 * (ordered[column] / base.where(base > 0) - 1))
        for arm, rows in _by_arm(change, arms):
            _draw_band(ax, _mean_ci(rows, "pct"), colors[arm], _label(arm))
        ax.set_title(title)
        _finish(ax, "% change", xlabel="Week" if i >= 2 else "", legend=i == 0)
        ax.axhline(0, color="#888", linewidth=0.8)
    return _png(fig)


def _plot_immune(ok: pd.DataFrame, arms: list[str], colors: dict[str, str]) -> str:
    """Small multiples of the mean of each immune read-out per arm."""
    fig = Figure(figsize=(12, 6))
    fig.subplots_adjust(left=0.06, right=0.98, bottom=0.09, top=0.95, wspace=0.35, hspace=0.3)
    axes = fig.subplots(2, 4, sharex=True).ravel()
    for i, (ax, (column, title)) in enumerate(zip(axes, _IMMUNE.items(), strict=True)):
        for arm, rows in _by_arm(ok, arms):
            _draw_band(ax, _mean_ci(rows, column), colors[arm], _label(arm))
        ax.set_title(title)
        _finish(ax, "", xlabel="Week" if i >= 4 else "", legend=i == 0)
    return _png(fig)


def _plot_occupancy(ok: pd.DataFrame, arms: list[str], colors: dict[str, str]) -> str:
    """Median and 5-95% band of lesional IL-4Ra occupancy per arm."""
    fig, ax = _figure()
    for arm, rows in _by_arm(ok, arms):
        _draw_band(ax, _median_band(rows, "il4ra_occupancy"), colors[arm], _label(arm), scale=100.0)
    ax.set_ylim(-2, 102)
    _finish(ax, "IL-4Rα occupancy (%)")
    return _png(fig)


def _figure() -> tuple[Figure, Axes]:
    """A single-axes figure outside pyplot (nothing to close); fixed margins, as a layout engine is slow."""
    fig = Figure(figsize=(8, 4.5))
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.11, top=0.96)
    return fig, fig.add_subplot()


def _png(fig: Figure) -> str:
    """The figure as base64 PNG (no metadata, so the page is reproducible)."""
    buffer = io.BytesIO()
    FigureCanvasAgg(fig).print_png(buffer, metadata={"Software": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")
