"""Scenario files: the embedded default, validation with InputError naming the field, and load_scenario."""

from __future__ import annotations

import copy
import math
import tomllib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adqsp.errors import InputError
from adqsp.schema import MAX_PATIENTS_PER_ARM, MAX_WEEKS
from adqsp.trial.scenario import Scenario, default_scenario_text, load_scenario, parse_scenario

BASE = {
    "name": "test trial",
    "weeks": 16,
    "visits": [0, 4, 8, 16],
    "patients_per_arm": 10,
    "seed": 3,
    "population": {"preset": "adult", "easi_min": 16, "iga_min": 3, "bsa_min_pct": 10},
    "arms": [
        {"name": "placebo"},
        {
            "name": "dupilumab q2w",
            "drug": "dupilumab",
            "doses": [{"mg": 600, "week": 0}, {"mg": 300, "every_weeks": 2, "from_week": 2}],
        },
    ],
}


def _base() -> dict:
    return copy.deepcopy(BASE)


# --- the embedded default -----------------------------------------------------------------------------------------


def test_embedded_default_parses():
    scenario = load_scenario()
    assert isinstance(scenario, Scenario)
    assert scenario.name == "solo1"
    assert scenario.weeks == 16
    assert len(scenario.arms) == 3
    assert 0 in scenario.visits and 16 in scenario.visits
    assert scenario.visit_weeks[0] == 0.0 and scenario.visit_weeks[-1] == 16.0
    assert scenario.patients_per_arm == 1000
    assert scenario.preset == "adult"
    assert len({a.name for a in scenario.arms}) == 3


def test_embedded_default_arms_and_regimens():
    placebo, q2w, qw = load_scenario().arms
    assert placebo.drug is None and placebo.regimen.entries == ()
    assert q2w.drug.name == qw.drug.name == "dupilumab"
    times, amounts = q2w.regimen.events(112.0, np.array([70.0]))
    assert times.tolist() == [14.0 * k for k in range(9)]
    assert amounts[:, 0].tolist() == [600.0] + [300.0] * 8
    times, amounts = qw.regimen.events(112.0, np.array([70.0]))
    assert times.tolist() == [7.0 * k for k in range(17)]
    assert amounts[:, 0].tolist() == [600.0] + [300.0] * 16


def test_embedded_text_is_what_load_scenario_returns():
    assert parse_scenario(tomllib.loads(default_scenario_text())) == load_scenario()


def test_load_scenario_reads_a_file(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(default_scenario_text().replace('name = "solo1"', 'name = "copy"'), encoding="utf-8")
    scenario = load_scenario(path)
    assert scenario.name == "copy"
    assert scenario.arms == load_scenario().arms


# --- valid variations ---------------------------------------------------------------------------------------------


def test_base_parses_with_defaults_applied():
    data = _base()
    for key in ("visits", "patients_per_arm", "seed", "population"):
        del data[key]
    scenario = parse_scenario(data)
    assert scenario.patients_per_arm == 300
    assert scenario.seed == 0
    assert scenario.preset == "adult"
    assert scenario.visits == ()
    assert scenario.visit_weeks == (0.0, 16.0)
    assert scenario.parameters == ()


def test_names_are_stripped():
    data = _base()
    data["name"] = "  padded  "
    data["arms"][0]["name"] = " placebo "
    scenario = parse_scenario(data)
    assert scenario.name == "padded"
    assert scenario.arms[0].name == "placebo"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("weeks", MAX_WEEKS),
        ("weeks", 0.5),
        ("patients_per_arm", 1),
        ("patients_per_arm", MAX_PATIENTS_PER_ARM),
        ("seed", 0),
        ("seed", 2**63 - 1),
        ("visits", []),
        ("compare_to", ["SOLO 1"]),
    ],
)
def test_boundary_values_are_accepted(key, value):
    data = _base()
    data[key] = value
    if key == "weeks":
        data["visits"] = [0]
    assert isinstance(parse_scenario(data), Scenario)


def test_parameter_override_is_kept():
    data = _base()
    data["parameters"] = {"th2_drive": 2.5, "itch_half": 1}
    assert parse_scenario(data).parameters == (("itch_half", 1.0), ("th2_drive", 2.5))


