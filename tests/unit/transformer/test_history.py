"""Streaming history rows (raw objects and the export's own files) become plays rows."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from fake_spotify.history_export import extended_download, listening
from spotify_etl.history.scrub import scrub
from spotify_etl_common.sources import Source
from spotify_etl_common.streaming_history import HistoryKind
from spotify_etl_common.tables import PLAYS
from transformer.core import RawObject, transform
from transformer.local_files import find_files, transform_files
from transformer.recognise import UnreadableObject, recognise

FETCHED = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
KEY = "raw/source=streaming_history/kind=extended/month=2024-01/abc.json"
ENDSONG_ROW = {
    "ts": "2024-01-15T14:30:12Z",
    "username": "someone",
    "platform": "Android OS 9 API 28 (samsung, SM-G960F)",
    "ms_played": 201_000,
    "conn_country": "DE",
    "ip_addr_decrypted": "93.184.216.34",
    "user_agent_decrypted": "unknown",
    "master_metadata_track_name": "Song",
    "master_metadata_album_artist_name": "Artist",
    "master_metadata_album_album_name": "Album",
    "spotify_track_uri": "spotify:track:4uLU6hMCjMI75M1A2tKUQC",
    "episode_name": None,
    "episode_show_name": None,
    "spotify_episode_uri": None,
    "reason_start": "clickrow",
    "reason_end": "fwdbtn",
    "shuffle": True,
    "skipped": None,
    "offline": True,
    "offline_timestamp": 1_705_329_011,
    "incognito_mode": False,
}


def plays_of(rows: list[dict[str, Any]], key: str = KEY) -> pl.DataFrame:
    return transform([RawObject(key, json.dumps(rows).encode(), FETCHED)]).tables["plays"]


def test_an_endsong_row_becomes_a_play_with_every_export_column() -> None:
    [row] = plays_of([ENDSONG_ROW]).to_dicts()
    assert row == {
        "played_at": datetime(2024, 1, 15, 14, 30, 12, tzinfo=UTC),
        "track_id": "4uLU6hMCjMI75M1A2tKUQC",
        "context_type": None,
        "context_uri": None,
        "ms_played": 201_000,
        "episode_id": None,
        "reason_start": "clickrow",
        "reason_end": "fwdbtn",
        "shuffle": True,
        "skipped": None,
        "offline": True,
        "offline_at": datetime(2024, 1, 15, 14, 30, 11, tzinfo=UTC),
        "incognito_mode": False,
        "platform": "Android OS 9 API 28 (samsung, SM-G960F)",
        "conn_country": "DE",
        "track_name": "Song",
        "artist_name": "Artist",
        "album_name": "Album",
        "episode_name": None,
        "show_name": None,
        "origin": "export",
        "user_id": None,
        "source_key": KEY,
        "extracted_at": FETCHED,
    }


def test_offline_timestamp_in_seconds_or_milliseconds_gives_the_same_time() -> None:
    in_ms = dict(ENDSONG_ROW, offline_timestamp=1_705_329_011_250)
    zero = dict(ENDSONG_ROW, offline_timestamp=0)
    times = plays_of([ENDSONG_ROW, in_ms, zero]).get_column("offline_at").to_list()
    assert times == [
        datetime(2024, 1, 15, 14, 30, 11, tzinfo=UTC),
        datetime(2024, 1, 15, 14, 30, 11, 250_000, tzinfo=UTC),
        None,
    ]


def test_unknown_rows_episodes_and_zero_ms_plays_are_all_kept() -> None:
    unknown = {"ts": "2024-01-15T15:00:00Z", "ms_played": 0, "platform": "ios", "ip_addr": "x"}
    episode = {
        "ts": "2024-01-15T16:00:00Z",
        "ms_played": 5_000,
        "episode_name": "Ep",
        "episode_show_name": "Show",
        "spotify_episode_uri": "spotify:episode:5Xt5DXGzch68nYYamXrNxZ",
        "skipped": 1,  # older files write 0/1
    }
    rows = plays_of([unknown, episode]).select(
        "track_id", "episode_id", "show_name", "ms_played", "skipped"
    )
    assert rows.rows() == [
        (None, None, None, 0, None),
        (None, "5Xt5DXGzch68nYYamXrNxZ", "Show", 5_000, True),
    ]


def test_account_data_rows_give_names_and_minutes() -> None:
    music = [{"endTime": "2024-01-15 14:30", "artistName": "A", "trackName": "S", "msPlayed": 9}]
    podcast = [
        {"endTime": "2024-01-15 14:31", "podcastName": "P", "episodeName": "E", "msPlayed": 8}
    ]
    frame = pl.concat([plays_of(music, "m.json"), plays_of(podcast, "p.json")])
    cols = ["played_at", "track_name", "artist_name", "show_name", "episode_name", "ms_played"]
    assert frame.select(cols).rows() == [
        (datetime(2024, 1, 15, 14, 30, tzinfo=UTC), "S", "A", None, None, 9),
        (datetime(2024, 1, 15, 14, 31, tzinfo=UTC), None, None, "P", "E", 8),
    ]
    assert frame.get_column("origin").to_list() == ["export", "export"]


def test_recently_played_rows_get_their_origin_and_null_export_columns() -> None:
    page = {
        "href": "https://api.spotify.com/v1/me/player/recently-played",
        "items": [
            {"track": {"id": "T1", "type": "track"}, "played_at": "2026-11-24T05:00:00.123Z"}
        ],
    }
    frame = transform([RawObject("rp.json", json.dumps(page).encode(), FETCHED)]).tables["plays"]
    [row] = frame.to_dicts()
    assert row["origin"] == "recently_played"
    assert all(row[c] is None for c in ("ms_played", "platform", "track_name", "offline_at"))


def test_an_empty_history_file_yields_an_empty_plays_table() -> None:
    parsed = recognise("empty.json", b"[]\n")
    assert parsed.source is Source.STREAMING_HISTORY
    assert plays_of([]).schema == pl.Schema(plays_of([ENDSONG_ROW]).schema)
    assert plays_of([]).columns == list(PLAYS.column_names)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b'[{"platform": "ios"}]', "not a Spotify streaming history (first row's keys: platform"),
        (b'[{"ts": "yesterday", "ms_played": 1}]', "1 of 1 extended rows have no readable ts"),
        (b'[{"ts": "2024-01-15T14:30:12Z", "ms_played": 1}, {"ts": "2024', "truncated"),
        (b'[{"ts": "2024-01-15T14:30:12Z", "ms_played": "lots"}]', "unreadable extended"),
    ],
)
def test_an_array_that_is_no_streaming_history_is_unreadable(body: bytes, problem: str) -> None:
    with pytest.raises(UnreadableObject) as caught:
        recognise("file.json", body)
    assert problem in caught.value.problem


def test_transform_files_reads_an_extracted_export_folder(tmp_path: Path) -> None:
    """The export's own files (IP addresses and all): every play, and no IP in the output."""
    plays = listening(120, seed=8, mean_gap_s=20_000)
    with zipfile.ZipFile(extended_download(plays, tmp_path / "e.zip", "endsong", 50)) as archive:
        archive.extractall(tmp_path / "export")
    outcome = transform_files(find_files([tmp_path / "export"]), tmp_path / "out", workers=1)
    assert (outcome.files, outcome.errors) == (3, [])
    frame = pl.read_parquet(tmp_path / "out" / "plays" / "**" / "*.parquet")
    assert (frame.height, frame.get_column("ms_played").sum()) == (
        len(plays),
        sum(p.ms_played for p in plays),
    )
    text = frame.select(pl.all().cast(pl.String)).write_csv()
    assert not [p.ip_addr for p in plays if p.ip_addr in text]


