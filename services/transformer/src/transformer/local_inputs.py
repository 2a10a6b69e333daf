"""What ``transform-files`` reads: files, folders of them, and zips as Spotify delivers them.

:func:`find_files` lists the inputs in the parent process (stdlib only: the
parent never loads Polars); :func:`read_all` reads a batch of them in a worker. A
zip is read as a download from Spotify's privacy page: each of its ``*.json``
members is an input (and those of zips inside it, as when the download
folder was zipped again), and the batch keeps those that are streaming history by
content (:func:`transformer.history.is_history`, the rule the core reads them
by) and ignores the rest (``Userdata.json``, ``SearchQueries.json``), as
``spotify-etl import-history`` does.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

NESTED_ZIPS = 3
"""Zips inside zips opened at most this deep (a zip of the download folder holds the download),
as ``spotify-etl import-history`` does."""


@dataclass(frozen=True, slots=True)
class LocalFile:
    """One input: a file, or a member of the zip at ``path`` (``inside``: the members that lead
    to it, zips inside zips first, the file's own name last)."""

    path: Path
    inside: tuple[str, ...] = ()

    @property
    def in_zip(self) -> bool:
        """A member of a download rather than a file named or found in a folder."""
        return bool(self.inside)

    def __str__(self) -> str:
        """``path``, or ``archive.zip:inner/path`` (as import-history names members)."""
        return ":".join((str(self.path), *self.inside))

    def modified(self) -> datetime:
        """When the file (for a member: its zip) was last changed, UTC."""
        return datetime.fromtimestamp(self.path.stat().st_mtime, tz=UTC)


def read_all(sources: Sequence[LocalFile]) -> list[bytes]:
    """The bytes of each of ``sources``, in order; each zip (and zip inside it) is opened,
    and a nested one decompressed, once for all its members rather than once per member."""
    with ExitStack() as stack:
        opened: dict[tuple[Path, tuple[str, ...]], zipfile.ZipFile] = {}

        def archive(path: Path, within: tuple[str, ...]) -> zipfile.ZipFile:
            if (path, within) not in opened:
                source: Path | io.BytesIO = path
                if within:
                    source = io.BytesIO(archive(path, within[:-1]).read(within[-1]))
                opened[path, within] = stack.enter_context(zipfile.ZipFile(source))
            return opened[path, within]

        return [
            archive(s.path, s.inside[:-1]).read(s.inside[-1]) if s.inside else s.path.read_bytes()
            for s in sources
        ]


def _is_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04" and zipfile.is_zipfile(io.BytesIO(data))


def _zip_members(
    path: Path, archive: zipfile.ZipFile, within: tuple[str, ...], depth: int
) -> Iterator[LocalFile]:
    """The JSON members of ``archive``, and those of the zips in it (``depth`` levels down)."""
    for info in sorted(archive.infolist(), key=lambda i: i.filename):
        name = info.filename
        if info.is_dir():
            continue
        if name.lower().endswith(".json"):
            yield LocalFile(path, (*within, name))
        elif depth > 0 and name.lower().endswith(".zip"):
            data = archive.read(info)
            if _is_zip(data):
                with zipfile.ZipFile(io.BytesIO(data)) as nested:
                    yield from _zip_members(path, nested, (*within, name), depth - 1)


def find_files(paths: Iterable[Path]) -> list[LocalFile]:
    """The files named (a zip: its JSON members, nested zips included), and every ``*.json``
    under the folders named, once each, in order; ``FileNotFoundError`` for a missing path."""
    found: list[LocalFile] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                LocalFile(p.resolve()) for p in sorted(path.rglob("*.json")) if p.is_file()
            )
        elif path.is_file() and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                found.extend(_zip_members(path.resolve(), archive, (), NESTED_ZIPS))
        elif path.is_file():
            found.append(LocalFile(path.resolve()))
        else:
            raise FileNotFoundError(f"{path} does not exist")
    return list(dict.fromkeys(found))
