"""``transform-files``: the core over local raw files, in bounded batches, in parallel.

What a file holds is recognised from its content, so any raw dump works (the
seed's ``spotify_raw_<timestamp>.json`` pages, recorded examples, a copy of
``raw/``), and so do the files of Spotify's data export: the zip as downloaded,
an extracted folder, or its JSON files (:mod:`transformer.local_inputs`).
By default each batch of files becomes one Parquet file per table
(and extraction day), ``OUT/<table>/dt=<day>/batch-<digest>.parquet``, named by
a digest of the batch's sorted raw keys: a backfill writes few, large files, and
a re-run over the same inputs with the same batch size overwrites them.
``per_object`` keeps the service's layout instead (one file per table per raw
file, ``OUT/<table>/dt=<day>/<digest>.parquet``). Memory stays bounded: a few
batches of files are in flight at a time, never the whole corpus.

Workers come from a fork server that has imported the core once (and never
run it, so no Polars thread pool is copied into a fork): starting them costs
one import, not one per worker.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path

from transformer.local_inputs import LocalFile, find_files
from transformer.outcome import Outcome

__all__ = ["DEFAULT_BATCH_SIZE", "LocalFile", "find_files", "transform_files"]

DEFAULT_BATCH_SIZE = 64
"""Files per batch: large enough that Polars' fixed costs per call and per written file
are small against the parsing, small enough to keep a worker's memory at a few hundred MB."""


def _run_batch(
    paths: Sequence[LocalFile], out: str, extracted_at: datetime | None, per_object: bool
) -> Outcome:
    # Imported here, not at the top: the parent process only schedules batches and
    # need not load Polars and the core (the fork server preloads them for workers).
    from transformer.file_batch import run_batch

    return run_batch(paths, out, extracted_at, per_object)


@contextmanager
def _one_polars_thread() -> Iterator[None]:
    """One Polars thread per worker process (the processes are the parallelism).

    Polars reads the variable when imported, so it is set while the fork server
    starts (it inherits the environment) and restored afterwards.
    """
    before = os.environ.get("POLARS_MAX_THREADS")
    os.environ["POLARS_MAX_THREADS"] = before or "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ["POLARS_MAX_THREADS"]


def batches(files: Sequence[LocalFile | Path], size: int) -> Iterator[list[LocalFile]]:
    """``files`` in consecutive batches of ``size`` (plain paths as :class:`LocalFile`)."""
    inputs = [f if isinstance(f, LocalFile) else LocalFile(f) for f in files]
    for start in range(0, len(inputs), size):
        yield inputs[start : start + size]


def transform_files(
    files: Sequence[LocalFile | Path],
    out: Path,
    workers: int = 2,
    batch_size: int = DEFAULT_BATCH_SIZE,
    extracted_at: datetime | None = None,
    per_object: bool = False,
) -> Outcome:
    """Run :func:`transformer.file_batch.run_batch` over ``files`` in batches.

    ``workers`` > 1 uses that many processes, with at most two batches per
    worker in flight (memory stays bounded whatever the corpus size).
    Each batch is written as one file per table, or with ``per_object`` one
    file per table per raw file (the service's layout).
    """
    total = Outcome()
    if workers <= 1:
        for batch in batches(files, batch_size):
            total.add(_run_batch(batch, str(out), extracted_at, per_object))
        return total
    context = get_context("forkserver")
    context.set_forkserver_preload(["transformer.file_batch"])
    with _one_polars_thread(), ProcessPoolExecutor(workers, mp_context=context) as pool:
        pending: list[Future[Outcome]] = []
        for batch in batches(files, batch_size):
            if len(pending) >= 2 * workers:
                total.add(pending.pop(0).result())
            pending.append(pool.submit(_run_batch, batch, str(out), extracted_at, per_object))
        for future in pending:
            total.add(future.result())
    return total
