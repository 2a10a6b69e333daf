"""What ``transform-files`` reads: files, folders of them, and zips as Spotify delivers them.

:func:`find_files` lists the inputs in the parent process (stdlib only: the
parent never loads Polars); :meth:`LocalFile.read` reads one in a worker. A
zip is read as a download from Spotify's privacy page: each of its ``*.json``
members is an input, and the batch keeps those that are streaming history by
content (:func:`transformer.history.is_history`, the rule the core reads them
by) and ignores the rest (``Userdata.json``, ``SearchQueries.json``), as
``spotify-etl import-history`` does.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True, slots=True)
class LocalFile:
    """One input: a file, or the ``member`` of the zip at ``path``."""

    path: Path
    member: str | None = None

    def __str__(self) -> str:
        """``path``, or ``archive.zip:inner/path`` (as import-history names members)."""
        return str(self.path) if self.member is None else f"{self.path}:{self.member}"

    def read(self) -> bytes:
        """The input's bytes."""
        if self.member is None:
            return self.path.read_bytes()
        with zipfile.ZipFile(self.path) as archive:
            return archive.read(self.member)

    def modified(self) -> datetime:
        """When the file (for a member: its zip) was last changed, UTC."""
        return datetime.fromtimestamp(self.path.stat().st_mtime, tz=UTC)


def _zip_members(path: Path) -> list[LocalFile]:
    with zipfile.ZipFile(path) as archive:
        names = [i.filename for i in archive.infolist() if not i.is_dir()]
    return [LocalFile(path, n) for n in sorted(names) if n.lower().endswith(".json")]


def find_files(paths: Iterable[Path]) -> list[LocalFile]:
    """The files named (a zip: its JSON members), and every ``*.json`` under the folders named,
    once each, in order; ``FileNotFoundError`` for a path that does not exist."""
    found: list[LocalFile] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                LocalFile(p.resolve()) for p in sorted(path.rglob("*.json")) if p.is_file()
            )
        elif path.is_file() and zipfile.is_zipfile(path):
            found.extend(_zip_members(path.resolve()))
        elif path.is_file():
            found.append(LocalFile(path.resolve()))
        else:
            raise FileNotFoundError(f"{path} does not exist")
    return list(dict.fromkeys(found))
