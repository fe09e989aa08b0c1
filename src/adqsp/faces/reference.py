"""The scenario-file and drug-record references in Markdown, generated from their schemas (``adqsp schema
--markdown``, ``adqsp schema --drug --markdown``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from adqsp.drugs.record import DrugRecord
from adqsp.drugs.registry import shipped_text
from adqsp.schema import DoseRecord, ScenarioFile
from adqsp.trial.scenario import default_scenario_text
from adqsp.validation import bounds, json_schema, type_name

_INTRO = """\
# Scenario file format

<!-- Generated from src/adqsp/schema.py by `adqsp schema --markdown`; a test keeps this file in step. -->

A scenario is a TOML file that describes a virtual clinical trial; run it with `adqsp trial scenario.toml`.
`adqsp schema` prints the same format as JSON Schema.

Keys not listed here are errors. Numbers must be finite; `true`/`false` and strings are not numbers, and where
an integer is asked for, `10.0` is not one. A bad file stops `adqsp` before anything runs, with exit code 2 and
one line naming the key, what was wrong and what is allowed, e.g.
`adqsp: error: arms[1].doses[0].mg: must be a number > 0 and <= 5000, got -600`.

Each section below is one table of the file: `arms[]` is every `[[arms]]` table, `arms[].doses[]` every entry of
an arm's `doses`, and `parameters.<name>` the table form of a parameter override."""


def scenario_reference() -> str:
    """The whole reference: an example, then one table of keys per section of the file."""
    example = f"## Example: the embedded default (SOLO 1)\n\n```toml\n{default_scenario_text().strip()}\n```"
    scenario = json_schema(ScenarioFile)
    records = json_schema(DoseRecord)
    api = (
        "## Dose records (Python API)\n\n`Regimen.from_records` takes NONMEM-style records instead of dose "
        "entries; they are checked the same way.\n\n" + _table(records)
    )
    return "\n\n".join([_INTRO, example, *_sections(scenario, "", scenario["$defs"]), api])


_DRUG_INTRO = """\
# Drug record format

<!-- Generated from src/adqsp/drugs/record.py by `adqsp schema --drug --markdown`; a test keeps this file in step. -->

A drug record is a TOML file that describes one drug: what it is, how it is given, its population PK, where it goes,
what it binds and how it is dosed. The shipped records are in `src/adqsp/data/drugs/`; `adqsp drug show NAME`
prints one to copy and edit. A scenario adds records with `drug_files`; `simulate`, `params`, `export-sbml` and
`assay` take one with `--drug-file`. Every number is a table `{value, unit, source}` (a PK value also `log_sd`).
Record key `X` of a PK model becomes the model parameter `pk_X`; binding constants become `rc_<drug>_...`
(`adqsp params --drug-file FILE` lists them). Keys not listed here are errors; a bad record stops `adqsp` with one
line naming the key, e.g. `adqsp: error: drug_files[0].pk_models.m1.parameters.MTT.unit: must be 'day'`."""


def drug_reference() -> str:
    """The drug-record reference: an example (the shipped tralokinumab record), then one table per section."""
    example = f"## Example: tralokinumab\n\n```toml\n{shipped_text('tralokinumab').strip()}\n```"
    record = json_schema(DrugRecord)
    return "\n\n".join([_DRUG_INTRO, example, *_sections(record, "", record["$defs"])])


def _sections(node: dict[str, Any], path: str, definitions: dict[str, Any]) -> Iterator[str]:
    """The table at ``path`` (its description and keys), then each table nested in it."""
    heading = f"## `{path}`" if path else "## Top level"
    yield f"{heading}\n\n{node['description']}\n\n{_table(node)}"
    for key, prop in node["properties"].items():
        for suffix, name in _nested(prop):
            yield from _sections(definitions[name], f"{path}.{key}{suffix}".lstrip("."), definitions)


def _nested(node: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(path suffix, definition name) of each table a key holds: the key itself, list items, table values."""
    for branch in [node, *node.get("anyOf", [])]:
        if "$ref" in branch:
            yield "", branch["$ref"].rsplit("/", 1)[-1]
        if "$ref" in branch.get("items", {}):
            yield "[]", branch["items"]["$ref"].rsplit("/", 1)[-1]
        values = branch.get("additionalProperties")
        if isinstance(values, dict):
            yield from ((".<name>" + suffix, name) for suffix, name in _nested(values))
    for branch in node.get("oneOf", []):  # a tagged union: one section per kind
        name = branch["$ref"].rsplit("/", 1)[-1]
        yield f" ({name})", name


def _table(node: dict[str, Any]) -> str:
    required = set(node.get("required", ()))
    rows = ["| key | type | default | allowed | description |", "|---|---|---|---|---|"]
    for key, prop in node["properties"].items():
        default = "required" if key in required else _toml(prop.get("default"))
        cells = (f"`{key}`", type_name(prop), default, bounds(prop), prop.get("description", ""))
        rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(rows)


def _toml(value: Any) -> str:
    """A default value as written in TOML (— for none: the key is simply left out)."""
    if value is None:
        return "—"
    if isinstance(value, dict):
        return "`{" + ", ".join(f"{k} = {_toml(v).strip('`')}" for k, v in value.items()) + "}`"
    return f"`{json.dumps(value)}`"
