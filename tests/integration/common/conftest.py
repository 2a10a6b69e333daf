"""Fixtures for the shared worker: aiobotocore clients and queues on the moto server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from spotify_etl.local.provision import Provisioned, StackNames, provision
from spotify_etl_common.aws import sqs_client
from spotify_etl_common.settings import CommonSettings
from spotify_etl_common.sqs import OutgoingMessage, SqsQueue

from tests.conftest import REGION, LocalAws


@dataclass
class Queues:
    """A work queue and its DLQ, both reached through one aiobotocore client."""

    work: SqsQueue
    dlq: SqsQueue

    async def send_bodies(self, *bodies: str) -> None:
        await self.work.send([OutgoingMessage(b) for b in bodies])

    async def drain(self, queue: SqsQueue, wait: int = 0) -> list[str]:
        """Receive everything currently visible on ``queue`` (and delete it)."""
        bodies: list[str] = []
        while True:
            batch = await queue.receive(10, wait, 30)
            if not batch:
                return bodies
            bodies.extend(m.body for m in batch)
            await queue.delete([m.receipt_handle for m in batch])


async def make_queues(
    aws: LocalAws, *, visibility_timeout: int = 30, max_receive_count: int = 5
) -> AsyncIterator[Queues]:
    names = StackNames.unique("w")
    provisioned: Provisioned = provision(
        aws.client("s3"),
        aws.client("sqs"),
        names,
        REGION,
        visibility_timeout=visibility_timeout,
        max_receive_count=max_receive_count,
    )
    settings = CommonSettings.model_validate(aws.env(names))
    async with sqs_client(settings) as client:
        yield Queues(
            work=SqsQueue(client, provisioned.queue_urls[names.transform_queue]),
            dlq=SqsQueue(client, provisioned.queue_urls[names.dlq(names.transform_queue)]),
        )


@pytest.fixture
async def queues(aws_env: LocalAws) -> AsyncIterator[Queues]:
    async for q in make_queues(aws_env):
        yield q
