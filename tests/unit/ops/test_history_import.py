"""import-history's pure parts: recognising files, scrubbing rows, content-keyed bounded chunks."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fake_spotify.history_export import account_download, extended_download, listening
from spotify_etl.cli import build_parser
from spotify_etl.history.batches import Chunk, Spool
from spotify_etl.history.files import Member, NotAnExport, recognise
from spotify_etl.history.reading import read_export
from spotify_etl.history.scrub import canonical, scrub
from spotify_etl_common.streaming_history import SENSITIVE_FIELDS, HistoryKind


def read(paths: list[Path], scratch: Path, max_plays: int = 50) -> list[Chunk]:
    scratch.mkdir(exist_ok=True)
    spool = Spool(scratch, flush_lines=64)  # small, so that flushing is exercised
    read_export(paths, spool, lambda line: None)
    return list(spool.chunks(max_plays))


def test_scrubbing_keeps_only_known_fields_and_drops_nulls() -> None:
    row = {
        "ts": "2024-01-15T14:30:12Z",
        "ms_played": 1,
        "username": "me",
        "ip_addr_decrypted": "10.0.0.1",
        "user_agent_decrypted": "agent",
        "ip_addr": "10.0.0.2",
        "audiobook_title": None,
        "a_field_spotify_adds_later": "x",
    }
    assert scrub(row, HistoryKind.EXTENDED) == {"ts": "2024-01-15T14:30:12Z", "ms_played": 1}
    without_null = {k: v for k, v in row.items() if k != "audiobook_title"}
    assert canonical(scrub(row, HistoryKind.EXTENDED)) == canonical(
        scrub(without_null, HistoryKind.EXTENDED)
    )


def test_no_chunk_holds_a_sensitive_field_or_value(tmp_path: Path) -> None:
    plays = listening(200, seed=3)
    chunks = read([extended_download(plays, tmp_path / "e.zip", "endsong", 70)], tmp_path / "s")
    text = b"".join(c.body for c in chunks).decode()
    assert not [f for f in SENSITIVE_FIELDS if f'"{f}"' in text]
    assert not [p.ip_addr for p in plays if p.ip_addr in text]
    assert sum(c.plays for c in chunks) == 200


def test_chunks_are_bounded_per_month_and_sorted_by_end_time(tmp_path: Path) -> None:
    plays = listening(400, seed=5, mean_gap_s=9000)
    chunks = read([extended_download(plays, tmp_path / "e.zip", "audio", 130)], tmp_path / "s")
    assert all(0 < c.plays <= 50 for c in chunks)
    for chunk in chunks:
        rows = json.loads(chunk.body)
        assert {r["ts"][:7] for r in rows} == {chunk.month}
        assert [r["ts"] for r in rows] == sorted(r["ts"] for r in rows)
        assert chunk.last_played_at == datetime.fromisoformat(rows[-1]["ts"])
        assert chunk.key.startswith(
            f"raw/source=streaming_history/kind=extended/month={chunk.month}/"
        )


def test_the_same_download_twice_gives_the_same_keys_and_bytes(tmp_path: Path) -> None:
    plays = listening(300, seed=9)
    path = extended_download(plays, tmp_path / "e.zip", "audio", 100)
    first = read([path], tmp_path / "a")
    again = read([path], tmp_path / "b")
    assert [(c.key, c.body) for c in first] == [(c.key, c.body) for c in again]


def test_a_later_cumulative_download_keeps_every_key_but_the_last_partial_one(
    tmp_path: Path,
) -> None:
    plays = listening(600, seed=2, mean_gap_s=9000)
    cut = datetime(plays[-1].ts.year, plays[-1].ts.month, 1, tzinfo=UTC) - timedelta(days=20)
    earlier = [p for p in plays if p.ts < cut]
    old = read([extended_download(earlier, tmp_path / "old.zip", "audio", 90)], tmp_path / "a")
    new = read([extended_download(plays, tmp_path / "new.zip", "audio", 170)], tmp_path / "b")
    # Months before the cut are complete: same objects. In the month of the cut only the
    # last, partial object differs (the first 50 plays of a month stay the first 50).
    new_keys = {c.key for c in new}
    *kept, partial = old
    assert partial.month == cut.strftime("%Y-%m")
    assert partial.plays < 50
    assert {c.key for c in kept} <= new_keys
    assert partial.key not in new_keys
    assert len(new) > len(old)


def test_other_files_of_a_download_are_ignored_and_counted(tmp_path: Path) -> None:
    plays = listening(60, seed=4)
    path = account_download(plays, tmp_path / "my_spotify_data.zip")
    scratch = tmp_path / "s"
    scratch.mkdir()
    summary = read_export([path], Spool(scratch), lambda line: None)
    assert summary.files == 2
    assert summary.plays[HistoryKind.ACCOUNT_MUSIC] == sum(p.item == "track" for p in plays)
    assert summary.plays[HistoryKind.ACCOUNT_PODCAST] == sum(p.item == "episode" for p in plays)
    assert len(summary.ignored) == 6  # Userdata, Identifiers, YourLibrary, Playlist1, Search, PDF


def test_the_same_file_given_twice_is_read_once(tmp_path: Path) -> None:
    path = extended_download(listening(30, seed=1), tmp_path / "e.zip", "audio", 100)
    folder = tmp_path / "extracted"
    with zipfile.ZipFile(path) as archive:
        archive.extractall(folder)
    scratch = tmp_path / "s"
    scratch.mkdir()
    summary = read_export([path, folder], Spool(scratch), lambda line: None)
    assert summary.total == 30
    assert len(summary.repeated) == summary.files


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'{"username": "x"}', "a JSON dict, not an array of plays"),
        (b'[{"searchQuery": "x"}]', "rows are not plays (keys: searchQuery)"),
        (b"%PDF-1.4", "not JSON"),
    ],
)
def test_a_named_file_that_is_not_an_export_is_a_one_line_error(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "Userdata.json"
    path.write_bytes(content)
    with pytest.raises(NotAnExport) as caught:
        read_export([path], Spool(tmp_path), lambda line: None)
    message = str(caught.value)
    assert reason in message
    assert "\n" not in message
    assert message.startswith(f"{path} is not a Spotify streaming history file")


def test_rows_with_line_separators_in_names_survive_the_spool(tmp_path: Path) -> None:
    row = {"ts": "2024-01-15T14:30:12Z", "ms_played": 1, "master_metadata_track_name": "a\u2028b"}
    member = Member(
        "x.json", json.dumps([row, row | {"ts": "2024-01-15T14:31:00Z"}]).encode(), True
    )
    found = recognise(member)
    assert not isinstance(found, str)
    path = tmp_path / "x.json"
    path.write_bytes(member.data)
    [chunk] = read([path], tmp_path / "s")
    assert [r["master_metadata_track_name"] for r in json.loads(chunk.body)] == ["a\u2028b"] * 2


def run_cli(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.run(args)
    return code


def test_the_command_names_a_file_that_is_not_an_export_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",  # never reached: the file is refused first
        "SPOTIFY_ETL_BUCKET": "bucket",
        "SPOTIFY_ETL_TRANSFORM_QUEUE": "transform",
        "SPOTIFY_ETL_CATALOG_QUEUE": "catalog",
    }.items():
        monkeypatch.setenv(name, value)
    path = tmp_path / "Payments.json"
    path.write_text('{"payment_method": "card"}')
    assert run_cli(["import-history", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"import-history: {path} is not a Spotify streaming history file: a JSON dict, not an "
        "array of plays; expected a JSON array of plays (ts and ms_played, or endTime and "
        "msPlayed), as in Streaming_History_Audio_*.json, endsong_*.json or "
        "StreamingHistory_music_*.json"
    ]


def test_a_dry_run_counts_plays_objects_and_ignored_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plays = listening(120, seed=6, mean_gap_s=30_000)  # about six weeks
    path = extended_download(plays, tmp_path / "my_spotify_data.zip", "audio", 50)
    assert run_cli(["import-history", str(path), "--dry-run", "--max-plays", "40"]) == 0
    captured = capsys.readouterr()
    months = {p.ts.strftime("%Y-%m") for p in plays}
    per_month = [sum(p.ts.strftime("%Y-%m") == m for p in plays) for m in months]
    objects = sum(-(-n // 40) for n in per_month)
    files = len(list(zipfile.ZipFile(path).namelist())) - 1
    assert captured.out == (
        f"dry run: 120 plays (extended 120) from {files} files; 1 other files ignored; "
        f"would write {objects} objects under raw/source=streaming_history/\n"
    )
    assert "read " in captured.err
