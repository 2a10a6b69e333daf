"""The one zip walker: nested zips, a damaged zip as one line, every limit before and while reading.

Both readers of the data export (``spotify-etl import-history`` and
``transformer transform-files``) go through it, so a damaged zip or a bomb is
the same one-line error in both.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from spotify_etl.history.batches import Spool
from spotify_etl.history.reading import read_export
from spotify_etl_common.zips import MIB, ZipLimits, ZipRefused, Zips
from transformer.local_inputs import find_files, read_all

SMALL = ZipLimits(member_bytes=MIB, total_bytes=3 * MIB, members=20, ratio=50, ratio_from=64 * 1024)
"""Low caps, so that a bomb of a few MiB is enough."""


def _zip(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _damaged(path: Path) -> Path:
    """A zip whose first member's compressed bytes are flipped (a bad disk, a bad copy)."""
    good = _zip(path, {"a.json": b'[{"ts": "2024-01-01T00:00:00Z", "ms_played": 1}]' * 200})
    data = good.read_bytes()
    with zipfile.ZipFile(good) as archive:
        info = archive.infolist()[0]
    start = info.header_offset + 30 + len(info.filename.encode()) + 5
    flipped = bytes(b ^ 0xFF for b in data[start : start + 40])
    path.write_bytes(data[:start] + flipped + data[start + 40 :])
    return path


def _walk_and_read(path: Path, limits: ZipLimits = SMALL) -> list[tuple[str, bytes]]:
    with Zips(limits) as zips:
        return [(e.name, zips.read(e.path, e.inside)) for e in zips.walk(path)]


def _one_line(caught: pytest.ExceptionInfo[ZipRefused]) -> str:
    text = str(caught.value)
    assert "\n" not in text
    return text


def test_nested_zips_are_walked_in_place_of_themselves(tmp_path: Path) -> None:
    inner = _zip_bytes({"Spotify Extended Streaming History/a.json": b"[]", "b.pdf": b"%PDF"})
    path = _zip(tmp_path / "folder.zip", {"my_spotify_data.zip": inner, "z.json": b"[1]"})
    assert _walk_and_read(path) == [
        (f"{path}:my_spotify_data.zip:Spotify Extended Streaming History/a.json", b"[]"),
        (f"{path}:my_spotify_data.zip:b.pdf", b"%PDF"),
        (f"{path}:z.json", b"[1]"),
    ]


def test_zips_deeper_than_the_depth_are_listed_not_opened(tmp_path: Path) -> None:
    deepest = _zip_bytes({"a.json": b"[]"})
    path = _zip(tmp_path / "o.zip", {"x.zip": _zip_bytes({"y.zip": deepest})})
    with Zips(ZipLimits(depth=1)) as zips:
        assert [e.inside for e in zips.walk(path)] == [("x.zip", "y.zip")]


READERS: dict[str, Callable[[Path, Path, ZipLimits], object]] = {
    "import-history": lambda path, scratch, limits: read_export(
        [path], Spool(scratch), lambda line: None, limits
    ),
    "transform-files": lambda path, scratch, limits: read_all(find_files([path], limits), limits),
}
"""Both readers of a data export, as their commands call them."""


@pytest.mark.parametrize("reader", sorted(READERS))
def test_a_damaged_zip_is_the_same_one_line_error_in_both_readers(
    reader: str, tmp_path: Path
) -> None:
    path = _damaged(tmp_path / "my_spotify_data.zip")
    with pytest.raises(ZipRefused) as caught:
        READERS[reader](path, tmp_path, SMALL)
    text = _one_line(caught)
    assert text.startswith(f"{path}:a.json is a damaged or encrypted zip (Error -3 while ")
    assert text.endswith(
        "): download it again from Spotify's privacy page, or pass its extracted folder"
    )


@pytest.mark.parametrize("reader", sorted(READERS))
def test_an_interrupted_download_is_the_same_one_line_error_in_both_readers(
    reader: str, tmp_path: Path
) -> None:
    whole = _zip(tmp_path / "whole.zip", {"a.json": b"[]" * 1000}).read_bytes()
    cut = tmp_path / "my_spotify_data.zip"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ZipRefused) as caught:
        READERS[reader](cut, tmp_path, SMALL)
    assert "is not a complete zip (an interrupted download?)" in _one_line(caught)


