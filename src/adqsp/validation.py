"""Input checked against the schema (:mod:`adqsp.schema`), and its failures as one-line InputErrors.

An error names the field (``arms[1].doses[0].mg``), what was wrong and what is allowed, worded from the same
JSON Schema the scenario-format reference is generated from.
"""

from __future__ import annotations

import json
import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError

from adqsp.errors import InputError

T = TypeVar("T")
Loc = tuple[str | int, ...]
#: error type of the schema's own checks: their message is shown as written
OWN_ERROR = "adqsp"


def validate(tp: type[T], data: Any, field: str = "") -> T:
    """``data`` as ``tp`` (a schema model, or e.g. a list of them); errors name ``field`` + the path inside."""
    try:
        return _adapter(tp).validate_python(data)
    except ValidationError as exc:
        raise _input_error(exc, tp, field) from None


def read_toml(path: Path, field: str) -> dict[str, Any]:
    """The tables of a TOML file; a file that cannot be read, is not UTF-8 or not TOML is an InputError naming
    ``field`` and the file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(field, f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise InputError(field, f"{path} is not UTF-8 text (byte {exc.start}: {exc.reason})") from None
    return parse_toml(text, field, str(path))


def parse_toml(text: str, field: str, where: str) -> dict[str, Any]:
    """The tables of TOML text read from ``where``; invalid TOML is an InputError naming ``field``."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(field, f"{where} is not valid TOML: {exc}") from None
    except (ValueError, RecursionError):  # an integer of thousands of digits; arrays nested thousands deep
        raise InputError(field, f"{where} is not valid TOML: a value is too long or nested too deeply") from None


def json_schema(tp: Any) -> dict[str, Any]:
    """The JSON Schema of ``tp``."""
    return _adapter(tp).json_schema()


def problem(message: str) -> PydanticCustomError:
    """An error of the schema's own checks, shown as written."""
    return PydanticCustomError(OWN_ERROR, message)


def fail(loc: Loc, message: str, value: Any) -> NoReturn:
    """Raise ``message`` for the value at ``loc``, relative to the model being validated."""
    raise ValidationError.from_exception_data(
        OWN_ERROR, [InitErrorDetails(type=problem(message), loc=loc, input=value)]
    )


def shown(value: Any, limit: int = 40) -> str:
    """``repr(value)`` cut to ``limit`` characters (a huge integer as its number of digits)."""
    if isinstance(value, int) and value.bit_length() > 64:
        return f"an integer of about {value.bit_length() * 0.30103:.0f} digits"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def type_name(node: dict[str, Any]) -> str:
    """The type of a JSON Schema node in TOML words: number, integer, string, list of tables, table, ..."""
    names = []
    for branch in _alternatives(node):
        kind = branch.get("type") or ("table" if "properties" in branch or "$ref" in branch else "")
        if kind == "array":
            kind = f"list of {type_name(branch.get('items', {}))}s"
        elif kind == "object":
            values = branch.get("additionalProperties")
            kind = f"table ({type_name(values)} per key)" if isinstance(values, dict) else "table"
        names.append(kind)
    return " or ".join(names)


def bounds(node: dict[str, Any]) -> str:
    """The bounds of a JSON Schema node: '> 0 and <= 520', 'one of adult, adolescent', '1 to 100 characters'."""
    parts = []
    for branch in _alternatives(node):
        if "enum" in branch:
            parts.append("one of " + ", ".join(map(str, branch["enum"])))
        limits = [f"{op} {_number(branch[key])}" for key, op in _LIMITS if key in branch]
        if limits:
            parts.append(" and ".join(limits))
        if "minLength" in branch or "maxLength" in branch:
            parts.append(f"{branch.get('minLength', 0)} to {branch.get('maxLength', 'any number of')} characters")
        if "pattern" in branch:
            parts.append(f"matching `{branch['pattern']}`")
        if "minItems" in branch:
            parts.append(f"at least {branch['minItems']} item{'s' * (branch['minItems'] != 1)}")
        items = bounds(branch["items"]) if "items" in branch else ""
        if items:
            parts.append(f"each {items}")
    return "; ".join(parts)


