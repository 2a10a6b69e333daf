"""One batch of ``transform-files``, run in a worker process: read, transform, write Parquet."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from spotify_etl_common.keys import CURATED_PREFIX, partition_values

from transformer.core import RawObject, transform, user_of
from transformer.history import is_history
from transformer.layout import encode, plan_batch_files, plan_files
from transformer.local_inputs import LocalFile, read_all
from transformer.outcome import Outcome
from transformer.recognise import UnreadableObject

RAW_MARKER = "/raw/source="


def source_key(path: Path) -> str:
    """The raw key of a local file: ``raw/...`` if it sits in a copy of the raw tree,
    else its absolute path."""
    text = path.resolve().as_posix()
    marker = text.find(RAW_MARKER)
    return text[marker + 1 :] if marker >= 0 else text


def local_raw_object(source: LocalFile, body: bytes, extracted_at: datetime | None) -> RawObject:
    """A local file as the core's input; context (and the user) from Hive partitions in its
    key, if any.

    A zip member's key is ``<zip path>:<member>`` (``:<member>`` again per nested zip)."""
    key = ":".join((source_key(source.path), *source.inside))
    values = partition_values(key)
    return RawObject(
        key=key,
        body=body,
        extracted_at=extracted_at or source.modified(),
        playlist_id=values.get("playlist_id"),
        snapshot_id=values.get("snapshot_id"),
        user_id=user_of(key),
    )


def run_batch(
    paths: Sequence[LocalFile], out: str, extracted_at: datetime | None, per_object: bool = False
) -> Outcome:
    """Transform one batch of files and write their Parquet files under ``out``:
    one per table for the whole batch, or with ``per_object`` one per table per file."""
    outcome = Outcome()
    objects = []
    for source, body in zip(paths, read_all(paths), strict=True):
        if source.in_zip and not is_history(body):
            outcome.ignored.append(str(source))  # a download's other files
            continue
        objects.append(local_raw_object(source, body, extracted_at))
        outcome.files += 1
        outcome.bytes += len(body)
    while objects:
        try:
            transformed = transform(objects)
        except UnreadableObject as error:
            outcome.errors.append(f"{error.key}: {error.problem}")
            objects = [o for o in objects if o.key != error.key]
            continue
        when = {o.key: o.extracted_at for o in objects}
        files = plan_files(transformed, when) if per_object else plan_batch_files(transformed)
        for file in map(encode, files):
            target = Path(out, file.key.removeprefix(CURATED_PREFIX))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(file.data)
            outcome.written += 1
            outcome.rows[file.table] += file.rows
        break
    return outcome
