"""The package's layers: a module imports from its own layer and the layers below it, never from one above.

Imports inside functions count as much as those at the top of a module: importing lazily does not make an upward
import acceptable (the faces and the facade, on top, may import anything). The layers, lowest first:

- base: the error type, input validation, whole-file writing, the scenario-file schema, and ``model/`` (the
  declaration, its expression language, derivatives and the numpy code generated from a declaration)
- population (virtual patients: random streams, parameter draws) < engine (integrating a compiled model): both
  need only the declaration and the base and know no drug; neither imports the other, their order is arbitrary
- drugs (the records and their registry) < pk < receptor < disease < endpoints: the blocks of the model
- conduct: what a trial does beside the drug (participation, the diary's expectation, the rescue rule), a block of
  the model declared apart from the skin's biology
- assembly: one arm's model from the blocks and a drug record, the one module that knows all of them
- trial: scenarios, courses, trials and calibration; faces: command line, outputs, report, SBML, tables;
  facade: ``adqsp`` (the lazy entry points) and ``python -m adqsp``
"""

from __future__ import annotations

import ast
from pathlib import Path

import adqsp

PACKAGE = Path(adqsp.__file__).parent

#: the layers, lowest first: paths under src/adqsp, a folder (ending in "/") standing for every module in it
LAYERS = (
    ("base", ("errors.py", "validation.py", "files.py", "schema.py", "model/")),
    ("population", ("population/",)),
    ("engine", ("engine/",)),
    ("drugs", ("drugs/",)),
    ("pk", ("pk/",)),
    ("receptor", ("receptor/",)),
    ("disease", ("disease/",)),
    ("endpoints", ("endpoints/",)),
    ("conduct", ("conduct/",)),
    ("assembly", ("assembly.py",)),
    ("trial", ("trial/",)),
    ("faces", ("faces/",)),
    ("facade", ("__init__.py", "__main__.py")),
)
RANK = {name: rank for rank, (name, _) in enumerate(LAYERS)}


def _modules() -> dict[str, str]:
    """Every module of the package: dotted name -> path under src/adqsp."""
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        parts = ["adqsp", *rel.removesuffix(".py").split("/")]
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = rel
    return modules


MODULES = _modules()


def _layers_of(rel: str) -> list[str]:
    return [name for name, paths in LAYERS if any(rel == p or (p.endswith("/") and rel.startswith(p)) for p in paths)]


def _layer(module: str) -> str:
    while module not in MODULES:  # a name within a module: the module holding it
        module = module.rpartition(".")[0]
    return _layers_of(MODULES[module])[0]


def _imports(module: str) -> set[str]:
    """The package's modules (or names in them) that ``module`` imports, anywhere in its code."""
    rel = MODULES[module]
    package = module if rel.endswith("__init__.py") else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse((PACKAGE / rel).read_text(encoding="utf-8"), rel)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            found |= {f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names}
    return {name for name in found if name == "adqsp" or name.startswith("adqsp.")}


def test_every_module_belongs_to_exactly_one_layer():
    stray = {rel: _layers_of(rel) for rel in MODULES.values() if len(_layers_of(rel)) != 1}
    assert not stray, f"modules in no layer or in several (add them to LAYERS): {stray}"
    empty = [p for _, paths in LAYERS for p in paths if not any(p == r or r.startswith(p) for r in MODULES.values())]
    assert not empty, f"LAYERS names paths that hold no module: {empty}"


def test_no_module_imports_from_a_layer_above_its_own():
    upward = [
        f"{module} -> {imported} (layer {_layer(imported)} above layer {_layer(module)})"
        for module in sorted(MODULES)
        for imported in sorted(_imports(module))
        if RANK[_layer(imported)] > RANK[_layer(module)]
    ]
    assert not upward, "imports from a higher layer:\n" + "\n".join(upward)
