"""Work that was in the queues when the stack went down, found in the lake and announced again.

moto's queues are in memory: after a stop or a crash, the messages in flight are
gone, but what they were about is still on disk. At ``local up`` (on a stack
just started, so once per start):

- a raw object that lacks any of the curated files its source yields
  (:data:`~spotify_etl_common.source_tables.TABLES_OF`, named by the digest of
  its key) gets one ``RawObjectWritten`` again: the transformer writes and
  announces its files;
- a curated file that no snapshot of its table references, and whose raw
  object is not announced again, gets one ``TableFileWritten`` again.

Files a compaction writes (``curated/<table>/data/``) are not the transformer's
and are never announced; a raw object whose source is unknown is left alone.
The messages are the ones replay builds (:mod:`spotify_etl.replay.run`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from spotify_etl_common.keys import parse_curated_key, parse_raw_key, source_digest
from spotify_etl_common.source_tables import TABLES_OF

RUN_ID_PREFIX = "recovery-"


@dataclass(frozen=True)
class Pending:
    """What to announce again: raw keys (transform queue) and curated keys (catalog queue)."""

    raw: tuple[str, ...] = ()
    files: tuple[str, ...] = ()


def _made_from(curated_key: str) -> tuple[str, str | None]:
    """The table of a curated file and the digest of the raw key it was made from."""
    parts = parse_curated_key(curated_key)
    assert parts is not None
    return parts.table, parts.source_digest


def pending_work(
    raw_keys: Iterable[str], curated_keys: Iterable[str], committed: Collection[str]
) -> Pending:
    """The raw objects not (fully) transformed, and the files written but never committed.

    A file counts as committed when a file of the same table made from the same raw
    object is (keys carry the content's digest too: an older version of a replayed
    object's file, no longer referenced, must not come back over the newer one).
    """
    files = sorted({k for k in curated_keys if parse_curated_key(k) is not None})
    written = {_made_from(key) for key in files}
    in_tables = {_made_from(key) for key in committed if parse_curated_key(key) is not None}
    raw, again = [], set()
    for key in sorted(set(raw_keys)):
        raw_parts = parse_raw_key(key)
        if raw_parts is None:
            continue
        digest = source_digest(key)
        if any((table, digest) not in written for table in TABLES_OF[raw_parts.source]):
            raw.append(key)
            again.add(digest)
    unannounced = [
        k
        for k in files
        if k not in committed and _made_from(k) not in in_tables and _made_from(k)[1] not in again
    ]
    return Pending(tuple(raw), tuple(unannounced))


def recovery_run_id(now: datetime) -> str:
    """Run id of the announcements of one recovery, e.g. ``recovery-20261124T011500Z``."""
    return RUN_ID_PREFIX + now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
