"""What ``transform-files`` reads: files, folders of them, and zips as Spotify delivers them.

:func:`find_files` lists the inputs in the parent process (stdlib only: the
parent never loads Polars); :func:`read_all` reads a batch of them in a worker. A
zip is read as a download from Spotify's privacy page: each of its ``*.json``
members is an input (and those of zips inside it, as when the download
folder was zipped again), and the batch keeps those that are streaming history by
content (:func:`transformer.history.is_history`, the rule the core reads them
by) and ignores the rest (``Userdata.json``, ``SearchQueries.json``), as
``spotify-etl import-history`` does, with the same walker
(:mod:`spotify_etl_common.zips`): a damaged zip, or one that would unpack past
the limits, is a one-line error.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from spotify_etl_common.zips import LIMITS, ZipLimits, Zips, looks_like_zip


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


def read_all(sources: Sequence[LocalFile], limits: ZipLimits = LIMITS) -> list[bytes]:
    """The bytes of each of ``sources``, in order; each zip (and zip inside it) is opened,
    and a nested one decompressed, once for all its members rather than once per member,
    every read within ``limits`` (:class:`~spotify_etl_common.zips.ZipRefused` past them)."""
    with Zips(limits) as zips:
        return [zips.read(s.path, s.inside) if s.inside else s.path.read_bytes() for s in sources]


def find_files(paths: Iterable[Path], limits: ZipLimits = LIMITS) -> list[LocalFile]:
    """The files named (a zip: its JSON members, nested zips included), and every ``*.json``
    under the folders named, once each, in order; ``FileNotFoundError`` for a missing path,
    :class:`~spotify_etl_common.zips.ZipRefused` for a damaged zip or a bomb."""
    found: list[LocalFile] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                LocalFile(p.resolve()) for p in sorted(path.rglob("*.json")) if p.is_file()
            )
        elif path.is_file() and looks_like_zip(path):
            with Zips(limits) as zips:
                found.extend(
                    LocalFile(path.resolve(), entry.inside)
                    for entry in zips.walk(path)
                    if entry.inside[-1].lower().endswith(".json")
                )
        elif path.is_file():
            found.append(LocalFile(path.resolve()))
        else:
            raise FileNotFoundError(f"{path} does not exist")
    return list(dict.fromkeys(found))
