"""Plays into bounded raw objects whose keys are a function of their plays.

Chunking rule: the plays of one format are grouped by the UTC month in which
playback ended, each play kept as often as the one file holding it most often
holds it (:func:`keep_once`: downloads that overlap, read together, repeat
their plays), sorted by end time (then play and canonical text), and each
month is cut into objects of at most ``max_plays`` plays, never between two
rows of one play. The key holds the format, the month and a digest of the
object's bytes. So:

- importing the same download twice writes the same objects (same keys, same bytes);
- identical rows of one file are kept (each is a row of the export);
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


@dataclass(frozen=True, slots=True)
class Line:
    """One spooled row: when it ended, which play it is, the file it came from, its text."""

    ended: str
    play: str
    file: int
    row: str

    @classmethod
    def parse(cls, text: str) -> Line:
        ended, play, file, row = text.split("\t", 3)
        return cls(ended, play, int(file), row)


def keep_once(lines: list[Line]) -> list[Line]:
    """The rows of one month, each play as often as the one file holding it most often holds
    it (overlapping downloads read together repeat their plays; one file's identical rows are
    each a play); sorted by end time, play and text. Which file's rows are kept depends on
    content only (the most rows, then the greatest texts), never on the order of the files."""
    groups: dict[tuple[str, str], dict[int, list[Line]]] = defaultdict(lambda: defaultdict(list))
    for line in lines:
        groups[(line.ended, line.play)][line.file].append(line)
    kept = [
        line
        for by_file in groups.values()
        for line in max(by_file.values(), key=lambda rows: (len(rows), sorted(r.row for r in rows)))
    ]
    return sorted(kept, key=lambda line: (line.ended, line.play, line.row))


def split_month(lines: list[Line], max_plays: int) -> list[list[Line]]:
    """The kept rows of one month (:func:`keep_once`) in chunks of at most ``max_plays``.

    The rows of one play stay in one chunk unless there are more of them than ``max_plays``:
    ``distinct_plays`` counts a play as many times as one object holds it, so a cut between
    two of them would count one away.
    """
    ordered = keep_once(lines)
    chunks: list[list[Line]] = []
    start = 0
    while start < len(ordered):
        end = min(start + max_plays, len(ordered))
        if end < len(ordered):
            cut = end
            while cut > start and _same_play(ordered[cut - 1], ordered[cut]):
                cut -= 1
            end = cut if cut > start else end
        chunks.append(ordered[start:end])
        start = end
    return chunks


def _same_play(a: Line, b: Line) -> bool:
    return (a.ended, a.play) == (b.ended, b.play)


def make_chunk(
    kind: HistoryKind, month: str, lines: list[Line], user_id: str | None = None
) -> Chunk:
    """The object of one chunk of kept lines (sorted), under ``user_id``'s prefix if given."""
    body = chunk_body([line.row for line in lines])
    digest = hashlib.sha256(body).hexdigest()[:32]
    last = datetime.strptime(lines[-1].ended, _SORTABLE).replace(tzinfo=UTC)
    key = streaming_history_key(kind, month, digest, user_id)
    return Chunk(kind, month, key, body, len(lines), last)


@dataclass(frozen=True, slots=True)
class Plan:
    """What :meth:`Spool.chunks` will yield: objects, and plays in them."""

    objects: int
    plays: int


class Spool:
    """Canonical rows appended per (format, month) to files under ``directory``."""

    def __init__(self, directory: Path, flush_lines: int = FLUSH_LINES) -> None:
        self.directory = directory
        self.flush_lines = flush_lines
        self._pending: dict[tuple[HistoryKind, str], list[str]] = defaultdict(list)
        self._held = 0
        self.counts: dict[tuple[HistoryKind, str], int] = defaultdict(int)

    def add(self, kind: HistoryKind, ended: datetime, play: str, file: int, row: str) -> None:
        """Spool one canonical row of export file number ``file`` that ended at ``ended``
        (UTC); ``play`` is its :func:`~spotify_etl.history.identity.play_key`."""
        sortable = ended.isoformat()[:19]  # _SORTABLE, faster (ended is UTC, year >= 1970)
        group = (kind, sortable[:7])
        self._pending[group].append(f"{sortable}\t{play}\t{file}\t{row}\n")
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

    def plan(self, max_plays: int) -> Plan:
        """How many objects and plays :meth:`chunks` will yield."""
        parts = [part for _, _, month in self._months(max_plays) for part in month]
        return Plan(len(parts), sum(map(len, parts)))

    def chunks(self, max_plays: int = MAX_PLAYS, user_id: str | None = None) -> Iterator[Chunk]:
        """Every object, by format then month, one month in memory at a time (keys under
        ``user_id``'s prefix if given)."""
        for kind, month, parts in self._months(max_plays):
            for lines in parts:
                yield make_chunk(kind, month, lines, user_id)

    def _months(self, max_plays: int) -> Iterator[tuple[HistoryKind, str, list[list[Line]]]]:
        self.flush()
        for kind, month in sorted(self.counts):
            text = self._path(kind, month).read_text(encoding="utf-8")
            # split on \n only: rows may hold U+2028 and the like, which splitlines() would cut
            lines = [Line.parse(line) for line in text.split("\n")[:-1]]
            yield kind, month, split_month(lines, max_plays)

    def _path(self, kind: HistoryKind, month: str) -> Path:
        return self.directory / f"{kind}-{month}.tsv"
