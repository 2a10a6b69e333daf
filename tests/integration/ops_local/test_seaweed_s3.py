"""The local S3 (a real SeaweedFS) answers what the services rely on: the extractor's lease by
conditional writes, ranged reads, user metadata, and only the local keys."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import boto3
import botocore.exceptions
import pytest
from extractor.state.lease import Busy, Held, lease_for, release, take
from extractor.state.store import ExtractorStore
from spotify_etl_common.aws import s3_client

from tests.integration.ops_local.conftest import Weed

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


@dataclass(frozen=True)
class Endpoints:
    endpoint: str
    aws_region: str = "us-east-1"

    def endpoint_for(self, service: str) -> str | None:
        return self.endpoint


@pytest.fixture
def bucket(weed: Weed, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    name = f"t-{uuid.uuid4().hex[:12]}"
    weed.client().create_bucket(Bucket=name)
    return name


async def test_one_run_holds_the_lease_and_a_crashed_one_is_taken_over_once(
    weed: Weed, bucket: str
) -> None:
    async with s3_client(Endpoints(weed.endpoint)) as client:
        store = ExtractorStore(client, bucket)
        first = await take(store, lease_for("run-1", NOW, 600), NOW)
        assert isinstance(first, Held)
        second = await take(store, lease_for("run-2", NOW, 600), NOW)  # If-None-Match: * loses
        assert isinstance(second, Busy)
        assert second.holder is not None
        assert second.holder.run_id == "run-1"
        later = NOW + timedelta(hours=1)  # run-1 crashed: its lease expired
        third = await take(store, lease_for("run-3", later, 600), later)  # If-Match wins
        assert isinstance(third, Held)
        assert third.took_over is not None
        assert third.took_over.run_id == "run-1"
        assert not await release(store, first)  # If-Match on run-1's old ETag loses
        assert await release(store, third)


def test_a_second_create_and_a_stale_replace_are_refused(weed: Weed, bucket: str) -> None:
    s3 = weed.client()
    created = s3.put_object(Bucket=bucket, Key="k", Body=b"one", IfNoneMatch="*")
    with pytest.raises(botocore.exceptions.ClientError) as again:
        s3.put_object(Bucket=bucket, Key="k", Body=b"two", IfNoneMatch="*")
    assert again.value.response["Error"]["Code"] == "PreconditionFailed"
    s3.put_object(Bucket=bucket, Key="k", Body=b"three", IfMatch=created["ETag"])
    with pytest.raises(botocore.exceptions.ClientError) as stale:
        s3.put_object(Bucket=bucket, Key="k", Body=b"four", IfMatch=created["ETag"])
    assert stale.value.response["Error"]["Code"] == "PreconditionFailed"
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"three"


def test_ranged_reads_and_user_metadata(weed: Weed, bucket: str) -> None:
    s3 = weed.client()
    s3.put_object(Bucket=bucket, Key="f.parquet", Body=b"0123456789", Metadata={"source-key": "r"})
    ranged = s3.get_object(Bucket=bucket, Key="f.parquet", Range="bytes=6-9")
    assert ranged["Body"].read() == b"6789"
    assert s3.head_object(Bucket=bucket, Key="f.parquet")["Metadata"] == {"source-key": "r"}


def test_other_keys_are_refused(weed: Weed) -> None:
    stranger = boto3.client(
        "s3",
        endpoint_url=weed.endpoint,
        region_name="us-east-1",
        aws_access_key_id="someone",
        aws_secret_access_key="else",
    )
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        stranger.list_buckets()
    assert refused.value.response["Error"]["Code"] == "InvalidAccessKeyId"
