"""The scenario schema: its JSON Schema is complete, and the committed reference is the generated one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adqsp.errors import InputError
from adqsp.faces.cli import main
from adqsp.schema import DoseRecord, ScenarioFile
from adqsp.trial.scenario import parse_scenario
from adqsp.validation import json_schema

REFERENCE = Path(__file__).parents[1] / "docs" / "scenario-format.md"


def _tables(schema: dict) -> list[dict]:
    return [schema, *schema.get("$defs", {}).values()]


def test_committed_reference_is_the_generated_one(capsys):
    assert main(["schema", "--markdown"]) == 0
    assert REFERENCE.read_text(encoding="utf-8") == capsys.readouterr().out, (
        "run `adqsp schema --markdown > docs/scenario-format.md`"
    )


def test_schema_command_prints_the_json_schema(capsys):
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == json_schema(ScenarioFile)


@pytest.mark.parametrize("model", [ScenarioFile, DoseRecord])
def test_every_table_is_closed_and_every_key_described(model):
    for table in _tables(json_schema(model)):
        assert table["additionalProperties"] is False
        assert table["description"]
        for key, prop in table["properties"].items():
            assert prop.get("description"), key


@pytest.mark.parametrize("model", [ScenarioFile, DoseRecord])
def test_every_number_is_bounded(model):
    def numbers(node):
        if isinstance(node, dict):
            if node.get("type") in ("number", "integer"):
                yield node
            for value in node.values():
                yield from numbers(value)
        elif isinstance(node, list):
            for value in node:
                yield from numbers(value)

    for node in numbers(json_schema(model)):
        assert {"minimum", "exclusiveMinimum"} & set(node) and {"maximum", "exclusiveMaximum"} & set(node), node


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"weeks": 0}, "weeks: must be a number > 0 and <= 520, got 0"),
        (
            {"colour": "blue"},
            "colour: unknown key (allowed: arms, compare_to, dropout_nonimprover_factor, dropout_per_week, drug_files,",
        ),
        ({"arms": [{"name": "x", "drug": "x", "doses": [{"mg": 1, "week": 0}]}]}, "arms[0].drug: unknown drug 'x' "),
        ({"arms": [{"name": "d", "drug": "dupilumab", "doses": [{"mg": -5, "week": 0}]}]}, "got -5"),
        ({"parameters": {"odd key": {"sd": 1}}}, 'parameters."odd key".sd: unknown key (allowed: log_sd, value)'),
        (  # a bound that six digits round is given in full: 0.142857 would read as allowed
            {"arms": [{"name": "d", "drug": "dupilumab", "doses": [{"mg": 1, "week": 0, "every_weeks": 0.142857}]}]},
            "every_weeks: must be a number >= 0.14285714285714285 and <= 520, got 0.142857",
        ),
    ],
)
def test_messages_say_what_was_wrong_and_what_is_allowed(data, message):
    with pytest.raises(InputError) as info:
        parse_scenario({"name": "t", "weeks": 4, "arms": [{"name": "placebo"}]} | data)
    assert message in str(info.value)


def test_committed_drug_record_reference_is_the_generated_one(capsys):
    assert main(["schema", "--drug", "--markdown"]) == 0
    reference = Path(__file__).parents[1] / "docs" / "drug-format.md"
    assert reference.read_text(encoding="utf-8") == capsys.readouterr().out, (
        "run `adqsp schema --drug --markdown > docs/drug-format.md`"
    )
    assert main(["schema", "--drug"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "DrugRecord"
