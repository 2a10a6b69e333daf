"""``transform-files``: the core over local raw files, in bounded batches, in parallel.

What a file holds is recognised from its content, so any raw dump works (the
seed's ``spotify_raw_<timestamp>.json`` pages, recorded examples, a copy of
``raw/``). Output goes to ``OUT/<table>/dt=<day>/<digest>.parquet``: the
service's layout without the ``curated/`` prefix. Memory stays bounded: a few
batches of files are in flight at a time, never the whole corpus.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path

from spotify_etl_common.keys import CURATED_PREFIX, partition_values

from transformer.core import RawObject, transform
from transformer.layout import COMPRESSION, plan_files
from transformer.recognise import UnreadableObject

RAW_MARKER = "/raw/source="


@dataclass
class Outcome:
    """What a run (or one batch of it) did."""

    files: int = 0
    bytes: int = 0
    written: int = 0
    rows: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def add(self, other: Outcome) -> None:
        """Fold ``other`` into this outcome."""
        self.files += other.files
        self.bytes += other.bytes
        self.written += other.written
        self.rows.update(other.rows)
        self.errors.extend(other.errors)


def find_files(paths: Iterable[Path]) -> list[Path]:
    """The files named, and every ``*.json`` under the folders named, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.json") if p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"{path} does not exist")
    return found


def source_key(path: Path) -> str:
    """The raw key of a local file: ``raw/...`` if it sits in a copy of the raw tree,
    else its absolute path."""
    text = path.resolve().as_posix()
    marker = text.find(RAW_MARKER)
    return text[marker + 1 :] if marker >= 0 else text


def local_raw_object(path: Path, extracted_at: datetime | None) -> RawObject:
    """A local file as the core's input; context from Hive partitions in its key, if any."""
    key = source_key(path)
    values = partition_values(key)
    when = extracted_at or datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    return RawObject(
        key=key,
        body=path.read_bytes(),
        extracted_at=when,
        playlist_id=values.get("playlist_id"),
        snapshot_id=values.get("snapshot_id"),
    )


def run_batch(paths: Sequence[str], out: str, extracted_at: datetime | None) -> Outcome:
    """Transform one batch of files and write their Parquet files under ``out``."""
    outcome = Outcome()
    objects = []
    for name in paths:
        raw = local_raw_object(Path(name), extracted_at)
        objects.append(raw)
        outcome.files += 1
        outcome.bytes += len(raw.body)
    while objects:
        try:
            transformed = transform(objects)
        except UnreadableObject as error:
            outcome.errors.append(f"{error.key}: {error.problem}")
            objects = [o for o in objects if o.key != error.key]
            continue
        when = {o.key: o.extracted_at for o in objects}
        for file in plan_files(transformed, when):
            target = Path(out, file.key.removeprefix(CURATED_PREFIX))
            target.parent.mkdir(parents=True, exist_ok=True)
            file.frame.write_parquet(target, compression=COMPRESSION)
            outcome.written += 1
            outcome.rows[file.table] += file.frame.height
        break
    return outcome


def batches(files: Sequence[Path], size: int) -> Iterator[list[str]]:
    """``files`` in consecutive batches of ``size`` (as strings, to cross processes)."""
    for start in range(0, len(files), size):
        yield [str(p) for p in files[start : start + size]]


def transform_files(
    files: Sequence[Path],
    out: Path,
    workers: int = 2,
    batch_size: int = 32,
    extracted_at: datetime | None = None,
) -> Outcome:
    """Run :func:`run_batch` over ``files``; ``workers`` > 1 uses that many processes,
    with at most two batches per worker in flight."""
    total = Outcome()
    if workers <= 1:
        for batch in batches(files, batch_size):
            total.add(run_batch(batch, str(out), extracted_at))
        return total
    # One Polars thread per process: the processes are the parallelism.
    os.environ.setdefault("POLARS_MAX_THREADS", "1")
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        pending: list[Future[Outcome]] = []
        for batch in batches(files, batch_size):
            if len(pending) >= 2 * workers:
                total.add(pending.pop(0).result())
            pending.append(pool.submit(run_batch, batch, str(out), extracted_at))
        for future in pending:
            total.add(future.result())
    return total
