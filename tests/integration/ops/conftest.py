"""Fixtures for the operator commands: the moto ``stack`` plus sync helpers to set it up."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from spotify_etl.cli import main
from spotify_etl.local.provision import Provisioned

from tests.conftest import LocalAws


@dataclass
class Ops:
    """The provisioned stack with boto3 clients to arrange and inspect it."""

    stack: Provisioned
    aws: LocalAws

    def __post_init__(self) -> None:
        self.s3: Any = self.aws.client("s3")
        self.sqs: Any = self.aws.client("sqs")
        self.glue: Any = self.aws.client("glue")

    @property
    def bucket(self) -> str:
        return self.stack.names.bucket

    def url(self, queue: str, dlq: bool = False) -> str:
        name = getattr(self.stack.names, f"{queue}_queue")
        return self.stack.queue_urls[self.stack.names.dlq(name) if dlq else name]

    def put(self, key: str, body: bytes = b"{}", metadata: dict[str, str] | None = None) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, Metadata=metadata or {})

    def send(self, url: str, body: str, attributes: dict[str, str] | None = None) -> None:
        self.sqs.send_message(
            QueueUrl=url,
            MessageBody=body,
            MessageAttributes={
                k: {"DataType": "String", "StringValue": v} for k, v in (attributes or {}).items()
            },
        )

    def drain(self, url: str) -> list[dict[str, Any]]:
        """Receive and delete everything visible on a queue."""
        messages: list[dict[str, Any]] = []
        while True:
            batch = self.sqs.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=10,
                WaitTimeSeconds=0,
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            if not batch:
                return messages
            messages += batch
            self.sqs.delete_message_batch(
                QueueUrl=url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)
                ],
            )

    def bodies(self, url: str) -> list[dict[str, Any]]:
        return [json.loads(m["Body"]) for m in self.drain(url)]


@pytest.fixture
def ops(stack: Provisioned, aws_env: LocalAws, monkeypatch: pytest.MonkeyPatch) -> Ops:
    monkeypatch.setenv("CATALOGER_DATABASE", f"{stack.names.bucket.replace('-', '_')}_db")
    return Ops(stack, aws_env)


def run_cli(*argv: str) -> int:
    """Run ``spotify-etl`` in-process and return its exit code."""
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    return int(exited.value.code or 0)
