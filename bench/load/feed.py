"""Raw pages into the raw bucket, their messages onto the transform queue, in a window."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spotify_etl_common.messages import raw_message

from bench.load.pages import EXTRACTED_AT
from bench.load.parallel import chunks, parallel
from bench.load.servers import Stack

FEED_WINDOW = 100
"""Most messages on the transform queue at once, topped up when it falls to REFILL_AT.

moto computes every queue attribute, each a scan of the whole queue, once per
message it receives or sends, so each SQS call costs time in proportion to the
queue's length (profiled with py-spy: 75% of the SQS server's samples). A short
queue keeps the emulator out of the figures; 100 still keeps 4 transformers with
10 messages in flight each supplied (real SQS has no such cost)."""
REFILL_AT = 2 * FEED_WINDOW // 3
CATALOG_BACKLOG = 50
"""Feeding pauses while the catalog queue holds more than this: back-pressure that
keeps moto's cost per call (in proportion to queue length) from running away when
many transformers outnumber the catalog drain on the emulator's one core."""


def upload(stack: Stack, bucket: str, pages: dict[str, bytes]) -> None:
    s3 = stack.client("s3")
    s3.create_bucket(Bucket=bucket)
    parallel(lambda kv: s3.put_object(Bucket=bucket, Key=kv[0], Body=kv[1]), pages.items())


def enqueue(stack: Stack, queue_url: str, raw_bucket: str, keys: Sequence[str]) -> None:
    sqs = stack.client("sqs")

    def send(batch: Sequence[str]) -> None:
        entries = []
        for i, key in enumerate(batch):
            message = raw_message(raw_bucket, key, EXTRACTED_AT, "load-test")
            entries.append({"Id": str(i), "MessageBody": message.model_dump_json()})
        failed = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries).get("Failed")
        if failed:
            raise RuntimeError(f"enqueue failed: {failed[:1]}")

    parallel(send, chunks(keys, 10))


def depth(sqs: Any, url: str) -> int:
    attrs = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"]) + int(
        attrs["ApproximateNumberOfMessagesNotVisible"]
    )
