"""What ``local status`` says of the lake's size, and what ``local purge`` removes."""

from __future__ import annotations

from pathlib import Path

from spotify_etl.local.lake import disk_usage, human_size, purge, secrets


def test_sizes_read_as_people_write_them() -> None:
    assert human_size(0) == "0 B"
    assert human_size(999) == "999 B"
    assert human_size(1_500) == "1.5 KB"
    assert human_size(2_340_000_000) == "2.3 GB"


def test_disk_usage_counts_the_blocks_of_every_file_below(tmp_path: Path) -> None:
    assert disk_usage(tmp_path / "missing") == 0
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "volume.dat").write_bytes(b"x" * 10_000)
    assert disk_usage(tmp_path) >= 10_000


def test_purge_removes_the_lake_and_nothing_beside_it(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    (lake / "master").mkdir(parents=True)
    (lake / "1.dat").write_bytes(b"x")
    (tmp_path / "grants.json").write_text("{}")
    purge(lake)
    purge(lake)  # already gone: nothing to do
    assert [p.name for p in tmp_path.iterdir()] == ["grants.json"]


def test_secrets_are_counted_in_words() -> None:
    assert [secrets(n) for n in (1, 2)] == ["1 secret", "2 secrets"]
