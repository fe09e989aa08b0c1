"""The HTML report: complete, self-contained, escaped, written atomically."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from adqsp.faces.report import write_report

ARMS = ("placebo <q2w>", "dupilumab 300 mg & co")
WEEKS = (0.0, 4.0, 16.0)


def _visit(drug: bool) -> dict:
    return {
        "EASI_pct_change": -70.0 if drug else -25.0,
        "EASI50": 0.7,
        "EASI75": 0.5,
        "EASI90": 0.3,
        "IGA01": 0.4,
        "NRS4": 0.4,
        "NRS_pct_change": -45.0,
        "serum_trough_mg_L": 80.0 if drug else None,
        "TARC_pct_change": -80.0,
        "IgE_pct_change": -70.0,
        "epidermal_thickness_pct_change": -20.0,
        "TEWL_pct_change": -30.0,
        "signature_reversal": 0.6,
    }


def _summary() -> dict:
    arms = []
    for i, name in enumerate(ARMS):
        drug = i == 1
        arms.append(
            {
                "name": name,
                "drug": "dupilumab" if drug else None,
                "n": 3,
                "excluded": i,
                "baseline": {"EASI_mean": 33.0, "IGA4_fraction": 0.5, "NRS_mean": 7.5, "BSA_mean": 50.0},
                "visits": {"4": _visit(drug), "16": _visit(drug)},
                "published": {"16": {"EASI_pct_change": -72.0, "EASI75": 0.48, "IGA01": 0.37}} if drug else {},
            }
        )
    return {"scenario": "SOLO <1>", "seed": 7, "version": "0.1.0", "weeks": 16.0, "arms": arms, "extra": 1}


def _patients() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for i, arm in enumerate(ARMS):
        for pid in range(3):
            for week in WEEKS:
                effect = i * week / 16
                rows.append(
                    {
                        "arm": arm,
                        "patient_id": pid,
                        "week": week,
                        "EASI": 30 * (1 - 0.7 * effect),
                        "IGA": 4,
                        "NRS": 7.0,
                        "BSA": 40.0,
                        "EASI_pct_change": -70 * effect + rng.normal(),
                        "serum_mg_L": 80.0 * i * (week > 0),
                        "il4ra_occupancy": 0.9 * i * (week > 0),
                        "TARC_pg_mL": 2000 * (1 - 0.8 * effect) + rng.normal(),
                        "IgE_IU_mL": 5000.0,
                        "epidermis_um": 120 * (1 - 0.2 * effect),
                        "TEWL": 30.0,
                        "signature_reversal": effect,
                        "LN_STAT6": 0.7 * (1 - effect),
                        "Th2_primed": 4.0 * (1 - 0.7 * effect),
                        "ILC2": 2.5 * (1 - 0.6 * effect),
                        "basophil_FceRI": 0.8 * (1 - 0.2 * effect),
                        "eosinophils": 500.0 + rng.normal(),
                        "macrophage_M2": 0.5 * (1 - 0.9 * effect),
                        "CCL18": 1.0 * (1 - 0.9 * effect),
                        "chronicity": 0.9 * (1 - 0.2 * effect),
                        "ok": not (pid == 2 and i == 0),
                    }
                )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One report written over a stale file: its path and its text as first written."""
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text("stale", encoding="utf-8")
    write_report(_summary(), _patients(), path)
    return path, path.read_text(encoding="utf-8")


def test_report_is_complete_self_contained_and_escaped(written: tuple[Path, str]) -> None:
    path, text = written
    assert text.startswith("<!DOCTYPE html>")
    assert text.rstrip().endswith("</html>")
    assert "stale" not in text
    assert text.count('<img src="data:image/png;base64,') == 6
    assert "one panel per layer" in text
    assert "placebo &lt;q2w&gt;" in text and "dupilumab 300 mg &amp; co" in text
    assert "SOLO &lt;1&gt;" in text
    assert "<q2w>" not in text and "SOLO <1>" not in text
    assert "http://" not in text and "https://" not in text
    assert "<script" not in text
    assert "48.0%" in text and "—" in text  # published EASI-75 and a missing published value
    assert [p.name for p in path.parent.iterdir()] == ["report.html"]


def test_second_call_overwrites_cleanly(written: tuple[Path, str]) -> None:
    path, _ = written
    summary = _summary()
    summary["scenario"] = "second run"
    write_report(summary, _patients(), path)
    text = path.read_text(encoding="utf-8")
    assert "second run" in text and "SOLO" not in text
    assert text.count('<img src="data:image/png;base64,') == 6
    assert "one panel per layer" in text
    assert [p.name for p in path.parent.iterdir()] == ["report.html"]


def test_missing_column_is_named_and_nothing_written(tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    with pytest.raises(ValueError, match="il4ra_occupancy"):
        write_report(_summary(), _patients().drop(columns="il4ra_occupancy"), path)
    assert list(tmp_path.iterdir()) == []
