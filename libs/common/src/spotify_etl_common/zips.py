"""Zips as Spotify delivers its data export: nested zips walked, every read bounded.

The one walker of ``spotify-etl import-history`` and ``transformer
transform-files``. A zip's members are listed in name order; a member named
``*.zip`` that is a zip is walked in turn (at most :attr:`ZipLimits.depth`
levels down: a zip of the download folder holds the download) instead of being
listed (a member named so that does not start as a zip is listed as a file:
macOS adds ``__MACOSX/._name.zip`` to a zipped folder). Nothing is extracted
to disk, and a member is read only when asked for.

A damaged zip is an error, never skipped: the download is a person's whole
listening history, and a walk that skipped its damaged part would import part
of it without a word, while the fix (download it again) is the user's to make.
So is a zip that would unpack past the limits (a zip bomb, or something that is
not Spotify's export). Both are a :class:`ZipRefused` whose message is one line
naming the file and what to do.

The limits are checked twice. Before any byte is read, from the zip's
directory: its member count and declared total when it is opened, each
member's declared size and compression ratio before the member is read. And
while reading, since a directory can lie: each member is read in chunks, and
its bytes and those of the whole walk are counted against the caps, so memory
never holds more than one member's cap.
"""

from __future__ import annotations

import io
import lzma
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Self

MIB = 1 << 20
READ_CHUNK = MIB
ZIP_MAGIC = b"PK\x03\x04"
"""How a zip starts (its first member's local header)."""
"""Bytes decompressed at a time while a member is read."""


@dataclass(frozen=True, slots=True)
class ZipLimits:
    """What a walk reads at most (defaults: far above any Spotify export, far below a bomb)."""

    member_bytes: int = 256 * MIB
    """Uncompressed size of one member (an export's files are about 10 MB each)."""
    total_bytes: int = 2048 * MIB
    """Uncompressed bytes of one zip's directory, and bytes read in one walk."""
    members: int = 10_000
    """Entries of one zip (an export has a few dozen)."""
    ratio: int = 100
    """Uncompressed size over compressed size of one member (JSON: 5 to 20)."""
    ratio_from: int = MIB
    """Members smaller than this may compress better (a small file of spaces is no bomb)."""
    depth: int = 3
    """Zips inside zips opened at most this deep."""


LIMITS = ZipLimits()

_DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    OSError,  # bz2's "Invalid data stream", a truncated file
    RuntimeError,  # encrypted
    NotImplementedError,  # a compression method zipfile lacks
)
_WHAT_TO_DO = "download it again from Spotify's privacy page, or pass its extracted folder"


class ZipRefused(Exception):
    """A zip that is damaged or would unpack past the limits; the message is one line."""


@dataclass(frozen=True, slots=True)
class ZipEntry:
    """One file inside the zip at ``path``: ``inside`` names the nested zips that lead to it,
    then the file itself."""

    path: Path
    inside: tuple[str, ...]
    size: int
    """Uncompressed size, as the directory declares it."""

    @property
    def name(self) -> str:
        """``archive.zip:inner/path`` (``:inner.zip:path`` again per nested zip)."""
        return ":".join((str(self.path), *self.inside))


_END_RECORD = b"PK\x05\x06"
_END_SEARCH = 22 + 0xFFFF
"""The end-of-directory record is 22 bytes and a comment of at most 64 KiB: it is in the
file's last ``_END_SEARCH`` bytes."""


def _entries_declared(source: Path | io.BytesIO) -> int | None:
    """The entry count a zip's end-of-directory record declares (None if not found, or a
    zip64 one: zipfile then reads the directory, and the count is checked after)."""
    if isinstance(source, Path):
        with source.open("rb") as file:
            size = file.seek(0, io.SEEK_END)
            file.seek(max(0, size - _END_SEARCH))
            tail = file.read()
    else:
        tail = source.getbuffer()[-_END_SEARCH:].tobytes()
    at = tail.rfind(_END_RECORD)
    if at < 0 or len(tail) < at + 22:
        return None
    entries = int.from_bytes(tail[at + 10 : at + 12], "little")
    return None if entries == 0xFFFF else entries


def looks_like_zip(path: Path) -> bool:
    """A zip, or a file named ``*.zip`` (then a damaged one: :meth:`Zips.walk` says so)."""
    return path.suffix.lower() == ".zip" or zipfile.is_zipfile(path)


def _name(path: Path, inside: tuple[str, ...]) -> str:
    return ":".join((str(path), *inside))


def _too_big(name: str, what: str, limit: str) -> ZipRefused:
    return ZipRefused(
        f"{name} {what}, over the limit of {limit} (a zip bomb, or not Spotify's data "
        "export): pass the export's own files"
    )


def _mib(size: int) -> str:
    return f"{size / MIB:,.0f} MiB" if size >= MIB else f"{size:,} bytes"


