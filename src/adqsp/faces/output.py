"""Safe outputs: files written to a temporary name and renamed when complete; results folders swapped whole."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd

from adqsp.errors import InputError
from adqsp.files import write_atomic

TABLE_SUFFIXES = (".csv", ".parquet")


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """CSV or Parquet by extension, atomically."""
    path = check_file_path(path, TABLE_SUFFIXES)
    if path.suffix == ".parquet":
        write_atomic(path, lambda tmp: frame.to_parquet(tmp, index=False))
    else:
        write_atomic(path, lambda tmp: frame.to_csv(tmp, index=False))


def check_file_path(path: Path, suffixes: tuple[str, ...], field: str = "--out") -> Path:
    """Resolve an output file path; its folder must exist and its extension be one of ``suffixes``."""
    path = Path(path).expanduser().resolve()
    if path.suffix not in suffixes:
        raise InputError(field, f"file must end in {' or '.join(suffixes)}, got {path.name!r}")
    blocking = _file_above(path)
    if blocking:
        raise InputError(field, f"{blocking} is a file, not a folder")
    if not path.parent.is_dir():
        raise InputError(field, f"folder {path.parent} does not exist")
    if path.is_dir():
        raise InputError(field, f"{path} is a folder")
    return path


def check_folder_path(path: Path, field: str = "--out") -> Path:
    """Resolve an output folder path (created later if missing): neither it nor a folder above it may be a file."""
    path = Path(path).expanduser().resolve()
    blocking = path if path.exists() and not path.is_dir() else _file_above(path)
    if blocking:
        raise InputError(field, f"{blocking} is a file, not a folder")
    return path


def _file_above(path: Path) -> Path | None:
    """The file (not folder) among ``path``'s parents, if one stands where a folder is needed."""
    return next((p for p in path.parents if p.exists() and not p.is_dir()), None)


class ResultsFolder:
    """Build a results folder in a sibling ``.<name>.partial`` folder and swap it into place only when complete.

    An explicit, non-empty target is replaced only with ``force``, or by ``resume`` continuing an unfinished run
    of it; the default folder under ``results/`` is owned by adqsp and replaced on every run. Until :meth:`commit`,
    the previous results stay untouched. The partial folder holds finished chunks (``chunks/``) and a fingerprint
    of the run; with ``resume`` a partial folder of the same run is continued, otherwise it is started afresh.
    """

    def __init__(self, target: Path, force: bool, owned: bool, fingerprint: str, resume: bool = False) -> None:
        self.target = Path(target).expanduser().resolve()
        if self.target.exists() and not self.target.is_dir():
            raise InputError("--out", f"{self.target} exists and is not a folder")
        self.staging = self.target.with_name(f".{self.target.name}.partial")
        stamp = self.staging / "fingerprint.txt"
        resuming = resume and stamp.is_file()
        if resuming and stamp.read_text(encoding="utf-8") != fingerprint:
            raise InputError("--resume", "the unfinished run was made with another scenario, seed or version")
        if self.target.is_dir() and any(self.target.iterdir()) and not (force or owned or resuming):
            nothing = " and holds no unfinished run to resume" if resume else ""
            raise InputError("--out", f"{self.target} is not empty{nothing} (use --force to replace it)")
        #: the folders above the target this run creates (deepest first), removed again if it is discarded
        self._created = [p for p in self.target.parents if not p.exists()]
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            blocking = _file_above(self.target)
            problem = f"{blocking} is a file, not a folder" if blocking else exc.strerror
            raise InputError("--out", f"cannot create the folder {self.target.parent}: {problem}") from None
        if not resuming and self.staging.exists():
            shutil.rmtree(self.staging)
        self.staging.mkdir(exist_ok=True)
        stamp.write_text(fingerprint, encoding="utf-8")
        self.chunks = self.staging / "chunks"

    def path(self, name: str) -> Path:
        return self.staging / name

    def commit(self) -> Path:
        """Replace the target with the complete staging folder (chunks and fingerprint removed)."""
        shutil.rmtree(self.chunks, ignore_errors=True)
        (self.staging / "fingerprint.txt").unlink(missing_ok=True)
        old = None
        if self.target.exists():
            old = self.target.with_name(f".{self.target.name}.old-{os.getpid()}")
            os.replace(self.target, old)
        os.replace(self.staging, self.target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return self.target

    def discard(self, resumable: bool = True) -> None:
        """Drop an unfinished run, unless it can be resumed: ``resumable`` (it stopped for a reason a rerun of the
        same command need not meet again, not bad input) and at least one chunk finished."""
        if not resumable or not self.chunks.is_dir() or not any(self.chunks.iterdir()):
            shutil.rmtree(self.staging, ignore_errors=True)
            for folder in self._created:
                if folder.is_dir() and not any(folder.iterdir()):
                    folder.rmdir()
