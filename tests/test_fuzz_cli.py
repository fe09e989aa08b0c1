"""Fuzzing ``adqsp trial`` with generated scenario files (hypothesis), run in-process.

Every invalid file (or bad option) must give exit code 2 and exactly one line on stderr, ``adqsp: error: <field>:
<problem>``, before any simulation starts; every valid file must run (exit code 0, summary.json written).

The quick profile ``ci`` is the default; ``ADQSP_FUZZ=long`` selects ``long`` (many more examples, no deadline)
for local runs, e.g. ``ADQSP_FUZZ=long pytest tests/test_fuzz_cli.py --hypothesis-show-statistics``.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import re
import tempfile
import tomllib
from pathlib import Path
from typing import Any
from unittest import mock

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from adqsp.assembly import build_model
from adqsp.drugs.registry import shipped
from adqsp.faces.cli import main

settings.register_profile("ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=5_000, deadline=None, suppress_health_check=list(HealthCheck))
PROFILE = settings.get_profile("long" if os.environ.get("ADQSP_FUZZ") == "long" else "ci")
#: a valid scenario runs a small trial (0.2-2 s once the arm models are compiled): far fewer of those
VALID_EXAMPLES = max(PROFILE.max_examples // 15, 1)
TYPICAL = build_model(None).typical_values()


# --- a TOML writer: one `key = value` line per top-level key, every table inline ---------------------------------


def toml(data: dict[str, Any]) -> str:
    return "".join(f"{_key(key)} = {_value(value)}\n" for key, value in data.items())


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _string(key)


def _string(text: str) -> str:
    def char(c: str) -> str:
        if c.isprintable() and c not in '"\\':
            return c
        return f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}"

    return '"' + "".join(map(char, text)) + '"'


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # nan, inf, -inf
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(map(_value, value)) + "]"
    return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"


# --- valid scenarios: small and quick to run ---------------------------------------------------------------------


@st.composite
def regimens(draw) -> list[dict[str, Any]]:
    """A loading dose at week 0, then doses every 1, 2 or 4 weeks (perhaps until a week, perhaps weight-tiered)."""
    every = draw(st.sampled_from([1, 2, 4]))
    repeated: dict[str, Any] = {"mg": draw(st.integers(1, 600)), "every_weeks": every, "from_week": every}
    if draw(st.booleans()):
        repeated["until_week"] = every + draw(st.integers(0, 4))
    doses = [{"mg": draw(st.floats(1, 900).map(lambda mg: round(mg, 1))), "week": 0}, repeated]
    if draw(st.booleans()):
        cut = draw(st.integers(40, 120))
        doses = [{**dose, "weight_below_kg": cut} for dose in doses] + [
            {**dose, "weight_at_least_kg": cut} for dose in doses
        ]
    return doses


_NAMES = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="/\\"), min_size=1, max_size=20
).filter(lambda name: name.strip() and not name.strip().startswith("."))


@st.composite
def valid_scenarios(draw) -> dict[str, Any]:
    drugs = draw(st.lists(st.sampled_from([None, *shipped()]), min_size=1, max_size=3, unique=True))
    weeks = draw(st.sampled_from([0.5, 1, 2, 2.5, 3, 4]))
    arms = [{"name": "placebo"} if drug is None else {"name": drug, "drug": drug} for drug in drugs]
    for arm in arms:
        if "drug" in arm:
            arm["doses"] = draw(regimens())
    data: dict[str, Any] = {"name": draw(_NAMES), "weeks": weeks, "patients_per_arm": draw(st.integers(1, 3))}
    data["arms"] = arms
    optional = {
        "visits": st.lists(st.sampled_from([w / 2 for w in range(int(2 * weeks) + 1)]), unique=True).map(sorted),
        "seed": st.integers(0, 2**63 - 1),
        "compare_to": st.lists(st.sampled_from(["SOLO 1", "SOLO pooled"]), max_size=2),
        "population": st.fixed_dictionaries(
            {},
            optional={
                "preset": st.sampled_from(["adult", "adolescent", "child"]),
                "easi_min": st.integers(0, 20),
                "iga_min": st.sampled_from([0, 1.5, 3]),
                "bsa_min_pct": st.floats(0, 15),
            },
        ),
        "parameters": st.fixed_dictionaries(
            {},
            optional={
                "th2_drive": st.floats(0.5, 2).map(lambda f: f * TYPICAL["th2_drive"]),
                "itch_half": st.one_of(
                    st.fixed_dictionaries({"value": st.floats(1, 5)}, optional={"log_sd": st.floats(0, 0.5)}),
                    st.fixed_dictionaries({"log_sd": st.floats(0, 0.5)}),
                ),
            },
        ),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            data[key] = draw(strategy)
    return data


# --- invalid scenarios: a valid one with one thing broken ---------------------------------------------------------

_NOT_NUMBERS = st.one_of(
    st.text(max_size=4),
    st.booleans(),
    st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(st.sampled_from("abc"), st.integers(0, 3), max_size=1),
)
_NON_FINITE = st.sampled_from([math.nan, math.inf, -math.inf])


def _below(low: float, exclusive: bool = False) -> st.SearchStrategy:
    """Numbers below ``low``, and ``low`` itself where the bound is exclusive (an integer then)."""
    floats = st.floats(max_value=low, exclude_max=not exclusive, allow_nan=False, allow_infinity=False)
    return st.one_of(st.integers(max_value=int(low) if exclusive else math.ceil(low) - 1), floats)


def _above(high: float) -> st.SearchStrategy:
    return st.one_of(
        st.integers(min_value=math.floor(high) + 1),
        st.floats(min_value=float(high), exclude_min=True, allow_nan=False, allow_infinity=False),
    )


def _bad_number(low: float, high: float, low_exclusive: bool = False, whole: bool = False) -> st.SearchStrategy:
    """Anything but a number in [low, high] (or (low, high]), and not a float where a whole number is asked."""
    bad = [_NOT_NUMBERS, _NON_FINITE, _below(low, low_exclusive), _above(high)]
    if whole:
        bad.append(st.floats(low, min(high, 1e6)))  # even 2.0 is a float, not a whole number
    return st.one_of(bad)


_NOT_A_STRING = st.one_of(st.integers(), st.floats(), st.booleans(), st.lists(st.integers(), max_size=2))
_NOT_A_TABLE = st.one_of(st.integers(), st.text(max_size=4), st.booleans(), st.lists(st.integers(), max_size=2))
_NOT_A_LIST = st.one_of(st.integers(), st.text(max_size=4), st.booleans(), st.just({"a": 1}))

#: key -> values it must reject
_TOP = {
    "name": st.one_of(
        _NOT_A_STRING, st.sampled_from(["", "  ", "a/b", "a\\b", "..", ".x", " .x", "a\x00b", "a\nb", "n" * 101])
    ),
    "weeks": _bad_number(0, 520, low_exclusive=True),
    "patients_per_arm": _bad_number(1, 1_000_000, whole=True),
    "seed": _bad_number(0, 2**63 - 1, whole=True),
    "visits": st.one_of(_NOT_A_LIST, st.lists(_NOT_NUMBERS, min_size=1, max_size=2), st.just([1, 0]), st.just([0, 0])),
    "compare_to": st.one_of(_NOT_A_LIST, st.lists(_NOT_A_STRING, min_size=1, max_size=2)),
    "population": _NOT_A_TABLE,
    "arms": st.one_of(_NOT_A_LIST, st.just([]), st.lists(_NOT_A_TABLE, min_size=1, max_size=2)),
    "parameters": _NOT_A_TABLE,
}
_POPULATION = {
    "preset": st.one_of(_NOT_A_STRING, st.sampled_from(["infant", "Child", "Adult", ""])),
    "easi_min": _bad_number(0, 72),
    "iga_min": _bad_number(0, 4),
    "bsa_min_pct": _bad_number(0, 100),
}
_ARM = {
    "name": st.one_of(_NOT_A_STRING, st.sampled_from(["", "  ", "a" * 101])),
    "drug": st.one_of(_NOT_A_STRING, st.sampled_from(["placebo", "omalizumab", "Dupilumab", ""])),
    "pk_model": st.one_of(_NOT_A_STRING, st.sampled_from(["zhu2017x", "one_compartment", ""])),
    "doses": st.one_of(_NOT_A_LIST, st.just([]), st.lists(_NOT_A_TABLE, min_size=1, max_size=2)),
}
_DOSE = {
    "mg": _bad_number(0, 5000, low_exclusive=True),
    "week": _bad_number(0, 520),
    "every_weeks": _bad_number(1 / 7, 520),
    "from_week": _bad_number(0, 520),
    "until_week": _bad_number(0, 520),
    "weight_below_kg": _bad_number(0, 500, low_exclusive=True),
    "weight_at_least_kg": _bad_number(0, 500, low_exclusive=True),
}
_OVERRIDE = st.one_of(
    _bad_number(0, 1e12),
    st.just({}),
    st.fixed_dictionaries({"value": _bad_number(0, 1e12)}),
    st.fixed_dictionaries({"log_sd": _bad_number(0, 5)}),
    st.fixed_dictionaries({"sd": st.floats(0, 1)}),
)
_ALLOWED = {
    "top": set(_TOP),
    "population": set(_POPULATION),
    "arm": set(_ARM),
    "dose": set(_DOSE),
    "override": {"value", "log_sd"},
}
_BAD_TOML = st.sampled_from(
    [
        b'name = "again"\n',  # a key given twice
        b"[[arms]\n",
        b"= 1\n",
        b"weeks = \n",
        b'x = "\x00"\n',
        b"\xff\xfe\n",  # not UTF-8
        b"big = " + b"9" * 5000 + b"\n",  # an integer too long for Python to read
        b"deep = " + b"[" * 3000 + b"]" * 3000 + b"\n",
        b"x = {a = 1\n",
    ]
)

_BAD_OPTIONS = {
    "--patients-per-arm": st.one_of(
        st.integers(max_value=0), st.integers(min_value=1_000_001), st.sampled_from(["ten", "", "1.5", "0x10"])
    ),
    "--seed": st.one_of(st.integers(max_value=-1), st.integers(min_value=2**63), st.floats()),
    "--workers": st.one_of(st.integers(max_value=0), st.integers(min_value=257)),
}


def _drug_arm(data: dict[str, Any]) -> dict[str, Any]:
    """The first drug arm, adding a dupilumab arm if there is none."""
    arm = next((arm for arm in data["arms"] if "drug" in arm), None)
    if arm is None:
        arm = {"name": "added", "drug": "dupilumab", "doses": [{"mg": 300, "week": 0}]}
        data["arms"].append(arm)
    return arm


def _mutate(draw, data: dict[str, Any]) -> bytes | list[str]:
    """Break ``data`` in one way; returns the file's bytes, or extra (bad) command-line options."""
    kind = draw(
        st.sampled_from(
            ["top", "population", "arm", "dose", "override", "unknown key", "missing", "rule", "toml", "option"]
        )
    )
    arm = _drug_arm(data)
    dose = draw(st.sampled_from(arm["doses"]))
    if kind == "top":
        key = draw(st.sampled_from(sorted(_TOP)))
        data[key] = draw(_TOP[key])
    elif kind == "population":
        key = draw(st.sampled_from(sorted(_POPULATION)))
        data.setdefault("population", {})[key] = draw(_POPULATION[key])
    elif kind == "arm":
        key = draw(st.sampled_from(sorted(_ARM)))
        arm[key] = draw(_ARM[key])
    elif kind == "dose":
        key = draw(st.sampled_from(sorted(_DOSE)))
        dose[key] = draw(_DOSE[key])
    elif kind == "override":
        data["parameters"] = {**data.get("parameters", {}), "th2_drive": draw(_OVERRIDE)}
    elif kind == "unknown key":
        where = draw(st.sampled_from(sorted(_ALLOWED)))
        table = {
            "top": data,
            "population": data.setdefault("population", {}),
            "arm": arm,
            "dose": dose,
            "override": data.setdefault("parameters", {}).setdefault("itch_half", {"value": 2.0}),
        }[where]
        table[draw(st.text(min_size=1, max_size=8).filter(lambda k: k not in _ALLOWED[where]))] = 1
    elif kind == "missing":
        target, key = draw(
            st.sampled_from(
                [(data, "name"), (data, "weeks"), (data, "arms"), (arm, "name"), (arm, "doses"), (dose, "mg")]
            )
        )
        del target[key]
    elif kind == "rule":
        rule = draw(st.sampled_from(["doses on placebo", "same name", "overlap", "order", "until", "week and every"]))
        if rule == "doses on placebo":
            data["arms"].append({"name": "placebo-x", "doses": [{"mg": 100, "week": 0}]})
        elif rule == "same name":
            data["arms"].append({"name": f" {arm['name']} "})
        elif rule == "overlap":
            arm["doses"] = arm["doses"] + [arm["doses"][0]]
        elif rule == "order":
            arm["doses"] = [{"mg": 100, "week": 2}, {"mg": 100, "week": 0}]
        elif rule == "until":
            arm["doses"] = [{"mg": 100, "every_weeks": 2, "from_week": 4, "until_week": draw(st.floats(0, 3.99))}]
        else:
            arm["doses"] = [{"mg": 100, "week": 0, "every_weeks": 2}]
    elif kind == "toml":
        return toml(data).encode() + draw(_BAD_TOML)
    else:
        option = draw(st.sampled_from(sorted(_BAD_OPTIONS)))
        return [option, str(draw(_BAD_OPTIONS[option]))]
    return toml(data).encode()


