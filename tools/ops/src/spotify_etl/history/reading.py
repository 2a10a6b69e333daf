"""Read an export into the spool: recognise each file, scrub each row, count everything."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spotify_etl_common.streaming_history import HistoryKind
from spotify_etl_common.zips import LIMITS, ZipLimits

from spotify_etl.history.batches import Spool
from spotify_etl.history.files import ExportFile, members, not_an_export, recognise
from spotify_etl.history.identity import play_key
from spotify_etl.history.owner import USERNAME_FIELD
from spotify_etl.history.scrub import canonical, ended_at, scrub_counting


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
    unreadable: int = 0
    """Values of kept fields that could not be read in their type (left out of their row)."""
    usernames: set[str] = field(default_factory=set)
    """The user names the export's rows carry (older exports: ``username``; never stored)."""

    @property
    def total(self) -> int:
        """Plays read, every format."""
        return sum(self.plays.values())


def spool_file(
    export: ExportFile, number: int, spool: Spool, usernames: set[str] | None = None
) -> tuple[int, int, int]:
    """Scrub and spool every row of ``export`` (file ``number`` of the import); (plays
    spooled, rows without a time, values left out). The user names rows carry are added to
    ``usernames`` (the rows stored never hold them)."""
    spooled = untimed = unreadable = 0
    for row in export.rows:
        username = row.get(USERNAME_FIELD)
        if usernames is not None and isinstance(username, str) and username:
            usernames.add(username)
        ended = ended_at(row, export.kind)
        if ended is None:
            untimed += 1
            continue
        scrubbed, left_out = scrub_counting(row, export.kind)
        unreadable += left_out
        play = play_key(scrubbed, export.kind)
        spool.add(export.kind, ended, play, number, canonical(scrubbed))
        spooled += 1
    return spooled, untimed, unreadable


def read_export(
    paths: Sequence[Path],
    spool: Spool,
    report: Callable[[str], None],
    limits: ZipLimits = LIMITS,
) -> ReadSummary:
    """Read every file of ``paths`` into ``spool``; ``NotAnExport`` for a bad named file,
    ``ZipRefused`` for a damaged zip or one that would unpack past ``limits``."""
    summary = ReadSummary()
    seen: dict[str, str] = {}
    for member in members(paths, limits):
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
        spooled, untimed, unreadable = spool_file(found, summary.files, spool, summary.usernames)
        summary.files += 1
        summary.plays[found.kind] += spooled
        summary.untimed += untimed
        summary.unreadable += unreadable
        report(f"read {member.name}: {spooled:,} {found.kind} plays")
    return summary