def test_adolescent_preset_with_weight_tiers():
    data = _base()
    data["population"] = {"preset": "adolescent"}
    data["arms"][1]["doses"] = [
        {"mg": 400, "week": 0, "weight_below_kg": 60},
        {"mg": 200, "every_weeks": 2, "from_week": 2, "weight_below_kg": 60},
        {"mg": 600, "week": 0, "weight_at_least_kg": 60},
        {"mg": 300, "every_weeks": 2, "from_week": 2, "weight_at_least_kg": 60},
    ]
    scenario = parse_scenario(data)
    assert scenario.preset == "adolescent"
    _, amounts = scenario.arms[1].regimen.events(14.0, np.array([50.0, 70.0]))
    assert amounts.tolist() == [[400.0, 600.0], [200.0, 300.0]]


@pytest.mark.parametrize(
    ("drug", "pk_model"),
    [
        ("dupilumab", "kovalenko2016"),
        ("dupilumab", "kovalenko2020_model4"),
        ("tralokinumab", None),
        ("lebrikizumab", None),
    ],
)
def test_other_drugs_and_pk_models(drug, pk_model):
    data = _base()
    data["arms"][1]["drug"] = drug
    if pk_model:
        data["arms"][1]["pk_model"] = pk_model
    arm = parse_scenario(data).arms[1]
    assert (arm.drug.name, arm.pk_model) == (drug, pk_model)


# --- errors -------------------------------------------------------------------------------------------------------


def _set(path: tuple, value):
    """A mutation of BASE: set ``value`` at ``path`` (``...`` deletes the key)."""

    def mutate(data: dict) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        if value is ...:
            del target[path[-1]]
        else:
            target[path[-1]] = value

    return mutate