def test_a_nested_member_that_starts_as_a_zip_without_a_directory_is_damaged(
    tmp_path: Path,
) -> None:
    whole = _zip_bytes({"a.json": b"[]" * 1000})
    path = _zip(tmp_path / "o.zip", {"inner.zip": whole[: len(whole) // 2]})
    with pytest.raises(ZipRefused, match=r"o\.zip:inner\.zip is a damaged or encrypted zip"):
        _walk_and_read(path)


def test_a_member_named_zip_that_is_no_zip_is_a_file(tmp_path: Path) -> None:
    """macOS's AppleDouble companion of a zipped download, ignored by the readers."""
    apple = b"\x00\x05\x16\x07mac"
    path = _zip(tmp_path / "o.zip", {"__MACOSX/._my_spotify_data.zip": apple})
    assert _walk_and_read(path) == [(f"{path}:__MACOSX/._my_spotify_data.zip", apple)]


@pytest.mark.parametrize("reader", sorted(READERS))
def test_a_zip_bomb_is_refused_from_its_directory_before_a_byte_is_read(
    reader: str, tmp_path: Path
) -> None:
    """2 MiB of zeros in a few KB: over the member cap (1 MiB) and the ratio (50)."""
    path = _zip(tmp_path / "bomb.zip", {"Streaming_History_Audio_2024.json": bytes(2 * MIB)})
    assert path.stat().st_size < 10_000
    with pytest.raises(ZipRefused) as caught:
        READERS[reader](path, tmp_path, SMALL)
    assert _one_line(caught) == (
        f"{path}:Streaming_History_Audio_2024.json would unpack to 2 MiB, over the limit of "
        "1 MiB (a zip bomb, or not Spotify's data export): pass the export's own files"
    )


def test_a_member_that_compresses_too_well_is_refused_under_the_size_cap(tmp_path: Path) -> None:
    path = _zip(tmp_path / "b.zip", {"a.json": bytes(512 * 1024)})
    zips = Zips(SMALL)
    with zips, pytest.raises(ZipRefused, match="would unpack 999 times its packed size"):
        [zips.read(e.path, e.inside) for e in zips.walk(path)]
    assert zips.bytes_read == 0


def test_too_many_members_are_refused_when_the_zip_is_opened(tmp_path: Path) -> None:
    path = _zip(tmp_path / "many.zip", {f"{i}.json": b"[]" for i in range(21)})
    with pytest.raises(ZipRefused, match="holds 21 entries, over the limit of 20"):
        _walk_and_read(path)


def test_a_declared_total_past_the_cap_is_refused_when_the_zip_is_opened(tmp_path: Path) -> None:
    members = {f"{i}.json": bytes(900 * 1024) for i in range(4)}  # 3.5 MiB, each under 1 MiB
    path = _zip(tmp_path / "total.zip", members, zipfile.ZIP_STORED)
    zips = Zips(SMALL)
    with zips, pytest.raises(ZipRefused, match="would unpack to 4 MiB, over the limit of 3 MiB"):
        list(zips.walk(path))
    assert zips.bytes_read == 0


def test_the_total_is_enforced_while_reading_across_zips(tmp_path: Path) -> None:
    """Each zip's directory is within the caps; the walk's bytes read are not."""
    first = _zip(tmp_path / "1.zip", {"a.json": bytes(900 * 1024)}, zipfile.ZIP_STORED)
    second = _zip(tmp_path / "2.zip", {"b.json": bytes(900 * 1024)}, zipfile.ZIP_STORED)
    limits = ZipLimits(member_bytes=MIB, total_bytes=MIB + MIB // 2, ratio=50)
    with Zips(limits) as zips:
        zips.read(first, ("a.json",))
        with pytest.raises(ZipRefused, match="takes the bytes read past the total"):
            zips.read(second, ("b.json",))


def _lying(path: Path, actual: bytes, declared: int) -> Path:
    """A stored zip whose directory says ``declared`` bytes while ``actual`` are in it."""
    data = bytearray(_zip(path, {"a.json": actual}, zipfile.ZIP_STORED).read_bytes())
    directory = data.rfind(b"PK\x01\x02")
    struct.pack_into("<II", data, directory + 20, declared, declared)  # compressed, uncompressed
    struct.pack_into("<II", data, 18, declared, declared)  # the local header says it too
    path.write_bytes(bytes(data))
    return path


def test_a_directory_that_understates_a_member_never_yields_more_than_it_declares(
    tmp_path: Path,
) -> None:
    """zipfile stops at the declared size, and the CRC then tells the lie: a damaged zip."""
    path = _lying(tmp_path / "lie.zip", b"[" + b" " * 4000 + b"]", 100)
    zips = Zips(SMALL)
    with zips, pytest.raises(ZipRefused, match="is a damaged or encrypted zip"):
        zips.read(path, ("a.json",))
    assert zips.bytes_read <= 100


def test_the_entry_count_is_read_from_the_end_record_before_the_directory(tmp_path: Path) -> None:
    """A zip whose end record declares 65,534 entries (its directory holds one) is
    refused for its count, not parsed (zipfile would hold every entry in memory)."""
    data = bytearray(_zip(tmp_path / "ok.zip", {"a.json": b"[]"}).read_bytes())
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, 0xFFFE, 0xFFFE)  # entries on this disk, in all
    path = tmp_path / "many.zip"
    path.write_bytes(bytes(data))
    with pytest.raises(ZipRefused, match="holds 65,534 entries, over the limit of 20"):
        _walk_and_read(path)
