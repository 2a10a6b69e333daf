"""Read an export into the spool: recognise each file, scrub each row, count everything."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spotify_etl_common.streaming_history import HistoryKind

from spotify_etl.history.batches import Spool
from spotify_etl.history.files import ExportFile, members, not_an_export, recognise
from spotify_etl.history.scrub import canonical, ended_at, parse_time, scrub


@dataclass
class ReadSummary:
    """What reading the export found."""

    files: int = 0
    plays: Counter[HistoryKind] = field(default_factory=Counter)
    ignored: list[str] = field(default_factory=list)
    """Other files of the download (``name: reason``)."""
    repeated: list[str] = field(default_factory=list)
    """Files whose bytes were already read under another name (read once)."""
    untimed: int = 0
    """Rows without a readable end time: they cannot be plays and are left out."""

    @property
    def total(self) -> int:
        """Plays read, every format."""
        return sum(self.plays.values())


def spool_file(export: ExportFile, spool: Spool) -> tuple[int, int]:
    """Scrub and spool every row of ``export``; (plays spooled, rows without a time)."""
    spooled = untimed = 0
    for row in export.rows:
        text = ended_at(row, export.kind)
        ended = parse_time(text) if text is not None else None
        if ended is None:
            untimed += 1
            continue
        spool.add(export.kind, ended, canonical(scrub(row, export.kind)))
        spooled += 1
    return spooled, untimed


def read_export(paths: Sequence[Path], spool: Spool, report: Callable[[str], None]) -> ReadSummary:
    """Read every file of ``paths`` into ``spool``; ``NotAnExport`` for a bad named file."""
    summary = ReadSummary()
    seen: dict[str, str] = {}
    for member in members(paths):
        found = recognise(member)
        if isinstance(found, str):
            if member.named:
                raise not_an_export(member, found)
            summary.ignored.append(f"{member.name}: {found}")
            continue
        if found.digest in seen:
            summary.repeated.append(f"{member.name} (same bytes as {seen[found.digest]})")
            report(f"skipping {member.name}: same file as {seen[found.digest]}")
            continue
        seen[found.digest] = member.name
        spooled, untimed = spool_file(found, spool)
        summary.files += 1
        summary.plays[found.kind] += spooled
        summary.untimed += untimed
        report(f"read {member.name}: {spooled:,} {found.kind} plays")
    return summary