@st.composite
def invalid_cases(draw) -> tuple[bytes, list[str]]:
    """(file contents, extra options): one of them is bad."""
    data = draw(valid_scenarios())
    broken = _mutate(draw, data)
    return (toml(data).encode(), broken) if isinstance(broken, list) else (broken, [])


# --- the tests ----------------------------------------------------------------------------------------------------


class SimulationStarted(Exception):
    """Raised instead of running a trial: invalid input must be rejected before (exit code 1 if not)."""


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


@settings(PROFILE)
@given(case=invalid_cases())
def test_invalid_input_exits_2_with_one_line(case):
    contents, options = case
    with tempfile.TemporaryDirectory() as tmp, mock.patch("adqsp.trial.job.run_trial", side_effect=SimulationStarted):
        path = Path(tmp) / "scenario.toml"
        path.write_bytes(contents)
        code, out, err = _run(["trial", str(path), "--quiet", "--out", str(Path(tmp) / "out"), *options])
        assert not (Path(tmp) / "out").exists()
    lines = err.splitlines()
    assert code == 2, err
    assert len(lines) == 1, err
    assert re.match(r"adqsp: error: \S.*: \S", lines[0]), lines[0]
    assert "Traceback" not in err and out == ""


@settings(PROFILE, max_examples=VALID_EXAMPLES, phases=[phase for phase in Phase if phase != Phase.explain])
@given(data=valid_scenarios())
def test_valid_scenario_runs(data):
    text = toml(data)
    assert tomllib.loads(text) == data  # the writer is right
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scenario.toml"
        path.write_text(text, encoding="utf-8")
        code, _, err = _run(["trial", str(path), "--quiet", "--out", str(Path(tmp) / "out")])
        assert code == 0, err
        summary = json.loads((Path(tmp) / "out" / "summary.json").read_text(encoding="utf-8"))
    assert len(summary["arms"]) == len(data["arms"])
    assert "Traceback" not in err
