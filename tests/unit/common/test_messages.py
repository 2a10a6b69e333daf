"""Message contracts: versioned, strict, and a bad body is a PermanentError that says why."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from spotify_etl_common.errors import PermanentError
from spotify_etl_common.messages import RawObjectWritten, Source, TableFileWritten, parse_message
from spotify_etl_common.sqs import OutgoingMessage


def raw() -> RawObjectWritten:
    return RawObjectWritten(
        bucket="b",
        key="raw/source=albums/album_id=x.json",
        source=Source.ALBUMS,
        entity_id="x",
        run_id="r1",
        extracted_at=datetime(2026, 11, 24, 12, tzinfo=UTC),
    )


def test_round_trip_through_json() -> None:
    message = raw()
    assert parse_message(RawObjectWritten, message.model_dump_json()) == message
    assert json.loads(message.model_dump_json())["version"] == 1


def test_unknown_version_is_refused() -> None:
    body = json.loads(raw().model_dump_json()) | {"version": 2}
    with pytest.raises(PermanentError, match="version: Input should be 1"):
        parse_message(RawObjectWritten, json.dumps(body))


def test_naive_timestamp_and_unknown_fields_are_refused() -> None:
    body = json.loads(raw().model_dump_json())
    body["extracted_at"] = "2026-11-24T12:00:00"
    body["surprise"] = 1
    with pytest.raises(PermanentError) as caught:
        parse_message(RawObjectWritten, json.dumps(body))
    assert "extracted_at" in caught.value.reason
    assert "surprise: Extra inputs are not permitted" in caught.value.reason


def test_malformed_json_is_permanent() -> None:
    with pytest.raises(PermanentError, match="invalid TableFileWritten message"):
        parse_message(TableFileWritten, "{")


def test_negative_rows_refused() -> None:
    body = {
        "table": "tracks",
        "bucket": "b",
        "key": "k",
        "partition": {"dt": "2026-01-01"},
        "rows": -1,
        "schema_version": 1,
        "source_key": "raw/x",
    }
    with pytest.raises(PermanentError, match="rows"):
        parse_message(TableFileWritten, json.dumps(body))


@pytest.mark.parametrize(
    "partition",
    [
        {"dt": "not-a-day"},
        {"dt": "2026-02-30"},
        {"dt": "20260101"},
        {},
        {"dt": "2026-01-01", "x": "1"},
    ],
)
def test_a_partition_that_is_not_one_day_is_poison(partition: dict[str, str]) -> None:
    body = {
        "table": "tracks",
        "bucket": "b",
        "key": "curated/tracks/dt=2026-01-01/x.parquet",
        "partition": partition,
        "rows": 1,
        "schema_version": 1,
        "source_key": "raw/x",
    }
    with pytest.raises(
        PermanentError, match=r"partition: Value error, must be \{'dt': 'yyyy-mm-dd'\}"
    ):
        parse_message(TableFileWritten, json.dumps(body))


def test_an_outgoing_message_carries_the_body_and_the_attribute_its_model_defines() -> None:
    message = raw()
    outgoing = OutgoingMessage.of(message)
    assert parse_message(RawObjectWritten, outgoing.body) == message
    assert outgoing.attributes == {"source": "albums"}
    table_file = TableFileWritten(
        table="tracks",
        bucket="b",
        key="curated/tracks/dt=2026-01-01/x.parquet",
        partition={"dt": "2026-01-01"},
        rows=3,
        schema_version=1,
        source_key="raw/source=albums/album_id=x.json",
    )
    assert OutgoingMessage.of(table_file).attributes == {"table": "tracks"}