def _alternatives(node: dict[str, Any]) -> list[dict[str, Any]]:
    """The branches of a node: those of ``anyOf`` or ``oneOf`` (a tagged union), or the node itself."""
    return node.get("anyOf", node.get("oneOf", [node]))


_LIMITS = (("exclusiveMinimum", ">"), ("minimum", ">="), ("exclusiveMaximum", "<"), ("maximum", "<="))


def _allowed(node: dict[str, Any]) -> str:
    """What a JSON Schema node allows, in words: 'a number > 0 and <= 520', 'one of adult, adolescent'."""
    return " or ".join(_describe_one(branch) for branch in _alternatives(node))


def _describe_one(node: dict[str, Any]) -> str:
    kind, limits = type_name(node), bounds(node)
    if "enum" in node or not kind:
        return limits
    if kind == "string":
        return f"a string of {limits}" if limits else "a string"
    if kind.startswith("list"):
        return f"a {kind}" + (f" ({limits})" if limits else "")
    if kind == "table" and "properties" in node:
        return f"a table {{{', '.join(node['properties'])}}}"
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}" + (f" {limits}" if limits else "")


def _number(value: float) -> str:
    if isinstance(value, int) or (value.is_integer() and abs(value) < 1e7):
        return str(int(value))
    short = f"{value:.6g}"
    # every digit where six are not exact: a rounded bound (1/7 as 0.142857) would read as met by a value failing it
    return short if float(short) == value else repr(value)


@cache
def _adapter(tp: Any) -> TypeAdapter:
    return TypeAdapter(tp)


@cache
def inlined_json_schema(tp: Any) -> dict[str, Any]:
    """The JSON Schema with every ``$ref`` replaced by its definition (the models are not recursive)."""
    schema = json_schema(tp)
    definitions = schema.get("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, list):
            return [inline(item) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        base = inline(definitions[ref.rsplit("/", 1)[-1]]) if ref else {}
        return base | {key: inline(value) for key, value in node.items() if key not in ("$ref", "$defs")}

    return inline(schema)


def _input_error(exc: ValidationError, tp: Any, field: str) -> InputError:
    """The first error as an InputError; an unknown key goes first (it is often why another key is missing)."""
    errors = exc.errors(include_url=False)
    error = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = tuple(error["loc"])
    return InputError(_path(field, loc) or "input", _problem(error, inlined_json_schema(tp), loc))


def _problem(error: ErrorDetails, schema: dict[str, Any], loc: Loc) -> str:
    if error["type"] == OWN_ERROR:
        return error["msg"]
    if error["type"] == "extra_forbidden":
        keys = sorted(
            key for branch in _alternatives(_node_at(schema, loc[:-1])) for key in branch.get("properties", {})
        )
        return f"unknown key (allowed: {', '.join(keys)})"
    allowed = _allowed(_node_at(schema, loc))
    if error["type"] == "missing":
        return f"is required ({allowed})" if allowed else "is required"
    if not allowed:
        return f"{error['msg'][:1].lower()}{error['msg'][1:]}, got {shown(error['input'])}"
    return f"must be {allowed}, got {shown(error['input'])}"


def _node_at(schema: dict[str, Any], loc: Loc) -> dict[str, Any]:
    """The schema node of the value at ``loc`` ({} if the path leaves the schema)."""
    node = schema
    for part in loc:
        children = (_child(branch, part) for branch in [node, *node.get("anyOf", [])])
        node = next((child for child in children if child is not None), {})
    return node


def _child(node: dict[str, Any], part: str | int) -> dict[str, Any] | None:
    if isinstance(part, int):
        return node.get("items")
    values = node.get("additionalProperties")
    return node.get("properties", {}).get(part) or (values if isinstance(values, dict) else None)


def _path(field: str, loc: Loc) -> str:
    """``field`` and ``loc`` as one TOML-style path: ``arms[1].doses[0].mg``, ``parameters."odd key"``."""
    path = field
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            key = part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else json.dumps(part)
            path += f".{key}" if path else key
    return path
