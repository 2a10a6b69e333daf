"""Plays into bounded raw objects whose keys are a function of their plays.

Chunking rule: the plays of one format are grouped by the UTC month in which
playback ended, sorted by end time (then by their canonical text), and each
month is cut into objects of at most ``max_plays`` plays. The key holds the
format, the month and a digest of the object's bytes. So:

- importing the same download twice writes the same objects (same keys, same bytes);
- identical rows are kept (each is a play) and not cut apart (:func:`split_month`);
- a later, cumulative download (the whole history again, split into other
  files) gives the same objects for every month that was already complete, and
  new ones only for the months that gained plays (the same plays can then sit
  in two objects; ``distinct_plays`` counts them once).

Plays are spooled to one file per (format, month) in a scratch directory while
the export is read, so memory holds one export file and one month at a time,
never the whole history.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from spotify_etl_common.keys import streaming_history_key
from spotify_etl_common.streaming_history import HistoryKind

MAX_PLAYS = 10_000
"""Plays per raw object at most: a few MB of JSON, a few hundred ms to transform."""
FLUSH_LINES = 20_000
"""Spooled lines held in memory before they are appended to their month's file."""
_SORTABLE = "%Y-%m-%dT%H:%M:%S"


@dataclass(frozen=True, slots=True)
class Chunk:
    """One raw object to write: its key, bytes, plays and the time of its last play."""

    kind: HistoryKind
    month: str
    key: str
    body: bytes
    plays: int
    last_played_at: datetime
    """The object's ``extracted_at``: the export has no fetch time of its own, and a time
    derived from the content keeps re-imports on the same curated keys."""


def chunk_body(rows: list[str]) -> bytes:
    """The raw object of canonical rows: a JSON array, one row per line."""
    return ("[\n" + ",\n".join(rows) + "\n]\n").encode()


def split_month(lines: list[str], max_plays: int) -> list[list[str]]:
    """Spooled ``<end time>\\t<row>`` lines of one month, sorted, in chunks of at most
    ``max_plays``.

    Identical rows (the export does hold some) stay in one chunk unless there are more of them
    than ``max_plays``: ``distinct_plays`` counts a row as many times as one object holds it,
    so a cut between two of them would count one of them away.
    """
    ordered = sorted(lines)
    chunks: list[list[str]] = []
    start = 0
    while start < len(ordered):
        end = min(start + max_plays, len(ordered))
        if end < len(ordered):
            cut = end
            while cut > start and ordered[cut - 1] == ordered[cut]:
                cut -= 1
            end = cut if cut > start else end
        chunks.append(ordered[start:end])
        start = end
    return chunks


def make_chunk(kind: HistoryKind, month: str, lines: list[str]) -> Chunk:
    """The object of one chunk of spooled lines (sorted)."""
    body = chunk_body([line.split("\t", 1)[1] for line in lines])
    digest = hashlib.sha256(body).hexdigest()[:32]
    last = datetime.strptime(lines[-1].split("\t", 1)[0], _SORTABLE).replace(tzinfo=UTC)
    return Chunk(kind, month, streaming_history_key(kind, month, digest), body, len(lines), last)


class Spool:
    """Canonical rows appended per (format, month) to files under ``directory``."""

    def __init__(self, directory: Path, flush_lines: int = FLUSH_LINES) -> None:
        self.directory = directory
        self.flush_lines = flush_lines
        self._pending: dict[tuple[HistoryKind, str], list[str]] = defaultdict(list)
        self._held = 0
        self.counts: dict[tuple[HistoryKind, str], int] = defaultdict(int)

    def add(self, kind: HistoryKind, ended: datetime, row: str) -> None:
        """Spool one canonical row that ended at ``ended`` (UTC)."""
        group = (kind, ended.strftime("%Y-%m"))
        self._pending[group].append(f"{ended.strftime(_SORTABLE)}\t{row}\n")
        self.counts[group] += 1
        self._held += 1
        if self._held >= self.flush_lines:
            self.flush()

    def flush(self) -> None:
        """Append every held line to its month's file."""
        for (kind, month), lines in self._pending.items():
            with self._path(kind, month).open("a", encoding="utf-8") as out:
                out.writelines(lines)
        self._pending.clear()
        self._held = 0

    def objects(self, max_plays: int) -> int:
        """How many objects :meth:`chunks` will yield."""
        return sum(len(parts) for _, _, parts in self._months(max_plays))

    def chunks(self, max_plays: int = MAX_PLAYS) -> Iterator[Chunk]:
        """Every object, by format then month, one month in memory at a time."""
        for kind, month, parts in self._months(max_plays):
            for lines in parts:
                yield make_chunk(kind, month, lines)

    def _months(self, max_plays: int) -> Iterator[tuple[HistoryKind, str, list[list[str]]]]:
        self.flush()
        for kind, month in sorted(self.counts):
            text = self._path(kind, month).read_text(encoding="utf-8")
            # split on \n only: rows may hold U+2028 and the like, which splitlines() would cut
            yield kind, month, split_month(text.split("\n")[:-1], max_plays)

    def _path(self, kind: HistoryKind, month: str) -> Path:
        return self.directory / f"{kind}-{month}.tsv"
