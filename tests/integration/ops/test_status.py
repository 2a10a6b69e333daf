"""Status against moto: queue depths, last extraction, the tables' figures, lag."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from spotify_etl_common.gone import GoneEntities, GoneEntry, gone_key
from spotify_etl_common.keys import entity_key, playlist_items_key
from spotify_etl_common.messages import Source

from tests.lake_tables import TestLake, parquet

from .conftest import Ops, run_cli

pytestmark = pytest.mark.integration


def status_json(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert run_cli("status", "--json") == 0
    payload: dict[str, Any] = json.loads(capsys.readouterr().out)
    return payload


def test_json_reports_known_queue_depths(ops: Ops, capsys: pytest.CaptureFixture[str]) -> None:
    for n in range(3):
        ops.send(ops.url("transform"), f'{{"n": {n}}}')
    ops.sqs.receive_message(QueueUrl=ops.url("transform"), MaxNumberOfMessages=1)
    for n in range(2):
        ops.send(ops.url("catalog", dlq=True), f'{{"n": {n}}}')
    queues = status_json(capsys)["queues"]
    assert queues["transform"] | {"name": None, "dlq_name": None} == {
        "name": None,
        "visible": 2,
        "in_flight": 1,
        "delayed": 0,
        "dlq_name": None,
        "dlq_visible": 0,
    }
    assert queues["transform"]["name"] == ops.stack.names.transform_queue
    assert queues["catalog"]["dlq_name"] == ops.stack.names.catalog_queue + "-dlq"
    assert (queues["catalog"]["visible"], queues["catalog"]["dlq_visible"]) == (0, 2)


def test_sources_and_tables_from_the_listing_without_a_glue_database(
    ops: Ops, capsys: pytest.CaptureFixture[str]
) -> None:
    ops.put(playlist_items_key("p", "s", 0))
    ops.put(playlist_items_key("p", "s", 1))
    ops.put(entity_key(Source.ALBUMS, "a"))
    ops.put("curated/tracks/dt=2026-11-20/a.parquet", b"x")
    ops.put("curated/tracks/dt=2026-11-23/b.parquet", b"x")
    report = status_json(capsys)
    assert report["sources"]["playlist_items"]["objects"] == 2
    assert report["sources"]["albums"]["objects"] == 1
    assert report["sources"]["recently_played"] == {
        "objects": 0,
        "last_extracted_at": None,
    }
    tracks = report["tables"]["tracks"]
    assert (tracks["format"], tracks["files"], tracks["data_files"]) == ("absent", 2, None)
    assert report["tables"]["plays"]["newest_file_at"] is None
    assert report["lag_seconds"] is not None
    assert report["lag_seconds"] >= 0


def test_an_iceberg_table_shows_its_snapshots_files_and_last_maintenance(
    ops: Ops, capsys: pytest.CaptureFixture[str]
) -> None:
    lake = TestLake(ops.aws, ops.bucket, os.environ["CATALOGER_DATABASE"])
    at = datetime(2026, 11, 23, 8, tzinfo=UTC)
    for n in range(2):
        row = {"track_id": f"T{n}", "source_key": f"raw/{n}", "extracted_at": at}
        lake.commit(
            "tracks",
            [lake.put(f"curated/tracks/dt=2026-11-23/{n}.parquet", parquet("tracks", [row]))],
        )
    assert run_cli("maintain", "--table", "tracks") == 0
    capsys.readouterr()
    tables = status_json(capsys)["tables"]
    tracks = tables["tracks"]
    assert (tracks["format"], tracks["snapshots"], tracks["data_files"]) == ("iceberg", 4, 1)
    assert tracks["average_file_bytes"] == tracks["data_bytes"] > 0
    assert tracks["last_maintenance"] is not None
    assert tables["albums"]["format"] == "absent"


def test_text_output_has_the_queue_table_header_and_no_lag_without_data(
    ops: Ops, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli("status") == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:3] == ["QUEUE", "NAME", "VISIBLE"]
    assert "lag from extraction to curated: -" in out


def test_status_shows_the_entities_the_extractor_recorded_as_gone(
    ops: Ops, capsys: pytest.CaptureFixture[str]
) -> None:
    seen = datetime(2026, 11, 20, 6, tzinfo=UTC)
    document = GoneEntities(
        entries=[
            GoneEntry(
                source=Source.ARTISTS,
                entity_id="0gone",
                status=404,
                message="Non existing id",
                first_seen=seen,
                last_seen=seen + timedelta(days=2),
                runs=3,
                gone=True,
            ),
            GoneEntry(  # answered 404 once: tried again, not shown as gone yet
                source=Source.ALBUMS,
                entity_id="1waiting",
                status=404,
                message="Non existing id",
                first_seen=seen,
                last_seen=seen,
                runs=1,
            ),
        ]
    )
    ops.put(gone_key(), document.model_dump_json().encode())
    gone = status_json(capsys)["gone"]
    assert [(g["source"], g["entity_id"], g["runs"]) for g in gone] == [("artists", "0gone", 3)]
    assert run_cli("status") == 0
    assert "artists:0gone" in capsys.readouterr().out
