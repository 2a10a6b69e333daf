"""import-history's pure parts: recognising files, scrubbing rows, content-keyed bounded chunks."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from fake_spotify.history_export import account_download, extended_download, listening
from spotify_etl.cli import build_parser
from spotify_etl.history.batches import Chunk, Spool
from spotify_etl.history.command import PUTS_AT_ONCE, land
from spotify_etl.history.files import Member, NotAnExport, recognise
from spotify_etl.history.reading import read_export
from spotify_etl.history.scrub import canonical, scrub
from spotify_etl.terminal import progress
from spotify_etl_common.errors import TransientError
from spotify_etl_common.s3 import S3Store
from spotify_etl_common.sqs import OutgoingMessage, SqsQueue
from spotify_etl_common.streaming_history import SENSITIVE_FIELDS, HistoryKind
from transformer.history import read_history


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


# Real-world files: what 2013-2026 downloads hold, and how people hand them over.

REAL_ROW: dict[str, object] = {
    "ts": "2013-05-24T14:31:47Z",
    "username": "listener",
    "platform": "iOS 16.1 (iPhone14,2)",
    "ms_played": 201_000,
    "conn_country": "ZZ",
    "ip_addr": "2001:db8:85a3::8a2e:370:7334",
    "ip_addr_decrypted": "93.184.216.34",
    "user_agent_decrypted": "unknown",
    "master_metadata_track_name": "Song",
    "master_metadata_album_artist_name": "Artist",
    "master_metadata_album_album_name": "Album",
    "spotify_track_uri": "spotify:track:4uLU6hMCjMI75M1A2tKUQC",
    "episode_name": None,
    "episode_show_name": None,
    "spotify_episode_uri": None,
    "audiobook_title": None,
    "audiobook_uri": None,
    "audiobook_chapter_uri": None,
    "audiobook_chapter_title": None,
    "reason_start": "clickrow",
    "reason_end": "fwdbtn",
    "shuffle": True,
    "skipped": None,
    "offline": False,
    "offline_timestamp": 1_369_405_907,
    "incognito_mode": None,
}


def rows_of(chunks: list[Chunk]) -> list[dict[str, object]]:
    return [row for c in chunks for row in json.loads(c.body)]


def test_a_bom_pretty_printed_file_and_a_one_line_file_give_the_same_objects(
    tmp_path: Path,
) -> None:
    rows = [REAL_ROW, REAL_ROW | {"ts": "2013-05-24T14:35:02Z"}]
    pretty = tmp_path / "Streaming_History_Audio_2013.json"
    pretty.write_bytes(b"\xef\xbb\xbf" + json.dumps(rows, indent=4).encode())
    one_line = tmp_path / "endsong_0.json"
    one_line.write_text(json.dumps(rows, separators=(",", ":")))
    assert [c.key for c in read([pretty], tmp_path / "a")] == [
        c.key for c in read([one_line], tmp_path / "b")
    ]


def test_every_kept_value_is_written_in_its_type(tmp_path: Path) -> None:
    """0/1 and "false" flags, seconds or ms offline timestamps, odd times: one typed form each."""
    variants = [
        REAL_ROW | {"skipped": 1, "shuffle": 0, "incognito_mode": "false"},
        REAL_ROW | {"ts": "2013-05-24T16:32:00+02:00", "offline_timestamp": 1_369_405_907_250},
        REAL_ROW | {"ts": "2013-05-24 14:33:00", "offline_timestamp": 0, "skipped": "TRUE"},
        REAL_ROW | {"ts": "2013-05-24T14:34:00", "ms_played": 5000.0, "offline": "0"},
    ]
    path = tmp_path / "x.json"
    path.write_text(json.dumps(variants))
    got = rows_of(read([path], tmp_path / "s"))
    assert [(r["ts"], r.get("skipped"), r["shuffle"], r.get("incognito_mode")) for r in got] == [
        ("2013-05-24T14:31:47Z", True, False, False),
        ("2013-05-24T14:32:00Z", None, True, None),
        ("2013-05-24T14:33:00Z", True, True, None),
        ("2013-05-24T14:34:00Z", None, True, None),
    ]
    assert [r["offline_timestamp"] for r in got] == [
        1_369_405_907,
        1_369_405_907_250,
        0,
        1_369_405_907,
    ]
    assert (got[3]["ms_played"], got[3]["offline"]) == (5000, False)


def test_the_same_play_written_with_0_1_flags_or_booleans_gives_the_same_key(
    tmp_path: Path,
) -> None:
    old = tmp_path / "endsong_0.json"
    old.write_text(json.dumps([REAL_ROW | {"shuffle": 1, "offline": 0}]))
    new = tmp_path / "Streaming_History_Audio_2013.json"
    new.write_text(json.dumps([REAL_ROW | {"shuffle": True, "offline": False}]))
    assert read([old], tmp_path / "a")[0].key == read([new], tmp_path / "b")[0].key


def test_a_value_that_cannot_be_read_is_left_out_and_counted_not_the_play(
    tmp_path: Path,
) -> None:
    odd = REAL_ROW | {"ms_played": "a lot", "platform": {"os": "ios"}, "shuffle": "maybe"}
    path = tmp_path / "x.json"
    path.write_text(
        json.dumps([odd, REAL_ROW | {"ts": None}, REAL_ROW | {"ts": "0001-01-01T00:00:00Z"}])
    )
    scratch = tmp_path / "s"
    scratch.mkdir()
    spool = Spool(scratch)
    summary = read_export([path], spool, lambda line: None)
    [row] = rows_of(list(spool.chunks()))
    assert {"platform", "shuffle"}.isdisjoint(row)
    assert row["ms_played"] is None  # a required field: written null, so the row tells its format
    assert (summary.total, summary.unreadable, summary.untimed) == (1, 3, 2)


def test_audiobook_podcast_and_unknown_rows_keep_their_fields_and_lose_their_nulls(
    tmp_path: Path,
) -> None:
    nothing = dict.fromkeys(k for k in REAL_ROW if k.startswith(("master_", "spotify_track")))
    audiobook = (
        REAL_ROW
        | nothing
        | {
            "audiobook_title": "Book",
            "audiobook_uri": "spotify:audiobook:7iHfbu1YPACw6oZPAFJtqe",
            "audiobook_chapter_uri": "spotify:chapter:1Fo2gfQkhoJ2wSDyDlEmzl",
            "audiobook_chapter_title": "Chapter 1",
        }
    )
    episode = (
        REAL_ROW
        | nothing
        | {
            "ts": "2013-05-24T15:00:00Z",
            "episode_name": "Ep",
            "episode_show_name": "Show",
            "spotify_episode_uri": "spotify:episode:5Xt5DXGzch68nYYamXrNxZ",
        }
    )
    unknown = REAL_ROW | nothing | {"ts": "2013-05-24T16:00:00Z", "ms_played": 0}
    path = tmp_path / "x.json"
    path.write_text(json.dumps([audiobook, episode, unknown]))
    got = rows_of(read([path], tmp_path / "s"))
    assert [sorted(set(r) - set(got[2])) for r in got] == [
        ["audiobook_chapter_title", "audiobook_chapter_uri", "audiobook_title", "audiobook_uri"],
        ["episode_name", "episode_show_name", "spotify_episode_uri"],
        [],
    ]
    assert None not in [v for r in got for v in r.values()]


def test_no_ip_user_agent_or_user_name_value_reaches_an_object(tmp_path: Path) -> None:
    rows = [
        REAL_ROW | {"ts": f"2013-05-24T14:3{i}:00Z", "user_agent": "Spotify/8.8"} for i in range(5)
    ]
    path = tmp_path / "x.json"
    path.write_text(json.dumps(rows))
    text = b"".join(c.body for c in read([path], tmp_path / "s")).decode()
    for secret in ("2001:db8:85a3::8a2e:370:7334", "93.184.216.34", "listener", "Spotify/8.8"):
        assert secret not in text
    assert "unknown" not in text  # user_agent_decrypted "unknown" is dropped as well


def test_a_zip_of_the_download_folder_holding_the_downloaded_zip_is_read(
    tmp_path: Path,
) -> None:
    plays = listening(40, seed=7)
    download = extended_download(plays, tmp_path / "my_spotify_data.zip", "audio", 15)
    outer = tmp_path / "Téléchargements — Spotify.zip"
    with zipfile.ZipFile(outer, "w") as archive:
        archive.write(download, "Downloads/my_spotify_data.zip")
        archive.writestr("__MACOSX/Downloads/._my_spotify_data.zip", b"\x00\x05\x16\x07mac")
        archive.writestr("__MACOSX/Downloads/._Streaming_History_Audio_2024.json", b"\x00\x05")
    direct = read([download], tmp_path / "a")
    assert [c.key for c in read([outer], tmp_path / "b")] == [c.key for c in direct]
    assert sum(c.plays for c in direct) == 40


def test_an_account_data_zip_with_every_other_file_is_read_and_the_rest_ignored(
    tmp_path: Path,
) -> None:
    path = tmp_path / "my_spotify_data_ü.zip"
    music = [
        {"endTime": "2024-01-15 14:30", "artistName": "Björk", "trackName": "Jóga", "msPlayed": 1}
    ]
    podcast = [
        {"endTime": "2024-01-15 14:40", "podcastName": "P", "episodeName": "E", "msPlayed": 0}
    ]
    others = {
        "Userdata.json": {"username": "listener", "email": "a@b.c"},
        "Identity.json": {"displayName": "x"},
        "Inferences.json": {"inferences": ["1P_Custom"]},
        "YourLibrary.json": {"tracks": []},
        "Playlist1.json": {"playlists": []},
        "SearchQueries.json": [{"platform": "ios", "searchTime": "2024", "searchQuery": "q"}],
        "Marquee.json": [{"artistName": "x", "segment": "y"}],
    }
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("MyData/StreamingHistory0.json", json.dumps(music))
        archive.writestr("MyData/StreamingHistory_podcast_0.json", json.dumps(podcast))
        for name, value in others.items():
            archive.writestr(f"MyData/{name}", json.dumps(value))
        archive.writestr("MyData/Read_Me_First.pdf", b"%PDF-1.4")
    scratch = tmp_path / "s"
    scratch.mkdir()
    spool = Spool(scratch)
    summary = read_export([path], spool, lambda line: None)
    assert (summary.files, summary.total, len(summary.ignored)) == (2, 2, len(others) + 1)
    text = b"".join(c.body for c in spool.chunks()).decode()
    assert "listener" not in text
    assert "Jóga" in text


def test_identical_rows_are_each_kept_and_never_cut_apart(tmp_path: Path) -> None:
    row = REAL_ROW | {"ms_played": 0}
    others = [REAL_ROW | {"ts": f"2013-05-24T14:0{i}:00Z"} for i in range(4)]
    path = tmp_path / "x.json"
    path.write_text(json.dumps([*others, row, row, row]))
    chunks = read([path], tmp_path / "s", max_plays=5)
    assert [c.plays for c in chunks] == [4, 3]
    assert [json.dumps(r, sort_keys=True) for r in json.loads(chunks[1].body)] == [
        json.dumps(scrub(row, HistoryKind.EXTENDED), sort_keys=True)
    ] * 3


def test_the_importers_objects_are_read_back_by_the_transformer(tmp_path: Path) -> None:
    """The contract both sides share: every typed value the importer writes is read."""
    variants = [
        REAL_ROW | {"skipped": 0, "offline_timestamp": 1_369_405_907_250},
        REAL_ROW | {"ts": "2013-05-24 14:40:00", "ms_played": "12", "incognito_mode": 1},
    ]
    path = tmp_path / "x.json"
    path.write_text(json.dumps(variants))
    [chunk] = read([path], tmp_path / "s")
    frame = read_history(chunk.body)
    assert frame.select("played_at", "ms_played", "skipped", "incognito_mode").rows() == [
        (datetime(2013, 5, 24, 14, 31, 47, tzinfo=UTC), 201_000, False, None),
        (datetime(2013, 5, 24, 14, 40, tzinfo=UTC), 12, None, True),
    ]


class MemoryStore(S3Store):
    """Objects in memory; the put numbered ``fail_at`` (from 1) fails as S3 being down would."""

    def __init__(self, fail_at: int | None = None) -> None:
        super().__init__(cast(Any, None), "bucket")
        self.objects: dict[str, bytes] = {}
        self.puts = 0
        self.fail_at = fail_at

    async def put(
        self,
        key: str,
        body: bytes,
        content_type: str = "application/json",
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        self.puts += 1
        if self.puts == self.fail_at:
            raise TransientError(f"PUT {self.uri(key)} failed (connection error)")
        self.objects[key] = body


class MemoryQueue(SqsQueue):
    """Records the bodies sent; the send numbered ``fail_at`` fails."""

    def __init__(self, fail_at: int | None = None) -> None:
        super().__init__(cast(Any, None), "https://sqs.local/000000000000/transform")
        self.sent: list[str] = []
        self.sends = 0
        self.fail_at = fail_at

    async def send(self, messages: Sequence[OutgoingMessage]) -> None:
        self.sends += 1
        if self.sends == self.fail_at:
            raise TransientError("send on transform failed (connection error)")
        self.sent.extend(m.body for m in messages)


def sent_keys(queue: MemoryQueue) -> list[str]:
    return [json.loads(body)["key"] for body in queue.sent]


@pytest.mark.parametrize(("store_fails", "queue_fails"), [(15, None), (None, 2)])
def test_a_failure_mid_import_then_a_re_run_lands_every_object_once(
    tmp_path: Path, store_fails: int | None, queue_fails: int | None
) -> None:
    path = extended_download(listening(300, seed=11, mean_gap_s=20_000), tmp_path / "e.zip")
    chunks = read([path], tmp_path / "s", max_plays=10)
    assert len(chunks) > 2 * PUTS_AT_ONCE
    store, queue = MemoryStore(fail_at=store_fails), MemoryQueue(fail_at=queue_fails)
    quiet = progress("objects", len(chunks), stream=io.StringIO())
    with pytest.raises(TransientError):
        asyncio.run(land(store, queue, chunks, quiet, "run-1"))
    assert 0 < len(queue.sent) < len(chunks)
    assert set(sent_keys(queue)) <= set(store.objects)  # never a message before its object
    store.fail_at = queue.fail_at = None
    queue.sent.clear()
    quiet = progress("objects", len(chunks), stream=io.StringIO())
    assert asyncio.run(land(store, queue, chunks, quiet, "run-2")) == len(chunks)
    assert sorted(sent_keys(queue)) == sorted(store.objects) == sorted(c.key for c in chunks)
    assert store.objects == {c.key: c.body for c in chunks}


def test_overlapping_downloads_imported_together_keep_each_play_once(tmp_path: Path) -> None:
    """An older and a later cumulative download in one command: the later one's objects,
    whichever order they are named in, and each play once even across the two formats."""
    plays = listening(300, seed=12, mean_gap_s=9000)
    earlier = plays[:200]
    old = extended_download(earlier, tmp_path / "old.zip", "audio", 70)
    new = extended_download(plays, tmp_path / "new.zip", "audio", 110)
    alone = [c.key for c in read([new], tmp_path / "a")]
    assert [c.key for c in read([old, new], tmp_path / "b")] == alone
    assert [c.key for c in read([new, old], tmp_path / "c")] == alone
    endsong = extended_download(earlier, tmp_path / "endsong.zip", "endsong", 70)
    assert sum(c.plays for c in read([endsong, new], tmp_path / "d")) == 300


def test_a_dry_run_says_how_many_repeated_plays_it_keeps_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plays = listening(50, seed=13)
    old = extended_download(plays[:20], tmp_path / "old.zip", "audio", 50)
    new = extended_download(plays, tmp_path / "new.zip", "audio", 50)
    assert run_cli(["import-history", str(old), str(new), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "70 plays (extended 70)" in out
    assert "20 plays repeated by overlapping files kept once" in out


def test_rows_whose_required_fields_are_null_still_tell_the_objects_format(
    tmp_path: Path,
) -> None:
    """Sorted first in its object, a row without ms_played (or an account row without an
    artist) must not make the transformer refuse the object."""
    extended_rows = [REAL_ROW | {"ms_played": None}, REAL_ROW | {"ts": "2013-05-24T15:00:00Z"}]
    music = [
        {"endTime": "2024-01-15 14:30", "artistName": None, "trackName": "S", "msPlayed": 1},
        {"endTime": "2024-01-15 14:31", "artistName": "A", "trackName": "S", "msPlayed": 2},
    ]
    for name, rows in (("x.json", extended_rows), ("StreamingHistory_music_0.json", music)):
        path = tmp_path / name
        path.write_text(json.dumps(rows))
        [chunk] = read([path], tmp_path / name.replace(".json", ""))
        assert read_history(chunk.body).height == 2


def test_a_damaged_download_or_a_zip_bomb_stops_the_command_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The walker's error (tests/unit/common/test_zips.py) reaches the user as one line, exit 2;
    a bomb is refused by the default limits before it is read."""
    whole = extended_download(listening(30, seed=14), tmp_path / "my_spotify_data.zip")
    data = whole.read_bytes()
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(whole) as archive:
        member = next(i for i in archive.infolist() if i.filename.endswith(".json"))
    start = member.header_offset + 30 + len(member.filename.encode()) + 10
    damaged.write_bytes(
        data[:start] + bytes(b ^ 0xFF for b in data[start : start + 50]) + data[start + 50 :]
    )
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Streaming_History_Audio_2024.json", bytes(8 << 20))
    for path, reason in (
        (damaged, "is a damaged or encrypted zip"),
        (bomb, "would unpack 1,0"),  # about a thousand times its packed size
    ):
        assert run_cli(["import-history", "--dry-run", str(path)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1
        assert err[0].startswith(f"import-history: {path}:")
        assert reason in err[0]


@pytest.mark.parametrize(
    ("platform", "stored"),
    [
        ("Partner sonos_ppc Sonos;ZP90;192.168.1.20", "Partner sonos_ppc Sonos;ZP90;[address]"),
        ("cast fe80::1ff:fe23:4567:890a (tv)", "cast [address] (tv)"),
        ("Windows 10 (10.0.19045; x64)", "Windows 10 (10.0.19045; x64)"),
        ("iOS 16.1 (iPhone14,2)", "iOS 16.1 (iPhone14,2)"),
        ("Android OS 9 API 28 (samsung, SM-G960F)", "Android OS 9 API 28 (samsung, SM-G960F)"),
    ],
)
def test_an_ip_address_inside_the_platform_text_is_removed_too(platform: str, stored: str) -> None:
    assert scrub(REAL_ROW | {"platform": platform}, HistoryKind.EXTENDED)["platform"] == stored