_ERRORS = [
    ("name missing", _set(("name",), ...), "name"),
    ("name empty", _set(("name",), ""), "name"),
    ("name blank", _set(("name",), "   "), "name"),
    ("name with slash", _set(("name",), "a/b"), "name"),
    ("name with backslash", _set(("name",), "a\\b"), "name"),
    ("name is ..", _set(("name",), ".."), "name"),
    ("name starts with dot", _set(("name",), ".hidden"), "name"),
    ("name with NUL", _set(("name",), "a\0b"), "name"),
    ("name not a string", _set(("name",), 5), "name"),
    ("name too long", _set(("name",), "x" * 101), "name"),
    ("weeks missing", _set(("weeks",), ...), "weeks"),
    ("weeks 0", _set(("weeks",), 0), "weeks"),
    ("weeks negative", _set(("weeks",), -4), "weeks"),
    ("weeks > 520", _set(("weeks",), 521), "weeks"),
    ("weeks just above 520", _set(("weeks",), 520.001), "weeks"),
    ("weeks string", _set(("weeks",), "16"), "weeks"),
    ("weeks bool", _set(("weeks",), True), "weeks"),
    ("weeks nan", _set(("weeks",), math.nan), "weeks"),
    ("weeks inf", _set(("weeks",), math.inf), "weeks"),
    ("visits decreasing", _set(("visits",), [0, 8, 4, 16]), "visits"),
    ("visits repeated", _set(("visits",), [0, 4, 4, 16]), "visits"),
    ("visits not a list", _set(("visits",), "0, 4"), "visits"),
    ("visit beyond weeks", _set(("visits",), [0, 4, 20]), "visits[2]"),
    ("visit negative", _set(("visits",), [-1, 4]), "visits[0]"),
    ("visit string", _set(("visits",), [0, "4"]), "visits[1]"),
    ("patients 0", _set(("patients_per_arm",), 0), "patients_per_arm"),
    ("patients negative", _set(("patients_per_arm",), -3), "patients_per_arm"),
    ("patients float", _set(("patients_per_arm",), 10.0), "patients_per_arm"),
    ("patients bool", _set(("patients_per_arm",), True), "patients_per_arm"),
    ("patients string", _set(("patients_per_arm",), "10"), "patients_per_arm"),
    ("patients too large", _set(("patients_per_arm",), MAX_PATIENTS_PER_ARM + 1), "patients_per_arm"),
    ("seed negative", _set(("seed",), -1), "seed"),
    ("seed float", _set(("seed",), 1.5), "seed"),
    ("seed bool", _set(("seed",), False), "seed"),
    ("seed too large", _set(("seed",), 2**63), "seed"),
    ("unknown top-level key", _set(("arm",), []), "arm"),
    ("wrong-case top-level key", _set(("Weeks",), 16), "Weeks"),
    ("population not a table", _set(("population",), "adult"), "population"),
    ("population unknown key", _set(("population", "age"), 30), "population.age"),
    ("preset unknown", _set(("population", "preset"), "infant"), "population.preset"),
    ("preset not a string", _set(("population", "preset"), ["adult"]), "population.preset"),
    ("easi_min too large", _set(("population", "easi_min"), 73), "population.easi_min"),
    ("iga_min negative", _set(("population", "iga_min"), -1), "population.iga_min"),
    ("bsa_min_pct string", _set(("population", "bsa_min_pct"), "10%"), "population.bsa_min_pct"),
    ("arms missing", _set(("arms",), ...), "arms"),
    ("arms empty", _set(("arms",), []), "arms"),
    ("arms not a list", _set(("arms",), {"name": "placebo"}), "arms"),
    ("arm not a table", _set(("arms", 0), "placebo"), "arms[0]"),
    ("arm name missing", _set(("arms", 0, "name"), ...), "arms[0].name"),
    ("arm name blank", _set(("arms", 0, "name"), " "), "arms[0].name"),
    ("arm name too long", _set(("arms", 0, "name"), "p" * 101), "arms[0].name"),
    ("unknown arm key", _set(("arms", 1, "dose"), 300), "arms[1].dose"),
    ("unknown drug", _set(("arms", 1, "drug"), "omalizumab"), "arms[1].drug"),
    ("drug not a string", _set(("arms", 1, "drug"), ["dupilumab"]), "arms[1].drug"),
    ("drug named placebo", _set(("arms", 1, "drug"), "placebo"), "arms[1].drug"),
    ("doses without drug", _set(("arms", 0, "doses"), [{"mg": 300, "week": 0}]), "arms[0].doses"),
    ("drug without doses", _set(("arms", 1, "doses"), ...), "arms[1].doses"),
    ("drug with empty doses", _set(("arms", 1, "doses"), []), "arms[1].doses"),
    ("doses not a list", _set(("arms", 1, "doses"), {"mg": 300, "week": 0}), "arms[1].doses"),
    ("negative dose", _set(("arms", 1, "doses", 0, "mg"), -600), "arms[1].doses[0].mg"),
    ("dose unknown key", _set(("arms", 1, "doses", 1, "every"), 2), "arms[1].doses[1].every"),
    ("doses out of order", _set(("arms", 1, "doses", 0, "week"), 3), "arms[1].doses[1]"),
    ("doses overlap", _set(("arms", 1, "doses", 0, "week"), 2), "arms[1].doses[1]"),
    ("pk_model on placebo", _set(("arms", 0, "pk_model"), "kovalenko2016"), "arms[0].pk_model"),
    ("pk_model not a string", _set(("arms", 1, "pk_model"), 3), "arms[1].pk_model"),
    ("duplicate arm names", _set(("arms", 1, "name"), "placebo"), "arms"),
    ("duplicate arm names after strip", _set(("arms", 1, "name"), "placebo  "), "arms"),
    ("compare_to a string", _set(("compare_to",), "SOLO 1"), "compare_to"),
    ("compare_to with a number", _set(("compare_to",), ["SOLO 1", 2]), "compare_to[1]"),
    ("compare_to an unknown study", _set(("compare_to",), ["SOLO 1", "SOLO 9"]), "compare_to[1]"),
    ("parameters not a table", _set(("parameters",), [1, 2]), "parameters"),
    ("unknown parameter", _set(("parameters",), {"not_a_parameter": 1.0}), "parameters.not_a_parameter"),
    ("negative parameter", _set(("parameters",), {"th2_drive": -1.0}), "parameters.th2_drive"),
    ("nan parameter", _set(("parameters",), {"th2_drive": math.nan}), "parameters.th2_drive"),
    ("string parameter", _set(("parameters",), {"th2_drive": "2"}), "parameters.th2_drive"),
    ("bool parameter", _set(("parameters",), {"th2_drive": True}), "parameters.th2_drive"),
    ("huge parameter", _set(("parameters",), {"th2_drive": 1e13}), "parameters.th2_drive"),
]


@pytest.mark.parametrize(("mutate", "field"), [c[1:] for c in _ERRORS], ids=[c[0] for c in _ERRORS])
def test_parse_errors_name_the_field(mutate, field):
    data = _base()
    mutate(data)
    with pytest.raises(InputError) as info:
        parse_scenario(data)
    assert info.value.field == field
    assert info.value.problem


def test_unknown_pk_model_is_an_input_error():
    data = _base()
    data["arms"][1]["pk_model"] = "one_compartment"
    with pytest.raises(InputError) as info:
        parse_scenario(data)
    assert info.value.field.endswith("pk_model")
    assert "one_compartment" in info.value.problem


