"""The cache folder of generated code: each model's generated source (``source_*.py``, kept so a later process need
not differentiate the model again) and its machine code (``native_*.o``, ``engine/native.py``), and the solver's
kernels (``model_*.py``, imported from there so numba caches their machine code beside them in ``__pycache__``)."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import threading
from functools import cache
from pathlib import Path
from types import ModuleType

from adqsp.engine.canonical import canonical
from adqsp.engine.generate import generated_source
from adqsp.files import write_atomic
from adqsp.model.codegen import CompiledModel


def cache_dir() -> Path:
    """The folder of generated code: ``$ADQSP_CACHE/numba``, by default ``~/.cache/adqsp/numba`` (created)."""
    root = os.environ.get("ADQSP_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "adqsp")
    path = Path(root) / "numba"
    path.mkdir(parents=True, exist_ok=True)
    return path


def source_digest(source: str) -> str:
    """Names the generated module: file ``model_<digest>.py`` in the cache folder (numba's cache files for it
    start with that stem), imported as ``adqsp_generated_<digest>`` (numba's cache records that name)."""
    return hashlib.sha256(source.encode()).hexdigest()[:20]


#: the modules :func:`load` imported in this process, by source
_LOADED: dict[str, ModuleType] = {}
#: one import at a time (the explorer compiles the kernels in a thread while its requests run)
_LOADING = threading.Lock()


def load(source: str) -> ModuleType:
    """Import a generated module (written to the cache folder once, so numba can cache the machine code of its
    compiled functions), once per process."""
    with _LOADING:
        if source not in _LOADED:
            _LOADED[source] = _import(source)
    return _LOADED[source]


def loaded(source: str) -> ModuleType | None:
    """The module :func:`load` imported for ``source`` in this process, if it did."""
    return _LOADED.get(source)


def written(source: str) -> Path:
    """The file of a generated module in the cache folder, written where it is not there yet (numba's cache of its
    machine code holds only while the file is not written again)."""
    path = cache_dir() / f"model_{source_digest(source)}.py"
    if not path.exists() or path.read_text(encoding="utf-8") != source:
        write_atomic(path, lambda tmp: tmp.write_text(source, encoding="utf-8"))
    return path


def _import(source: str) -> ModuleType:
    path = written(source)
    spec = importlib.util.spec_from_file_location(f"adqsp_generated_{source_digest(source)}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # numba's cache re-imports the module by name
    spec.loader.exec_module(module)
    return module


@cache
def code_digest() -> str:
    """Digest of this package's Python code (the kernels included): a generated source kept on disk is valid for
    this code only."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parents[1].rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


_SOLVER_SOURCES: dict[str, str] = {}


def solver_source(compiled: CompiledModel) -> str:
    """:func:`generated_source` of a compiled model, generated once per process (keyed by its numpy source) and kept
    in the cache folder for later processes (keyed by the numpy source and :func:`code_digest`)."""
    if compiled.source not in _SOLVER_SOURCES:
        path = cache_dir() / f"source_{source_digest(code_digest() + compiled.source)}.py"
        if path.exists():
            source = path.read_text(encoding="utf-8")
        else:
            source = generated_source(canonical(compiled.model))
            write_atomic(path, lambda tmp: tmp.write_text(source, encoding="utf-8"))
        _SOLVER_SOURCES[compiled.source] = source
    return _SOLVER_SOURCES[compiled.source]
