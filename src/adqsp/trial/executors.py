"""Where chunks of patients run: in this process, or on a Dask cluster; and where finished chunks are kept.

A chunk's result depends only on the scenario and the patients' global indices, so any executor and any
chunking give the same numbers. With a :class:`ChunkStore`, every finished chunk is written to disk as it
completes, and a resumed run computes only the chunks that are missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import numpy as np

from adqsp.errors import InputError
from adqsp.files import write_atomic

#: chunks a :class:`LocalExecutor` runs at once by default: the engine runs each chunk's patients in threads on
#: every core, and a second chunk uses the cores while the first one's Python work (sampling, scoring) holds one
CHUNKS_AT_ONCE = 2


class LocalExecutor:
    """Runs chunks in this process, ``threads`` at once (``parallelism``; each chunk is itself parallel over
    patients)."""

    remote = False

    def __init__(self, threads: int = CHUNKS_AT_ONCE) -> None:
        self.parallelism = threads

    def map(self, fn: Callable[[Any], Any], items: list[Any]) -> Iterator[tuple[int, Any]]:
        """``(k, fn(items[k]))`` as the chunks finish; an exception in one cancels those not yet started."""
        if self.parallelism <= 1 or len(items) <= 1:
            for k, item in enumerate(items):
                yield k, fn(item)
            return
        pool = ThreadPoolExecutor(self.parallelism)
        try:
            futures = {pool.submit(fn, item): k for k, item in enumerate(items)}
            for future in as_completed(futures):
                yield futures[future], future.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def close(self) -> None:
        pass


class DaskExecutor:
    """Runs chunks on a Dask cluster: a new ``LocalCluster`` of ``workers`` processes, or ``scheduler``."""

    def __init__(self, workers: int = 2, scheduler: str | None = None) -> None:
        from distributed import Client, LocalCluster

        self._cluster = (
            None
            if scheduler
            else LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        )
        if scheduler:
            try:
                self.client = Client(scheduler)
            except (OSError, ValueError) as exc:  # an unknown address scheme, no scheduler there, a timeout
                raise InputError("--scheduler", f"cannot connect to {scheduler}: {exc}") from None
        else:
            self.client = Client(self._cluster)
        self.remote = scheduler is not None  # its workers do not share this machine's compiled-code cache
        self.parallelism = max(1, sum(self.client.nthreads().values()))

    def map(self, fn: Callable[[Any], Any], items: list[Any]) -> Iterator[tuple[int, Any]]:
        from distributed import as_completed

        futures = self.client.map(fn, items, pure=False)
        position = {f.key: k for k, f in enumerate(futures)}
        for future, result in as_completed(futures, with_results=True):
            yield position[future.key], result

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


class ChunkStore:
    """Finished chunks as ``.npz`` files in one folder, each written atomically."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def load(self, name: str) -> dict[str, np.ndarray] | None:
        path = self.folder / f"{name}.npz"
        if not path.is_file():
            return None
        with np.load(path) as data:
            return {k: data[k] for k in data.files}

    def save(self, name: str, arrays: dict[str, np.ndarray]) -> None:
        def write(tmp: Path) -> None:
            with tmp.open("wb") as handle:  # a file object: np.savez adds no suffix to it
                np.savez(handle, **arrays)

        write_atomic(self.folder / f"{name}.npz", write)


def run_chunks(
    executor: LocalExecutor | DaskExecutor,
    fn: Callable[[Any], dict[str, np.ndarray]],
    items: list[Any],
    names: list[str],
    store: ChunkStore | None,
    done: Callable[[int], None] | None = None,
) -> list[dict[str, np.ndarray]]:
    """Results of ``fn`` for every item, from the store where present; new results are stored as they finish."""
    results: list[dict[str, np.ndarray] | None] = [store.load(n) if store else None for n in names]
    missing = [k for k, r in enumerate(results) if r is None]
    for j, result in executor.map(fn, [items[k] for k in missing]):
        k = missing[j]
        results[k] = result
        if store is not None:
            store.save(names[k], result)
        if done is not None:
            done(k)
    return results  # type: ignore[return-value]


def concatenated(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Chunk results joined along their last axis (patients), key by key."""
    return {k: np.concatenate([p[k] for p in parts], axis=-1) for k in parts[0]}


def batched(values: Iterable[Any], size: int) -> list[list[Any]]:
    values = list(values)
    return [values[i : i + size] for i in range(0, len(values), size)]
