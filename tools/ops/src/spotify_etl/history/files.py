"""The export's files, wherever they are: a zip as downloaded, an extracted folder, JSON files.

Each JSON file is recognised by its content (a JSON array whose rows have the
keys of one streaming-history format), never by its name. Inside a zip or a
folder, anything else (``Userdata.json``, ``Payments.json``, the PDF) is
ignored and counted; a file named on the command line that is not an export is
an error (:class:`NotAnExport`), and so is a damaged zip or one that would
unpack past the limits (:mod:`spotify_etl_common.zips`, the walker
``transformer transform-files`` uses too).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spotify_etl_common.streaming_history import HistoryKind, kind_of
from spotify_etl_common.zips import LIMITS, ZipLimits, Zips, looks_like_zip

EXPECTED = (
    "expected a JSON array of plays (ts and ms_played, or endTime and msPlayed), "
    "as in Streaming_History_Audio_*.json, endsong_*.json or StreamingHistory_music_*.json"
)


class NotAnExport(Exception):
    """A file named on the command line that is not a streaming-history file."""


@dataclass(frozen=True, slots=True)
class Member:
    """One file to look at: where it is (for messages) and its bytes."""

    name: str
    """``path`` or ``archive.zip:inner/path`` (what progress lines show)."""
    data: bytes
    named: bool
    """Named on the command line itself (an error if not an export) or found inside one."""


@dataclass(frozen=True, slots=True)
class ExportFile:
    """A recognised export file and its rows (dicts as parsed, not yet scrubbed)."""

    name: str
    kind: HistoryKind
    rows: list[dict[str, Any]]
    digest: str
    """sha256 of the file's bytes: the same file given twice is read once."""


def members(paths: Sequence[Path], limits: ZipLimits = LIMITS) -> Iterator[Member]:
    """Every file of ``paths``, one at a time (a zip's members are read as they are reached,
    within ``limits``: :class:`~spotify_etl_common.zips.ZipRefused` for a damaged zip or a
    bomb)."""
    for path in paths:
        if path.is_dir():
            for inner in sorted(p for p in path.rglob("*") if p.is_file()):
                yield from _file(inner, False, limits)
        elif path.is_file():
            yield from _file(path, True, limits)
        else:
            raise NotAnExport(f"{path} does not exist")


def _file(path: Path, named: bool, limits: ZipLimits) -> Iterator[Member]:
    if looks_like_zip(path):
        with Zips(limits) as zips:
            for entry in zips.walk(path):
                if entry.inside[-1].lower().endswith(".json"):
                    yield Member(entry.name, zips.read(entry.path, entry.inside), named=False)
                else:  # ignored by its name (the PDF, photos): not worth reading
                    yield Member(entry.name, b"", named=False)
    elif named or path.name.lower().endswith(".json"):
        yield Member(str(path), path.read_bytes(), named)
    else:
        yield Member(str(path), b"", named)


def recognise(member: Member) -> ExportFile | str:
    """The export file ``member`` holds, or why it is not one (a short reason)."""
    if not member.name.lower().endswith(".json") and not member.named:
        return "not a JSON file"
    try:
        value = json.loads(member.data)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        return f"not JSON ({error})"
    if not isinstance(value, list):
        return f"a JSON {type(value).__name__}, not an array of plays"
    if not value:
        return ExportFile(member.name, HistoryKind.EXTENDED, [], _digest(member.data))
    first = value[0]
    if not isinstance(first, dict):
        return "a JSON array whose first element is not an object"
    kind = kind_of(first.keys())
    if kind is None:
        keys = ", ".join(sorted(first)[:6])
        return f"a JSON array whose rows are not plays (keys: {keys})"
    rows = [row for row in value if isinstance(row, dict)]
    if len(rows) < len(value):
        return f"{len(value) - len(rows)} elements of the array are not objects"
    return ExportFile(member.name, kind, rows, _digest(member.data))


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def not_an_export(member: Member, reason: str) -> NotAnExport:
    """The one-line error for a named file that is not an export."""
    return NotAnExport(
        f"{member.name} is not a Spotify streaming history file: {reason}; {EXPECTED}"
    )
