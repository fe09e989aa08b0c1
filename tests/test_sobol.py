"""Global sensitivity: Sobol indices over sampled patients, batched through the engine; a read-out-only parameter
has no index on a clinical endpoint, the CLI writes its table and figure and rejects bad input in one line."""

import numpy as np
import pytest

from adqsp.errors import InputError
from adqsp.faces.cli import main
from adqsp.trial.sobol import sobol_indices

PARAMETERS = ("th2_drive", "exposure_les", "tarc_healthy", "pk_ke")


@pytest.fixture(scope="module")
def result():
    return sobol_indices("dupilumab", 8, PARAMETERS, ("easi_change", "tarc_pct_change"), samples=64, seed=1)


def test_indices_separate_what_drives_each_endpoint(result):
    assert result.simulated == 64 * (len(PARAMETERS) + 2)
    st = {e: dict(zip(result.parameters, result.ST[e], strict=True)) for e in result.endpoints}
    # serum TARC is a read-out: its constitutive level moves no clinical score (only the solver's step choices,
    # through the error norm, at the rounding level); IgE is not (it feeds the basophils' and mast cells' FcεRI)
    assert st["easi_change"]["tarc_healthy"] < 1e-6
    # ... while it moves its own read-out (0.04 at 64 samples with the parameters of 2026-12-07, the disease's
    # drivers taking most of TARC's variation)
    assert st["tarc_pct_change"]["tarc_healthy"] > 0.01
    # the disease's drivers explain the EASI response far more than dupilumab's clearance over its population range
    assert max(st["easi_change"]["th2_drive"], st["easi_change"]["exposure_les"]) > 0.2
    assert st["easi_change"]["pk_ke"] < 0.05
    for endpoint in result.endpoints:
        assert np.all(result.ST_conf[endpoint] >= 0.0) and np.all(np.isfinite(result.S1[endpoint]))


def test_the_same_seed_gives_the_same_indices_and_ranges_follow_the_variability(result):
    again = sobol_indices("dupilumab", 8, PARAMETERS, ("easi_change", "tarc_pct_change"), samples=64, seed=1)
    np.testing.assert_array_equal(again.ST["easi_change"], result.ST["easi_change"])
    k = result.parameters.index("pk_ke")  # log-SD 0.301: typical x exp(+-0.602)
    assert result.high[k] / result.low[k] == pytest.approx(np.exp(4 * 0.301), rel=1e-6)


def test_bad_arguments_name_the_argument():
    with pytest.raises(InputError, match="samples: must be a power of 2"):
        sobol_indices(samples=48)
    with pytest.raises(InputError, match="parameters: unknown parameter 'nope'"):
        sobol_indices(parameters=("th2_drive", "nope"))
    with pytest.raises(InputError, match="endpoints: unknown"):
        sobol_indices(endpoints=("easi",))


def test_cli_writes_the_table_and_figure_and_rejects_bad_input(tmp_path, capsys):
    out, picture = tmp_path / "sobol.md", tmp_path / "sobol.png"
    argv = ["sobol", "--samples", "16", "--weeks", "4", "--parameters", "th2_drive,exposure_les", "--out", str(out)]
    assert main([*argv, "--figure", str(picture)]) == 0
    assert "| th2_drive |" in out.read_text(encoding="utf-8") and picture.stat().st_size > 1000
    assert main(["sobol", "--samples", "12", "--out", str(tmp_path / "bad.md")]) == 2
    assert "--samples: must be a power of 2" in capsys.readouterr().err
    assert not (tmp_path / "bad.md").exists()