def test_tralokinumab_with_a_dupilumab_pk_model_is_an_input_error():
    data = _base()
    data["arms"][1].update(drug="tralokinumab", pk_model="kovalenko2016")
    with pytest.raises(InputError) as info:
        parse_scenario(data)
    assert info.value.field.endswith("pk_model")


@pytest.mark.parametrize("name", [" ..", " .", "\t.hidden"])
def test_name_that_strips_to_a_dot_name_is_rejected(name):
    # scenario.py checks name.startswith(".") on the unstripped name but returns name.strip(); the CLI then
    # uses results/<name> as an owned, replace-on-every-run folder: results/.. is the working directory itself.
    data = _base()
    data["name"] = name
    with pytest.raises(InputError) as info:
        parse_scenario(data)
    assert info.value.field == "name"


def test_drug_pk_parameter_override_with_a_placebo_arm():
    # `adqsp params` lists pk_Vc for dupilumab, but parse_scenario builds every arm's model with all
    # overrides, and the placebo model has no pk_Vc -> InputError parameters.pk_Vc 'unknown parameter'.
    data = _base()
    data["parameters"] = {"pk_Vc": 3.0}
    assert parse_scenario(data).parameters == (("pk_Vc", 3.0),)


@pytest.mark.parametrize("path", [("weeks",), ("visits", 0), ("arms", 1, "doses", 0, "mg")])
def test_huge_integer_is_an_input_error(path):
    # tomllib accepts integers of any size; _number calls math.isfinite(int) which overflows above ~1e308.
    data = _base()
    _set(path, 10**400)(data)
    with pytest.raises(InputError):
        parse_scenario(data)


# --- load_scenario ------------------------------------------------------------------------------------------------


def test_load_missing_file(tmp_path):
    with pytest.raises(InputError) as info:
        load_scenario(tmp_path / "missing.toml")
    assert info.value.field == "scenario"
    assert "missing.toml" in info.value.problem


def test_load_directory(tmp_path):
    with pytest.raises(InputError) as info:
        load_scenario(tmp_path)
    assert info.value.field == "scenario"


@pytest.mark.parametrize(
    "text",
    ['name = "x"\nweeks = ', "[[arms]\nname = 1", 'name = "a"\nname = "b"\n', "weeks = 16 16", "\x00"],
)
def test_load_malformed_toml(tmp_path, text):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert info.value.field == "scenario"
    assert "TOML" in info.value.problem


def test_load_reports_validation_field_from_file(tmp_path):
    path = tmp_path / "neg.toml"
    path.write_text(
        default_scenario_text().replace("{mg = 600, week = 0}", "{mg = -600, week = 0}", 1), encoding="utf-8"
    )
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert info.value.field == "arms[1].doses[0].mg"


# --- property: parse_scenario returns a Scenario or raises InputError -----------------------------------------

_JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**64),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
    st.lists(st.integers(-2, 20), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(0, 3), max_size=2),
)
_DOSE_JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**400), 10**400),
    st.floats(),
    st.sampled_from([math.nan, math.inf, -math.inf, "2", [1]]),
)
_VALID_DOSES = {
    "dupilumab": [
        [{"mg": 600, "week": 0}, {"mg": 300, "every_weeks": 2, "from_week": 2}],
        [{"mg": 600, "week": 0}, {"mg": 300, "every_weeks": 1, "from_week": 1}],
        [
            {"mg": 400, "week": 0, "weight_below_kg": 60},
            {"mg": 200, "every_weeks": 2, "from_week": 2, "weight_below_kg": 60},
            {"mg": 600, "week": 0, "weight_at_least_kg": 60},
            {"mg": 300, "every_weeks": 2, "from_week": 2, "weight_at_least_kg": 60},
        ],
        [{"mg": 300, "every_weeks": 4, "until_week": 8}],
    ],
    "tralokinumab": [[{"mg": 600, "week": 0}, {"mg": 300, "every_weeks": 2, "from_week": 2}]],
    "lebrikizumab": [[{"mg": 500, "week": 0}, {"mg": 500, "week": 2}, {"mg": 250, "every_weeks": 2, "from_week": 4}]],
}
_PK_MODELS = {
    "dupilumab": [None, "kovalenko2020_model1", "kovalenko2020_model3", "kovalenko2020_model4", "kovalenko2016"],
    "tralokinumab": [None, "soehoel2022"],
    "lebrikizumab": [None, "zhu2017"],
}


