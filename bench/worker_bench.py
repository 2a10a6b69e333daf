"""Worker throughput with a no-op handler, one process, per in-flight bound.

Usage: uv run python -m bench.worker_bench [--messages 2000] [--in-flight 1,5,10,20,50]
                                            [--latency-ms 20]

Two tables:
- against a real moto server (in its own process): what the local stack gives;
  moto's SQS calls get slower as the queue grows, so the queue size matters;
- against an in-memory queue whose every call takes ``--latency-ms`` (SQS's
  own latency is in that range): the loop's scaling with the in-flight bound,
  without the emulator's cost.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import structlog
from pydantic import BaseModel
from spotify_etl.local.provision import StackNames, provision
from spotify_etl.local.server import free_port, start_moto, stop_process
from spotify_etl.local.state import CREDENTIALS, REGION
from spotify_etl_common.aws import sqs_client
from spotify_etl_common.settings import CommonSettings
from spotify_etl_common.sqs import OutgoingMessage, QueueDepth, ReceivedMessage, SqsQueue
from spotify_etl_common.worker import Worker, WorkerConfig


class Ping(BaseModel):
    n: int


async def noop(message: Ping, received: ReceivedMessage) -> None:
    return None


async def one_run(
    settings: CommonSettings, urls: dict[str, str], names: StackNames, messages: int, in_flight: int
) -> float:
    async with sqs_client(settings) as client:
        queue = SqsQueue(client, urls[names.transform_queue])
        dlq = SqsQueue(client, urls[names.dlq(names.transform_queue)])
        await queue.send([OutgoingMessage(json.dumps({"n": i})) for i in range(messages)])
        config = WorkerConfig(max_in_flight=in_flight, wait_seconds=1, exit_when_idle=1.0)
        worker = Worker(queue, dlq, Ping, noop, config, service="bench")
        started = time.perf_counter()
        stats = await worker.run()
        elapsed = time.perf_counter() - started - 1.0  # minus the idle wait that ends the run
        assert stats.handled == messages, stats
        return messages / elapsed


class LatencyQueue(SqsQueue):
    """An in-memory queue whose calls each take ``latency`` seconds, like a remote SQS."""

    def __init__(self, messages: int, latency: float) -> None:
        self.url = "memory://bench"
        self.latency = latency
        self.waiting = [
            ReceivedMessage(str(i), f"rh-{i}", json.dumps({"n": i}), {}, 1, 0)
            for i in range(messages)
        ]
        self.deleted = 0

    async def receive(
        self, max_messages: int = 10, wait_seconds: int = 20, visibility_timeout: int = 60
    ) -> list[ReceivedMessage]:
        await asyncio.sleep(self.latency)
        batch, self.waiting = self.waiting[:max_messages], self.waiting[max_messages:]
        return batch

    async def delete(self, receipt_handles: Sequence[str]) -> None:
        await asyncio.sleep(self.latency)
        self.deleted += len(receipt_handles)

    async def change_visibility(self, receipt_handles: Sequence[str], seconds: int) -> None:
        await asyncio.sleep(self.latency)

    async def send(self, messages: Sequence[OutgoingMessage]) -> None:
        await asyncio.sleep(self.latency)

    async def depth(self) -> QueueDepth:
        await asyncio.sleep(self.latency)
        return QueueDepth(visible=len(self.waiting), in_flight=0, delayed=0)


async def in_memory_run(messages: int, in_flight: int, latency: float) -> float:
    queue = LatencyQueue(messages, latency)
    config = WorkerConfig(max_in_flight=in_flight, wait_seconds=0, exit_when_idle=0.2)
    worker = Worker(queue, LatencyQueue(0, latency), Ping, noop, config, service="bench")
    started = time.perf_counter()
    stats = await worker.run()
    elapsed = time.perf_counter() - started - 0.2
    assert stats.handled == messages == queue.deleted, (stats, queue.deleted)
    return messages / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--in-flight", default="1,5,10,20,50")
    parser.add_argument("--latency-ms", type=float, default=20.0)
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    # moto in its own process, as in `spotify-etl local up`: in a thread of this
    # process it would compete with the worker for the GIL.
    port = free_port()
    pid = start_moto(port, Path(tempfile.mkdtemp()) / "moto.log")
    endpoint = f"http://127.0.0.1:{port}"
    # the worker's clients take credentials from the environment, as in a service
    os.environ.update({"AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION, **CREDENTIALS})
    import boto3

    session = boto3.session.Session(
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name=REGION,
    )
    bounds = [int(b) for b in args.in_flight.split(",")]
    print(f"in-memory queue, {args.latency_ms:g} ms per SQS call:")
    print("| in-flight bound | messages | messages/s |")
    print("|---:|---:|---:|")
    for bound in bounds:
        rate = asyncio.run(in_memory_run(args.messages, bound, args.latency_ms / 1000))
        print(f"| {bound} | {args.messages} | {rate:.0f} |", flush=True)
    print("\nmoto server (own process):")
    print("| in-flight bound | messages | messages/s |")
    print("|---:|---:|---:|")
    try:
        for bound in bounds:
            names = StackNames.unique("bench")
            provisioned = provision(
                session.client("s3", endpoint_url=endpoint),
                session.client("sqs", endpoint_url=endpoint),
                names,
                REGION,
            )
            settings = CommonSettings.model_validate(
                {
                    "AWS_ENDPOINT_URL": endpoint,
                    "SPOTIFY_ETL_BUCKET": names.bucket,
                    "SPOTIFY_ETL_TRANSFORM_QUEUE": names.transform_queue,
                    "SPOTIFY_ETL_CATALOG_QUEUE": names.catalog_queue,
                }
            )
            rate = asyncio.run(
                one_run(settings, provisioned.queue_urls, names, args.messages, bound)
            )
            print(f"| {bound} | {args.messages} | {rate:.0f} |", flush=True)
    finally:
        stop_process(pid)


if __name__ == "__main__":
    main()
