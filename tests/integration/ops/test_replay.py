"""Replay against moto: exactly the objects in range are enqueued, with their messages."""

from __future__ import annotations

import io
from datetime import date

import polars as pl
import pytest
from spotify_etl_common.keys import (
    curated_key,
    entity_key,
    playlist_items_key,
    playlist_key,
    recently_played_key,
)
from spotify_etl_common.messages import RawObjectWritten, Source, TableFileWritten

from .conftest import Ops, run_cli

pytestmark = pytest.mark.integration

DAY_MS = 86_400_000
NOV_20 = 1_763_596_800_000  # 2025-11-20T00:00:00Z


@pytest.fixture
def raw_keys(ops: Ops) -> list[str]:
    keys = [recently_played_key(NOV_20 + d * DAY_MS + 5) for d in range(5)]  # Nov 20..24
    keys += [playlist_items_key("p1", "s1", page) for page in range(3)]
    keys += [playlist_key("p1", "s1"), entity_key(Source.ALBUMS, "a1")]
    for key in keys:
        ops.put(key, metadata={"extracted-at": "2025-11-24T10:00:00+00:00"})
    ops.put("raw/notes.txt")
    return keys


def test_replay_enqueues_exactly_the_raw_objects_in_the_day_range(
    ops: Ops, raw_keys: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_cli(
        "replay", "--stage", "transform", "--source", "recently_played",
        "--since", "2025-11-21", "--until", "2025-11-23",
    )  # fmt: skip
    assert code == 0
    messages = [RawObjectWritten.model_validate(b) for b in ops.bodies(ops.url("transform"))]
    assert sorted(m.key for m in messages) == raw_keys[1:4]
    assert {m.run_id for m in messages} == {messages[0].run_id}
    assert messages[0].run_id.startswith("replay-")
    assert "enqueued 3 messages" in capsys.readouterr().out


def test_replay_rebuilds_each_message_from_the_key_and_metadata(
    ops: Ops, raw_keys: list[str]
) -> None:
    assert run_cli("replay", "--stage", "transform") == 0
    messages = {
        m.key: m
        for m in (RawObjectWritten.model_validate(b) for b in ops.bodies(ops.url("transform")))
    }
    assert sorted(messages) == sorted(raw_keys)
    page = messages[playlist_items_key("p1", "s1", 2)]
    assert (page.source, page.entity_id, page.snapshot_id, page.page) == (
        Source.PLAYLIST_ITEMS, "p1", "s1", 2,
    )  # fmt: skip
    assert page.bucket == ops.bucket
    assert page.extracted_at.isoformat() == "2025-11-24T10:00:00+00:00"


def test_dry_run_counts_and_sends_nothing(
    ops: Ops, raw_keys: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli("replay", "--stage", "transform", "--dry-run") == 0
    assert "would enqueue 10 messages" in capsys.readouterr().out
    assert ops.drain(ops.url("transform")) == []


def test_catalog_replay_reads_rows_and_source_key_from_the_parquet(
    ops: Ops,
) -> None:
    raw = playlist_items_key("p1", "s1", 0)
    keys = [curated_key("tracks", date(2025, 11, d), raw, b"") for d in (20, 21)]
    for rows, key in enumerate(keys, start=2):
        buffer = io.BytesIO()
        pl.DataFrame(
            {"track_id": [f"t{i}" for i in range(rows)], "source_key": [raw] * rows}
        ).write_parquet(buffer)
        ops.put(key, buffer.getvalue())
    assert (
        run_cli("replay", "--stage", "catalog", "--table", "tracks", "--since", "2025-11-21") == 0
    )
    messages = [TableFileWritten.model_validate(b) for b in ops.bodies(ops.url("catalog"))]
    assert [(m.key, m.rows, m.partition, m.source_key) for m in messages] == [
        (keys[1], 3, {"dt": "2025-11-21"}, raw)
    ]


def test_catalog_replay_takes_the_source_key_of_an_empty_file_from_its_metadata(
    ops: Ops,
) -> None:
    raw = playlist_items_key("p2", "s1", 0)
    key = curated_key("tracks", date(2025, 11, 22), raw, b"")
    buffer = io.BytesIO()
    pl.DataFrame(
        {"track_id": [], "source_key": []}, schema=["track_id", "source_key"]
    ).write_parquet(buffer)
    ops.put(key, buffer.getvalue(), metadata={"source-key": raw})
    assert run_cli("replay", "--stage", "catalog", "--table", "tracks") == 0
    messages = [TableFileWritten.model_validate(b) for b in ops.bodies(ops.url("catalog"))]
    assert [(m.key, m.rows, m.source_key) for m in messages] == [(key, 0, raw)]


def test_options_of_the_wrong_stage_are_refused_before_any_call(
    ops: Ops, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # an endpoint nothing listens on, tried once: any AWS call would fail with exit 1 instead
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    assert run_cli("replay", "--stage", "catalog", "--source", "albums") == 2
    assert "--stage transform" in capsys.readouterr().err