class Zips:
    """Zips opened for one walk or one batch of reads, closed together, and the bytes read."""

    def __init__(self, limits: ZipLimits = LIMITS) -> None:
        self.limits = limits
        self.bytes_read = 0
        """Uncompressed bytes read so far (nested zips and members), against ``total_bytes``."""
        self._stack = ExitStack()
        self._opened: dict[tuple[Path, tuple[str, ...]], zipfile.ZipFile] = {}

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self._opened.clear()
        self._stack.close()

    def walk(self, path: Path) -> Iterator[ZipEntry]:
        """Every file of the zip at ``path`` in name order, a nested zip's files in its place."""
        if not zipfile.is_zipfile(path):
            raise ZipRefused(
                f"{path} is not a complete zip (an interrupted download?): download it again "
                "from Spotify's privacy page"
            )
        yield from self._walk(path, ())

    def _walk(self, path: Path, within: tuple[str, ...]) -> Iterator[ZipEntry]:
        archive = self._archive(path, within)
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            if info.is_dir():
                continue
            inside = (*within, info.filename)
            nested = len(within) < self.limits.depth and info.filename.lower().endswith(".zip")
            if nested and self._is_zip(path, inside):
                yield from self._walk(path, inside)
            else:
                yield ZipEntry(path, inside, info.file_size)

    def _is_zip(self, path: Path, inside: tuple[str, ...]) -> bool:
        """Whether member ``inside`` is a zip (opened then): it starts as one does. A member
        that starts so but has no directory is damaged; one that does not is a file named
        ``.zip`` (macOS's ``__MACOSX/._x.zip`` beside a zipped download)."""
        if (path, inside) in self._opened:
            return True
        data = self.read(path, inside)
        if not data.startswith(ZIP_MAGIC):
            return False
        self._open(path, inside, io.BytesIO(data))
        return True

    def read(self, path: Path, inside: tuple[str, ...]) -> bytes:
        """The bytes of member ``inside`` of the zip at ``path``, read within the limits."""
        name = _name(path, inside)
        archive = self._archive(path, inside[:-1])
        with self._damage(name):
            info = archive.getinfo(inside[-1])
        self._check_member(name, info)
        parts: list[bytes] = []
        got = 0
        with self._damage(name), archive.open(info) as stream:
            while chunk := stream.read(READ_CHUNK):
                got += len(chunk)
                self.bytes_read += len(chunk)
                if got > self.limits.member_bytes:
                    raise _too_big(name, "unpacks past its declared size", _mib(got))
                if self.bytes_read > self.limits.total_bytes:
                    raise _too_big(
                        name, "takes the bytes read past the total", _mib(self.limits.total_bytes)
                    )
                parts.append(chunk)
        return b"".join(parts)

    def _check_member(self, name: str, info: zipfile.ZipInfo) -> None:
        limits = self.limits
        if info.file_size > limits.member_bytes:
            size = _mib(info.file_size)
            raise _too_big(name, f"would unpack to {size}", _mib(limits.member_bytes))
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= limits.ratio_from and ratio > limits.ratio:
            raise _too_big(
                name,
                f"would unpack {ratio:,.0f} times its packed size ({_mib(info.file_size)})",
                f"{limits.ratio} times",
            )

    def _archive(self, path: Path, within: tuple[str, ...]) -> zipfile.ZipFile:
        """The zip at ``path`` (``within``: a nested one, opened by the walk), opened once."""
        if not within and (path, within) not in self._opened:
            self._open(path, within, path)
        elif within and not self._is_zip(path, within):
            raise ZipRefused(f"{_name(path, within)} is not a zip: {_WHAT_TO_DO}")
        return self._opened[path, within]

    def _open(self, path: Path, within: tuple[str, ...], source: Path | io.BytesIO) -> None:
        """Open a zip and check its directory: its entries (counted from the end record
        first, before zipfile reads the directory into memory) and their declared total."""
        name = _name(path, within)
        counted = _entries_declared(source)
        if counted is not None and counted > self.limits.members:
            raise _too_big(name, f"holds {counted:,} entries", f"{self.limits.members:,}")
        with self._damage(name):
            archive = self._stack.enter_context(zipfile.ZipFile(source))
        entries = archive.infolist()
        if len(entries) > self.limits.members:
            raise _too_big(name, f"holds {len(entries):,} entries", f"{self.limits.members:,}")
        declared = sum(i.file_size for i in entries)
        if declared > self.limits.total_bytes:
            raise _too_big(name, f"would unpack to {_mib(declared)}", _mib(self.limits.total_bytes))
        self._opened[path, within] = archive

    @contextmanager
    def _damage(self, name: str) -> Iterator[None]:
        """Library errors of a damaged or encrypted zip as one :class:`ZipRefused` line."""
        try:
            yield
        except _DAMAGED as error:
            detail = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise ZipRefused(
                f"{name} is a damaged or encrypted zip ({detail}): {_WHAT_TO_DO}"
            ) from None
