"""transform-files over a data-export zip as downloaded, checked against the generator's plays."""

from __future__ import annotations

import zipfile
from collections import Counter
from pathlib import Path

import polars as pl
import pytest
from fake_spotify.history_export import (
    USERNAME,
    account_download,
    extended_download,
    listening,
)
from transformer.local_files import find_files, transform_files
from transformer.main import main


def _plays(out: Path) -> pl.DataFrame:
    return pl.read_parquet(out / "plays" / "**" / "*.parquet")


def _as_text(frame: pl.DataFrame) -> str:
    return frame.select(pl.all().cast(pl.String)).write_csv()


def test_an_extended_history_zip_gives_every_play_and_no_ip_address(
    tmp_path: Path,
) -> None:
    plays = listening(300, seed=11, mean_gap_s=40_000)
    download = extended_download(plays, tmp_path / "my_spotify_data.zip", "audio", per_file=70)
    files = find_files([download])
    names = [f.inside[-1] for f in files]
    assert len(names) > 2  # several audio files, a video file; the PDF is no input
    assert all(n.endswith(".json") for n in names)
    outcome = transform_files(files, tmp_path / "out", workers=1, batch_size=2)
    assert (outcome.errors, outcome.ignored) == ([], [])
    frame = _plays(tmp_path / "out")
    assert (frame.height, frame.get_column("ms_played").sum()) == (
        len(plays),
        sum(p.ms_played for p in plays),
    )
    by_item = Counter(p.item for p in plays)
    assert frame.get_column("track_id").drop_nulls().len() == by_item["track"]
    assert frame.get_column("episode_id").drop_nulls().len() == by_item["episode"]
    assert set(frame.get_column("origin")) == {"export"}
    text = _as_text(frame)
    assert not [p.ip_addr for p in plays if p.ip_addr in text]


def test_the_zip_reads_as_the_extracted_folder_does(tmp_path: Path) -> None:
    """Same rows whether the old endsong download is given zipped or extracted; its user
    names, decrypted IP addresses and user agents stay out."""
    plays = listening(90, seed=4, mean_gap_s=30_000)
    download = extended_download(plays, tmp_path / "e.zip", "endsong", per_file=40)
    with zipfile.ZipFile(download) as archive:
        archive.extractall(tmp_path / "export")
    transform_files(find_files([download]), tmp_path / "zipped", workers=1)
    transform_files(find_files([tmp_path / "export"]), tmp_path / "folder", workers=1)
    order = ["played_at", "ms_played"]
    zipped = _plays(tmp_path / "zipped").drop("source_key", "extracted_at").sort(order)
    folder = _plays(tmp_path / "folder").drop("source_key", "extracted_at").sort(order)
    assert zipped.height == len(plays)
    assert zipped.equals(folder)
    text = _as_text(zipped)
    assert USERNAME not in text
    assert not [p.ip_addr for p in plays if p.ip_addr in text]
    agents = {p.user_agent for p in plays} - {"unknown"}
    assert agents
    assert not [a for a in agents if a in text]


def test_an_account_data_zip_reads_its_history_and_ignores_the_other_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plays = listening(200, seed=3, mean_gap_s=20_000)
    download = account_download(plays, tmp_path / "my_spotify_data.zip", per_file=60)
    music = sum(1 for p in plays if p.item == "track")
    podcast = sum(1 for p in plays if p.item == "episode")
    out = tmp_path / "out"
    code = main(["transform-files", str(download), "--out", str(out), "--workers", "2"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    frame = _plays(out)
    assert frame.height == music + podcast
    assert frame.get_column("show_name").drop_nulls().len() == podcast
    assert frame.get_column("ms_played").sum() == sum(
        p.ms_played for p in plays if p.item in ("track", "episode")
    )
    # Userdata, Identifiers, YourLibrary, Playlist1, SearchQueries (an array, but not plays)
    assert "ignored 5 files of the download that are not streaming history" in captured.err
    assert "SearchQueries.json" in captured.err
    assert "listener@example.com" not in _as_text(frame)


def test_a_download_zipped_again_is_read_through_the_inner_zip(tmp_path: Path) -> None:
    """A zip holding the download's zip (and a stray notes file): the plays of the inner one."""
    plays = listening(80, seed=9, mean_gap_s=30_000)
    inner = extended_download(plays, tmp_path / "my_spotify_data.zip", "audio", per_file=30)
    outer = tmp_path / "backup.zip"
    with zipfile.ZipFile(outer, "w") as archive:
        archive.write(inner, "downloads/my_spotify_data.zip")
        archive.writestr("downloads/notes.json", '{"note": "from the privacy page"}')
    files = find_files([outer])
    assert {f.inside[0] for f in files} == {"downloads/my_spotify_data.zip", "downloads/notes.json"}
    outcome = transform_files(files, tmp_path / "out", workers=1)
    assert outcome.ignored == [f"{outer}:downloads/notes.json"]
    frame = _plays(tmp_path / "out")
    assert (frame.height, frame.get_column("ms_played").sum()) == (
        len(plays),
        sum(p.ms_played for p in plays),
    )
    keys = set(frame.get_column("source_key"))
    assert all(k.startswith(f"{outer}:downloads/my_spotify_data.zip:") for k in keys)


def test_a_zip_bomb_stops_transform_files_with_one_line_before_it_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The default limits of the shared walker (tests/unit/common/test_zips.py)."""
    bomb = tmp_path / "my_spotify_data.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Streaming_History_Audio_2024.json", bytes(8 << 20))
    assert main(["transform-files", str(bomb), "--out", str(tmp_path / "out")]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"transformer: {bomb}:Streaming_History_Audio_2024.json would unpack")
    assert "(a zip bomb, or not Spotify's data export)" in line
    assert not (tmp_path / "out").exists()