@st.composite
def _valid_arm(draw, name: str) -> dict:
    drug = draw(st.sampled_from([None, *_VALID_DOSES]))
    if drug is None:
        return {"name": name}
    arm = {"name": name, "drug": drug, "doses": copy.deepcopy(draw(st.sampled_from(_VALID_DOSES[drug])))}
    pk_model = draw(st.sampled_from(_PK_MODELS[drug]))
    if pk_model is not None:
        arm["pk_model"] = pk_model
    return arm


@st.composite
def _scenario_dicts(draw) -> dict:
    """A valid scenario, then 0-2 corruptions (a junk value, a deleted key or an unknown key)."""
    weeks = draw(st.one_of(st.integers(1, MAX_WEEKS), st.floats(0.5, MAX_WEEKS)))
    names = draw(
        st.lists(st.sampled_from(["placebo", "q2w", "qw", "arm 4", " x "]), min_size=1, max_size=3, unique=True)
    )
    data = {
        "name": draw(st.text("abcXYZ019 _-", min_size=1, max_size=20).filter(str.strip)),
        "weeks": weeks,
        "arms": [draw(_valid_arm(n)) for n in names],
    }
    optional = {
        "visits": st.lists(st.integers(0, int(weeks)), max_size=6, unique=True).map(sorted),
        "patients_per_arm": st.integers(1, MAX_PATIENTS_PER_ARM),
        "seed": st.integers(0, 2**63 - 1),
        "population": st.fixed_dictionaries(
            {},
            optional={
                "preset": st.sampled_from(["adult", "adolescent", "child"]),
                "easi_min": st.floats(0, 72),
                "iga_min": st.integers(0, 4),
                "bsa_min_pct": st.floats(0, 100),
            },
        ),
        "compare_to": st.lists(st.sampled_from(["SOLO 1", "SOLO pooled", "nowhere"]), max_size=2),
        "parameters": st.dictionaries(
            st.sampled_from(["th2_drive", "itch_half", "rc_dupilumab_kd_nM", "noise_iga_sd"]), st.floats(0, 1e3)
        ),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            data[key] = draw(strategy)
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(["top", "arm", "dose", "population", "parameter"]))
        arms = data["arms"] if isinstance(data.get("arms"), list) else []
        arm_tables = [a for a in arms if isinstance(a, dict)]
        dose_tables = [
            d for a in arm_tables if isinstance(a.get("doses"), list) for d in a["doses"] if isinstance(d, dict)
        ]
        if kind == "top":
            target = data
            key = draw(st.sampled_from([*sorted(data), "bogus"]))
            junk = _JUNK
        elif kind == "arm" and arm_tables:
            target = draw(st.sampled_from(arm_tables))
            key = draw(st.sampled_from(["name", "drug", "doses", "pk_model", "bogus"]))
            junk = st.one_of(_JUNK, st.sampled_from(["dupilumab", "placebo", "kovalenko2016", "zz"]))
        elif kind == "dose" and dose_tables:
            target = draw(st.sampled_from(dose_tables))
            key = draw(st.sampled_from(["mg", "week", "every_weeks", "from_week", "until_week", "weight_below_kg"]))
            junk = _DOSE_JUNK
        elif kind == "population" and isinstance(data.get("population"), dict):
            target = data["population"]
            key = draw(st.sampled_from(["preset", "easi_min", "iga_min", "bsa_min_pct", "age"]))
            junk = st.one_of(_JUNK, st.just("child"))
        elif kind == "parameter" and isinstance(data.get("parameters"), dict):
            target = data["parameters"]
            key = draw(st.sampled_from(["th2_drive", "pk_Vc", "bogus"]))
            junk = _JUNK
        else:
            continue
        if key in target and draw(st.booleans()):
            del target[key]
        else:
            target[key] = draw(junk)
    return data


@settings(max_examples=200, deadline=None)
@given(data=_scenario_dicts())
def test_parse_scenario_returns_scenario_or_raises_input_error(data):
    try:
        scenario = parse_scenario(data)
    except InputError as exc:
        assert isinstance(exc.field, str) and exc.field
        assert isinstance(exc.problem, str) and exc.problem
        return
    assert isinstance(scenario, Scenario)
    assert 0 < scenario.weeks <= MAX_WEEKS
    assert 1 <= scenario.patients_per_arm <= MAX_PATIENTS_PER_ARM
    assert scenario.arms and len({a.name for a in scenario.arms}) == len(scenario.arms)
    assert all((a.drug is None) == (a.regimen.entries == ()) for a in scenario.arms)
    assert list(scenario.visit_weeks) == sorted(set(scenario.visit_weeks))
    assert "/" not in scenario.name and scenario.name == scenario.name.strip()
