"""The cataloger's commit throughput on moto: TableFileWritten messages per second.

``uv run python -m bench.catalog_bench [--objects 150] [--items 50] [--window 200]``

Generates raw playlist-item pages (the load test's), runs the transformer's pure
core on each (``decide``: the files and their keys), puts every file in S3, then
runs the cataloger's worker in-process against one moto server (S3, SQS, Glue),
feeding the catalog queue in windows of ``--window`` messages (moto's SQS costs
time in proportion to a queue's length; a real queue does not). Reports messages
per second through the worker (first receive to last batch committed), the
commits per table and their time, and checks every table's rows by a scan.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from cataloger.committer import LakeCommitter
from cataloger.files import CuratedFiles
from cataloger.service import Cataloger
from cataloger.settings import CatalogerSettings
from spotify_etl.local.provision import StackNames, provision
from spotify_etl.local.state import REGION
from spotify_etl_common.aws import s3_client, sqs_client
from spotify_etl_common.messages import RawObjectWritten, Source, TableFileWritten
from spotify_etl_common.sqs import ReceivedMessage, resolve_queues
from spotify_etl_common.tables import TABLES
from spotify_etl_common.worker import BatchOutcome, Worker, serve
from spotify_etl_lake.catalog import Lake, open_catalog
from transformer.handler import decide, table_file_message

from bench.load.pages import EXTRACTED_AT, generate
from bench.load.parallel import chunks, parallel
from bench.load.servers import Stack


def transform(bucket: str, pages: dict[str, bytes]) -> list[tuple[TableFileWritten, bytes]]:
    """Every file the transformer would write for ``pages``, with its message."""
    files = []
    for key, body in pages.items():
        message = RawObjectWritten(
            bucket=bucket,
            key=key,
            source=Source.PLAYLIST_ITEMS,
            entity_id=key.split("playlist_id=")[1].split("/")[0],
            snapshot_id="s",
            page=0,
            run_id="bench",
            extracted_at=EXTRACTED_AT,
        )
        for file in decide(message, body):
            files.append((table_file_message(file, bucket, datetime.now(UTC)), file.data))
    return files


class Timed:
    """The cataloger's batch handler, timed: when the last batch ended, per-table commits."""

    def __init__(self, cataloger: Cataloger) -> None:
        self.cataloger = cataloger
        self.first: float | None = None
        self.last = 0.0
        self.batches = 0
        self.attempts = 0

    async def __call__(
        self, items: Sequence[tuple[TableFileWritten, ReceivedMessage]]
    ) -> BatchOutcome:
        self.first = self.first or time.perf_counter()
        outcome = await self.cataloger.handle_batch(items)
        self.last = time.perf_counter()
        self.batches += 1
        attempts = outcome.summary.get("commit_attempts", 0)
        self.attempts += attempts if isinstance(attempts, int) else 0
        return outcome


async def drain(settings: CatalogerSettings, timed_box: list[Timed]) -> int:
    async with sqs_client(settings) as sqs, s3_client(settings) as s3:
        queue, dead = await resolve_queues(sqs, settings.catalog_queue)
        committer = LakeCommitter(open_catalog(settings), Lake(settings.bucket, settings.database))
        cataloger = Cataloger(committer, settings.bucket, TABLES, CuratedFiles(s3))
        await cataloger.start()
        timed = Timed(cataloger)
        timed_box.append(timed)
        worker = Worker(
            queue,
            dead,
            TableFileWritten,
            config=settings.worker_config(),
            batch_handler=timed,
            service="cataloger",
        )
        stats = await serve(worker)
        return stats.handled


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=150, help="raw pages (7 files each)")
    parser.add_argument("--items", type=int, default=50, help="playlist items per page")
    parser.add_argument("--window", type=int, default=200, help="messages queued at once")
    args = parser.parse_args(argv)

    logs = Path(tempfile.mkdtemp(prefix="catalog-bench-"))
    stack = Stack.start(logs, "catalog", split=False)
    try:
        names = StackNames.unique("bench")
        provision(stack.client("s3"), stack.client("sqs"), names, REGION)
        env = stack.env(names) | {
            "SPOTIFY_ETL_BUCKET": names.bucket,
            "SPOTIFY_ETL_TRANSFORM_QUEUE": names.transform_queue,
            "SPOTIFY_ETL_CATALOG_QUEUE": names.catalog_queue,
            "CATALOGER_DATABASE": f"bench_{uuid.uuid4().hex[:8]}",
            "CATALOGER_PUBLISH_VIEWS": "false",
            "SPOTIFY_ETL_EXIT_WHEN_IDLE": "2",
            "SPOTIFY_ETL_WAIT_SECONDS": "1",
        }
        os.environ.update(env)
        pages, _ = generate(args.objects, args.items)
        files = transform(names.bucket, pages)
        s3 = stack.client("s3")
        parallel(lambda f: s3.put_object(Bucket=names.bucket, Key=f[0].key, Body=f[1]), files)
        sqs = stack.client("sqs")
        url = sqs.get_queue_url(QueueName=names.catalog_queue)["QueueUrl"]
        messages = [m for m, _ in files]

        def send(batch: Sequence[TableFileWritten]) -> None:
            entries = [
                {"Id": str(i), "MessageBody": m.model_dump_json()} for i, m in enumerate(batch)
            ]
            sqs.send_message_batch(QueueUrl=url, Entries=entries)

        def depth() -> int:
            answer = sqs.get_queue_attributes(
                QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
            )
            return int(answer["Attributes"]["ApproximateNumberOfMessages"])

        def feed() -> None:
            for window in chunks(messages, args.window):
                while depth() > args.window // 2:
                    time.sleep(0.2)
                parallel(send, chunks(window, 10))

        feeder = threading.Thread(target=feed)
        timed_box: list[Timed] = []
        settings = CatalogerSettings()
        feeder.start()
        handled = asyncio.run(drain(settings, timed_box))
        feeder.join()
        timed = timed_box[0]
        seconds = timed.last - (timed.first or timed.last)
        catalog = open_catalog(settings)
        rows = Counter(
            {
                name: catalog.load_table((settings.database, name)).scan().count()
                for name in sorted(TABLES)
            }
        )
        print(
            f"{handled} messages ({args.objects} raw pages x 7 tables) in {timed.batches} batches, "
            f"{timed.attempts} commits: {seconds:.1f} s from the first batch to the last commit, "
            f"{handled / seconds:.1f} messages/s"
        )
        expected: Counter[str] = Counter()
        for message in messages:
            expected[message.table] += message.rows
        print("rows per table:", dict(rows), "as written" if rows == +expected else "DIFFER")
        print(f"moto log: {logs}")
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
