"""Files written whole: to a temporary name beside the target, renamed into place once complete, so a reader (or a
later run after an interruption) sees the old file or the whole new one, never part of one."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it to ``path``."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_texts(folder: Path, texts: dict[str, str]) -> list[Path]:
    """Each of ``texts`` (file name -> text) into ``folder`` (created if missing), atomically, as UTF-8; the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in texts.items():
        path = folder / name
        write_atomic(path, lambda tmp, text=text: tmp.write_text(text, encoding="utf-8"))
        written.append(path)
    return written


def write_json(data: object, path: Path) -> None:
    """``data`` as indented JSON (NaN and infinity rejected), atomically."""
    write_atomic(path, lambda tmp: tmp.write_text(json.dumps(data, indent=2, allow_nan=False) + "\n", encoding="utf-8"))
