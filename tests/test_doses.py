"""Doses as events: a dose target's inputs (bolus after a lag; zero-order start and end) per patient, the window a
run keeps, and the one-line errors of a fraction or timing the engines cannot honour."""

import numpy as np
import pytest

from adqsp.assembly import compiled
from adqsp.drugs.registry import load_record, shipped_text
from adqsp.engine.doses import dose_events
from adqsp.errors import InputError

UPA = compiled("upadacitinib")


def _events(P, times=(0.0, 1.0), mg=15.0):
    return dose_events(UPA.model, P, np.array(times), np.full((len(times), P.shape[1]), mg))


def test_a_dose_splits_into_a_lagged_bolus_and_a_zero_order_input():
    P = UPA.parameter_matrix({}, 2)
    value = {p.name: p.value for p in UPA.model.parameters}
    ev = _events(P)
    lag, duration, f, fz = (value[k] for k in ("pk_lag", "pk_D", "pk_F", "pk_fz"))
    np.testing.assert_allclose(ev.times, [lag, lag, lag + duration, 1 + lag, 1 + lag, 1 + lag + duration])
    depot, rate = (UPA.model.state_names.index(s) for s in ("gut_depot", "zero_order_input"))
    assert list(ev.rows) == [depot, rate, rate, depot, rate, rate]
    np.testing.assert_allclose(ev.increments[0], 15.0 * f * (1 - fz))
    np.testing.assert_allclose(ev.increments[1], 15.0 * f * fz / duration)
    np.testing.assert_allclose(ev.increments[2], -15.0 * f * fz / duration)


def test_a_window_keeps_an_input_whole_or_not_at_all():
    ev = _events(UPA.parameter_matrix({}, 1))
    later = ev.within(0.05, 2.0)  # the first dose's input started before the window: its end goes with it
    assert np.all(later.times >= 1.0)
    assert len(later.times) == 3 and np.isclose(later.increments.sum(axis=0)[0], later.increments[0, 0])


def test_fractions_outside_0_1_and_no_patients():
    P = UPA.parameter_matrix({}, 1)
    P[UPA.model.parameter_names.index("pk_fz")] = 1.2
    with pytest.raises(InputError, match="pk_fz: is a fraction of the dose: must be within 0-1, got 1.2"):
        _events(P)
    assert len(_events(UPA.parameter_matrix({}, 0)).times) == 0


def test_the_record_keeps_dose_event_keys_shared_and_without_covariates(tmp_path):
    text = shipped_text("upadacitinib")
    bad = tmp_path / "bad.toml"
    bad.write_text(
        text.replace('name = "upadacitinib"', 'name = "upa_copy"').replace(
            "fz = { value = 0.745,", "fz = { value = 0.745, log_sd = 0.1,"
        ),
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"parameters\.fz\.log_sd: shapes the dose events"):
        load_record(bad)
    covariate = '{ parameter = "F", covariate = "WT", reference = 74.0, coefficient = 0.1, source = "x 2020" },\n'
    bad.write_text(
        text.replace('name = "upadacitinib"', 'name = "upa_copy"').replace(
            "covariates = [\n", "covariates = [\n  " + covariate
        ),
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"covariates\[?\.?0\]?\.?parameter: dose events read F"):
        load_record(bad)
