"""transform-files: local raw files to the curated layout, checked against an independent count."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from spotify_etl_common.keys import playlist_items_key
from transformer.file_batch import source_key
from transformer.local_files import find_files, transform_files
from transformer.main import main

from bench.transform_corpus import generate
from tests.reference import EXAMPLES
from tests.unit.transformer.payloads import items_page, playlist_item, track


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    generate(out, size=3_000_000, seed=11)
    return out


def written_rows(out: Path) -> dict[str, int]:
    return {
        table.name: pl.scan_parquet(table / "**" / "*.parquet").select(pl.len()).collect().item()
        for table in sorted(out.iterdir())
    }


@pytest.mark.parametrize("workers", [1, 2])
def test_output_rows_match_the_generators_independent_count(
    corpus: Path, tmp_path: Path, workers: int
) -> None:
    manifest = json.loads((corpus / "manifest.json").read_text())
    outcome = transform_files(
        find_files([corpus / "pages"]), tmp_path, workers=workers, batch_size=3
    )
    assert outcome.errors == []
    assert written_rows(tmp_path) == manifest["expected_rows"]
    item_types = (
        pl.scan_parquet(tmp_path / "playlist_items" / "**" / "*.parquet")
        .group_by("item_type")
        .len()
        .collect()
    )
    assert dict(item_types.iter_rows()) == manifest["item_types"]


def test_per_object_writes_one_file_per_table_per_raw_file_and_a_rerun_overwrites(
    corpus: Path, tmp_path: Path
) -> None:
    manifest = json.loads((corpus / "manifest.json").read_text())
    files = find_files([corpus / "pages"])
    transform_files(files, tmp_path, workers=1, per_object=True)
    assert written_rows(tmp_path) == manifest["expected_rows"]
    first = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.parquet"))
    transform_files(files, tmp_path, workers=1, per_object=True)
    again = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.parquet"))
    assert first == again
    assert len(first) == 7 * len(files)  # the 7 tables of playlist items


def test_a_bad_file_is_reported_and_the_rest_still_written(tmp_path: Path) -> None:
    raw = tmp_path / "in"
    raw.mkdir()
    (raw / "good.json").write_bytes(items_page([playlist_item(track())]))
    (raw / "bad.json").write_bytes(b'{"truncated": ')
    outcome = transform_files(find_files([raw]), tmp_path / "out", workers=1)
    assert len(outcome.errors) == 1
    assert outcome.errors[0].startswith(str((raw / "bad.json").resolve()))
    assert outcome.rows["tracks"] == 1


def test_files_in_a_copy_of_the_raw_tree_keep_their_raw_key_and_context(tmp_path: Path) -> None:
    key = playlist_items_key("p1", "snapA", 0)
    path = tmp_path / "mirror" / key
    path.parent.mkdir(parents=True)
    path.write_bytes(items_page([playlist_item(track())]))
    assert source_key(path) == key
    transform_files([path], tmp_path / "out", workers=1)
    items = pl.read_parquet(tmp_path / "out" / "playlist_items" / "**" / "*.parquet")
    assert items.select("snapshot_id", "source_key").row(0) == ("snapA", key)


def test_cli_exits_1_when_a_file_was_skipped_and_2_for_a_missing_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.json").write_bytes(b"not json")
    assert (
        main(
            [
                "transform-files",
                str(tmp_path / "bad.json"),
                "--out",
                str(tmp_path / "o"),
                "--workers",
                "1",
            ]
        )
        == 1
    )
    assert "bad.json" in capsys.readouterr().err
    assert main(["transform-files", str(tmp_path / "nope"), "--out", str(tmp_path / "o")]) == 2


def test_cli_reads_every_recorded_example(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["transform-files", str(EXAMPLES), "--out", str(tmp_path), "--workers", "1"])
    assert code == 0, capsys.readouterr().err
    assert {p.name for p in tmp_path.iterdir()} == {
        "playlist_items",
        "playlists",
        "plays",
        "tracks",
        "albums",
        "artists",
        "track_artists",
        "saved_tracks",
        "saved_albums",
        "top_items",
        "followed_artists",
        "shows",
        "episodes",
    }


def test_by_default_one_file_per_table_per_batch_and_a_rerun_overwrites_them(
    corpus: Path, tmp_path: Path
) -> None:
    manifest = json.loads((corpus / "manifest.json").read_text())
    files = find_files([corpus / "pages"])
    outcome = transform_files(files, tmp_path, workers=1, batch_size=4)
    assert outcome.written == 7 * -(-len(files) // 4)  # the 7 tables of playlist items
    assert written_rows(tmp_path) == manifest["expected_rows"]
    first = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.parquet"))
    again = transform_files(files, tmp_path, workers=1, batch_size=4)
    assert again.written == outcome.written
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.parquet")) == first


def test_cli_refuses_a_batch_size_below_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["transform-files", str(tmp_path), "--out", str(tmp_path / "o"), "--batch-size", "0"])
    assert exit_.value.code == 2
    assert "--batch-size: must be at least 1, got 0" in capsys.readouterr().err
