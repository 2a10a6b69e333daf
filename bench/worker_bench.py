"""Worker throughput with a no-op handler against a real moto server.

Usage: uv run python bench/worker_bench.py [--messages 2000] [--in-flight 1,5,10,20,50]

Sends the messages first (batches of 10), then times one worker process
draining the queue for each in-flight bound; prints a markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import tempfile
import time
from pathlib import Path

import structlog
from pydantic import BaseModel
from spotify_etl.local.provision import StackNames, provision
from spotify_etl.local.server import free_port, start_moto, stop_process
from spotify_etl_common.aws import sqs_client
from spotify_etl_common.settings import CommonSettings
from spotify_etl_common.sqs import OutgoingMessage, ReceivedMessage, SqsQueue
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--in-flight", default="1,5,10,20,50")
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    # moto in its own process, as in `spotify-etl local up`: in a thread of this
    # process it would compete with the worker for the GIL.
    port = free_port()
    pid = start_moto(port, Path(tempfile.mkdtemp()) / "moto.log")
    endpoint = f"http://127.0.0.1:{port}"
    import boto3

    session = boto3.session.Session(
        aws_access_key_id="x", aws_secret_access_key="x", region_name="us-east-1"
    )
    print("| in-flight bound | messages | messages/s |")
    print("|---:|---:|---:|")
    try:
        for bound in (int(b) for b in args.in_flight.split(",")):
            names = StackNames.unique("bench")
            provisioned = provision(
                session.client("s3", endpoint_url=endpoint),
                session.client("sqs", endpoint_url=endpoint),
                names,
                "us-east-1",
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
