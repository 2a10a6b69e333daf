"""``local up`` on a fresh moto over a lake on disk: each Iceberg table registered from its newest
metadata, and exactly the lost work announced again.

The lake here: an Iceberg ``artists`` table (pyiceberg on a real SeaweedFS and moto's Glue)
and four raw artist objects: A transformed and committed, B never transformed, C transformed
but never committed, D committed and since deleted from the table. A new Glue database and
new queues stand for moto's state after a restart.
"""

from __future__ import annotations

import io
import json
import uuid
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyiceberg.catalog.glue import GlueCatalog
from pyiceberg.expressions import EqualTo
from spotify_etl.local.catalog import local_catalog_properties
from spotify_etl.local.provision import StackNames, provision
from spotify_etl.local.reopen import reopen
from spotify_etl_common.keys import curated_key, entity_key
from spotify_etl_common.messages import EXTRACTED_AT_METADATA
from spotify_etl_common.sources import Source

from tests.conftest import REGION, LocalAws
from tests.integration.ops_local.conftest import Weed

pytestmark = pytest.mark.integration
DAY = "2026-11-24"
SCHEMA = pa.schema(
    [pa.field("artist_id", pa.large_string()), pa.field("source_key", pa.large_string())]
)


def raw(artist: str) -> str:
    return entity_key(Source.ARTISTS, artist)


def curated(artist: str) -> str:
    from datetime import date

    return curated_key("artists", date.fromisoformat(DAY), raw(artist), b"PAR1")


def drain(sqs: Any, url: str) -> list[dict[str, Any]]:
    bodies = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        if not got.get("Messages"):
            return bodies
        bodies += [json.loads(m["Body"]) for m in got["Messages"]]
        for m in got["Messages"]:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def test_reopen_registers_the_newest_metadata_and_announces_only_lost_work(
    weed: Weed, moto_server: LocalAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = StackNames.unique()
    s3, sqs = weed.client(), moto_server.client("sqs")
    stack = provision(s3, sqs, names, REGION)
    bucket = names.bucket
    for artist in "ABCD":
        s3.put_object(
            Bucket=bucket,
            Key=raw(artist),
            Body=b'{"id": "x"}',
            Metadata={EXTRACTED_AT_METADATA: f"{DAY}T10:00:00+00:00"},
        )
    for artist in "ACD":
        buffer = io.BytesIO()
        pq.write_table(
            pa.table({"artist_id": [artist], "source_key": [raw(artist)]}, SCHEMA), buffer
        )
        s3.put_object(
            Bucket=bucket,
            Key=curated(artist),
            Body=buffer.getvalue(),
            Metadata={"source-key": raw(artist)},
        )
    properties = local_catalog_properties(
        moto_server.endpoint, weed.endpoint, REGION, "testing", "testing"
    )
    before = f"before_{uuid.uuid4().hex[:8]}"
    catalog = GlueCatalog("test", **properties)  # type: ignore[arg-type]
    catalog.create_namespace(before)
    table = catalog.create_table(
        (before, "artists"), SCHEMA, location=f"s3://{bucket}/curated/artists"
    )
    table.add_files([f"s3://{bucket}/{curated('A')}"])
    table.add_files([f"s3://{bucket}/{curated('D')}"])
    table.delete(EqualTo("source_key", raw("D")))
    newest = table.refresh().metadata_location

    env = moto_server.env(names) | {"AWS_ENDPOINT_URL_S3": weed.endpoint}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    after = f"after_{uuid.uuid4().hex[:8]}"
    done = reopen(env, after)

    assert done.tables == ("artists",)
    glue = moto_server.client("glue").get_table(DatabaseName=after, Name="artists")["Table"]
    assert glue["Parameters"]["metadata_location"] == newest
    transform = drain(sqs, stack.queue_urls[names.transform_queue])
    catalog_queue = drain(sqs, stack.queue_urls[names.catalog_queue])
    assert [m["key"] for m in transform] == [raw("B")]
    assert transform[0]["extracted_at"].startswith(f"{DAY}T10:00:00")
    assert [(m["key"], m["source_key"], m["rows"]) for m in catalog_queue] == [
        (curated("C"), raw("C"), 1)
    ]
    assert (done.raw, done.files) == (1, 1)
    registered = GlueCatalog("test", **properties).load_table((after, "artists"))  # type: ignore[arg-type]
    assert registered.scan().to_arrow().column("artist_id").to_pylist() == ["A"]


def test_a_lake_without_iceberg_tables_registers_nothing_and_announces_every_file(
    weed: Weed, moto_server: LocalAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before the tables are Iceberg (or before a table's first commit) no file is committed."""
    names = StackNames.unique()
    s3, sqs = weed.client(), moto_server.client("sqs")
    stack = provision(s3, sqs, names, REGION)
    s3.put_object(Bucket=names.bucket, Key=raw("A"), Body=b"{}")
    buffer = io.BytesIO()
    pq.write_table(pa.table({"artist_id": ["A"], "source_key": [raw("A")]}, SCHEMA), buffer)
    s3.put_object(Bucket=names.bucket, Key=curated("A"), Body=buffer.getvalue())
    env = moto_server.env(names) | {"AWS_ENDPOINT_URL_S3": weed.endpoint}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    done = reopen(env, f"db_{uuid.uuid4().hex[:8]}")
    assert done.tables == ()
    assert drain(sqs, stack.queue_urls[names.transform_queue]) == []
    [again] = drain(sqs, stack.queue_urls[names.catalog_queue])
    assert (again["key"], again["source_key"]) == (curated("A"), raw("A"))