PLATFORMS = {
    "Partner sonos_ppc Sonos;ZP90;192.168.1.20": "Partner sonos_ppc Sonos;ZP90;[address]",
    "cast fe80::1ff:fe23:4567:890a (tv)": "cast [address] (tv)",
    "Windows 10 (10.0.19045; x64)": "Windows 10 (10.0.19045; x64)",
}


def test_transform_files_on_an_original_file_strips_addresses_from_platform_as_import_does(
    tmp_path: Path,
) -> None:
    """The one scrub of the free text (``spotify_etl_common.streaming_history``)."""
    rows = [ENDSONG_ROW | {"platform": p, "ms_played": i} for i, p in enumerate(PLATFORMS)]
    rows.append(ENDSONG_ROW | {"platform": None, "ms_played": 9})
    (tmp_path / "endsong_0.json").write_text(json.dumps(rows))
    transform_files(find_files([tmp_path / "endsong_0.json"]), tmp_path / "out", workers=1)
    frame = pl.read_parquet(tmp_path / "out" / "plays" / "**" / "*.parquet").sort("ms_played")
    stored = frame.get_column("platform").to_list()
    assert stored == [*PLATFORMS.values(), None]
    imported = [scrub(row, HistoryKind.EXTENDED).get("platform") for row in rows]
    assert stored == imported


def test_an_original_file_with_a_byte_order_mark_is_read() -> None:
    body = b"\xef\xbb\xbf" + json.dumps([ENDSONG_ROW], indent=2).encode()
    assert plays_of_body(body).get_column("track_id").to_list() == ["4uLU6hMCjMI75M1A2tKUQC"]
    assert plays_of_body(b"\xef\xbb\xbf[]").height == 0


def plays_of_body(body: bytes) -> pl.DataFrame:
    return transform([RawObject(KEY, body, FETCHED)]).tables["plays"]


@pytest.mark.parametrize(
    "value", ["93.184.216.34", "2001:db8::1", "Spotify/8.8.50 Android/28 (SM-G960F)"]
)
def test_the_reason_for_an_unreadable_file_never_quotes_a_value(value: str) -> None:
    """The reason becomes a DLQ attribute and a log line: an original row's IP must not."""
    with pytest.raises(UnreadableObject) as caught:
        recognise("file.json", json.dumps([ENDSONG_ROW | {"ms_played": value}]).encode())
    assert value not in str(caught.value)
    assert "ms_played" in caught.value.problem


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("ts", "2024-01-15T14:30:12Z"),
        ("ts", "2024-01-15T16:30:12+02:00"),
        ("ts", "2024-01-15T14:30:12.000Z"),
        ("ts", "2024-01-15T14:30:12"),
        ("ts", "2024-01-15 14:30:12"),
        ("endTime", "2024-01-15 14:30:12"),
    ],
)
def test_end_times_in_every_iso_form_are_read_as_utc(field: str, text: str) -> None:
    row = (
        {"ts": text, "ms_played": 1}
        if field == "ts"
        else {"endTime": text, "artistName": "A", "trackName": "S", "msPlayed": 1}
    )
    [played_at] = plays_of([row]).get_column("played_at").to_list()
    assert played_at == datetime(2024, 1, 15, 14, 30, 12, tzinfo=UTC)
