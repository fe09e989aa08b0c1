"""Finding drug records: those shipped in ``data/drugs/`` and users' own files.

A drug is named by a string (a shipped record) or given as a :class:`~adqsp.drugs.record.DrugRecord`; scenarios add
records from their ``drug_files``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from adqsp.drugs.record import DrugRecord
from adqsp.errors import InputError
from adqsp.validation import parse_toml, read_toml, validate

#: a drug as callers give it: a shipped drug's name, a record, or None for placebo
DrugLike = str | DrugRecord | None


def _shipped_files() -> dict[str, str]:
    folder = resources.files("adqsp").joinpath("data/drugs")
    return {
        f.name.removesuffix(".toml"): f.read_text(encoding="utf-8")
        for f in folder.iterdir()
        if f.name.endswith(".toml")
    }


@cache
def shipped() -> Mapping[str, DrugRecord]:
    """The records shipped with adqsp, by name (sorted)."""
    records = {}
    for stem, text in sorted(_shipped_files().items()):
        record = parse_record(text, f"data/drugs/{stem}.toml")
        if record.name != stem:
            raise RuntimeError(f"data/drugs/{stem}.toml names the drug {record.name!r}")
        records[stem] = record
    return MappingProxyType(records)


def shipped_text(name: str) -> str:
    """The shipped record's file, as written (comments included)."""
    if name not in shipped():
        raise InputError("drug", f"unknown drug {name!r} (shipped: {', '.join(shipped())})")
    return _shipped_files()[name]


def parse_record(text: str, where: str) -> DrugRecord:
    """A record from TOML text; errors name ``where`` and the key."""
    return validate(DrugRecord, parse_toml(text, where, where), where)


def load_record(path: Path, field: str = "drug_file") -> DrugRecord:
    """Read and validate a drug record file; errors name ``field`` (where the file was named) and the key."""
    return validate(DrugRecord, read_toml(path, field), field)


def resolve(drug: DrugLike, extra: Iterable[DrugRecord] = (), field: str = "drug") -> DrugRecord | None:
    """The record of ``drug`` (a record is returned as it is; a name is looked up in ``extra``, then shipped)."""
    if drug is None or isinstance(drug, DrugRecord):
        return drug
    known = {**shipped(), **{r.name: r for r in extra}}
    if not isinstance(drug, str) or drug not in known:
        allowed = ", ".join(sorted(known))
        raise InputError(field, f"unknown drug {drug!r} (allowed: {allowed}, or none for placebo)")
    return known[drug]


def drug_name(drug: DrugLike) -> str | None:
    """The name of a drug given as a name or a record (None for placebo)."""
    return drug.name if isinstance(drug, DrugRecord) else drug
