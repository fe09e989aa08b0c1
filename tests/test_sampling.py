"""Random streams and virtual patients: Philox known answers, one stream per patient, the drawn distributions."""

from dataclasses import replace

import numpy as np
import pytest

from adqsp.assembly import build_model
from adqsp.endpoints.scores import NOISE_CHANNELS
from adqsp.model.declaration import Parameter
from adqsp.population.philox import normals, philox4x32, stream, uniforms
from adqsp.population.presets import PRESET_TABLE
from adqsp.population.sampling import noise_draws, sample
from adqsp.schema import PRESETS

# Random123 tests/kat_vectors, "philox4x32 10" lines: counter (4 words), key (2 words), expected output (4 words)
KNOWN_ANSWERS = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    (
        (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
        (0xA4093822, 0x299F31D0),
        (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1),
    ),
]


@pytest.mark.parametrize(("counter", "key", "expected"), KNOWN_ANSWERS)
def test_philox_gives_the_published_known_answers(counter, key, expected):
    assert tuple(int(w) for w in philox4x32(counter, key)) == expected


def test_a_patients_numbers_do_not_depend_on_who_else_is_drawn_or_how_many():
    whole = normals(np.arange(50), seed=9, purpose=1, k=7)
    np.testing.assert_array_equal(normals(np.array([31, 4]), seed=9, purpose=1, k=7), whole[[31, 4]])
    np.testing.assert_array_equal(normals(np.arange(50), seed=9, purpose=1, k=3), whole[:, :3])
    assert not np.isin(normals(np.arange(50), seed=9, purpose=2, k=7), whole).any()
    assert not np.isin(normals(np.arange(50), seed=10, purpose=1, k=7), whole).any()
    assert normals(np.arange(0), seed=9, purpose=1, k=7).shape == (0, 7)
    big = 2**40 + np.arange(3)  # indices beyond 32 bits use the counter's second index word
    assert not np.isin(normals(big, seed=9, purpose=1, k=7), whole).any()


def test_uniforms_and_normals_have_their_distributions():
    u = uniforms(np.arange(100_000), seed=3, purpose=0, k=4)
    assert 0.0 < u.min() and u.max() < 1.0
    counts, _ = np.histogram(u, bins=20, range=(0.0, 1.0))
    assert np.abs(counts / u.size - 0.05).max() < 0.002  # 400,000 draws: SD of a bin fraction 3.4e-4
    z = normals(np.arange(100_000), seed=3, purpose=0, k=4)
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1.0) < 0.01
    assert abs(np.corrcoef(z[:, 0], z[:, 1])[0, 1]) < 0.01  # positions within a patient
    assert abs(np.corrcoef(z[:-1, 0], z[1:, 0])[0, 1]) < 0.01  # neighbouring patients


def test_sampled_patients_follow_the_declared_variability_and_are_chunk_free():
    model = build_model("dupilumab")
    pop = sample(model, np.arange(20_000), seed=5)
    part = sample(model, np.arange(100, 140), seed=5)
    for name, values in part.values.items():
        np.testing.assert_array_equal(values, pop.values[name][100:140])
    for p in (p for p in model.parameters if p.log_sd > 0):
        log_values = np.log(pop.values[p.name] / p.value)
        assert abs(log_values.std() - p.log_sd) < 0.03 * p.log_sd, p.name
    assert abs(np.mean(pop.values["WT"]) - 75.7) < 1.0
    assert 0.0 <= pop.values["flare_phase"].min() and pop.values["flare_phase"].max() < 2 * np.pi


def test_declaring_a_new_varying_parameter_draws_nothing_anew_for_the_others():
    model = build_model("dupilumab")
    new = Parameter("new_spread", 1.0, "dimensionless", "assumed: a test parameter", 0.7)
    # first in the list, where a position-keyed stream would have shifted every other parameter's draw
    grown = replace(model, parameters=(new, *model.parameters))
    before, after = sample(model, np.arange(200), seed=3), sample(grown, np.arange(200), seed=3)
    assert set(after.values) == set(before.values) | {"new_spread"}
    for name, values in before.values.items():
        np.testing.assert_array_equal(after.values[name], values, err_msg=name)
    assert np.std(np.log(after.values["new_spread"])) > 0.5


def test_a_noise_channels_draws_do_not_depend_on_the_other_channels():
    both = noise_draws(np.arange(30), seed=4, n_visits=7, channels=("nrs", "easi"))
    alone = noise_draws(np.arange(30), seed=4, n_visits=7, channels=("easi",))
    np.testing.assert_array_equal(both["easi"], alone["easi"])
    assert not np.isin(both["nrs"], both["easi"]).any()


def test_the_streams_of_a_model_have_distinct_purpose_words():
    model = build_model("dupilumab")
    names = [f"parameter:{p.name}" for p in model.parameters] + ["covariate:WT", "covariate:AGE", "covariate:SEX"]
    names += ["flare_phase", "rescue", "arm"]
    names += [f"noise:{c}" for c in NOISE_CHANNELS]
    words = [stream(n) for n in names]
    assert len(set(words)) == len(words) and all(0 <= w < 2**32 for w in words)


def test_every_preset_a_scenario_may_name_has_a_body_weight_distribution():
    assert tuple(PRESET_TABLE) == PRESETS
    assert all((p.weight is None) != (p.band is None) for p in PRESET_TABLE.values())
