"""The queue service: clients, handler and worker wired together (built by ``main``)."""

from __future__ import annotations

from spotify_etl_common.aws import s3_client, sqs_client
from spotify_etl_common.messages import RawObjectWritten
from spotify_etl_common.s3 import S3Store
from spotify_etl_common.sqs import SqsQueue, resolve_queues
from spotify_etl_common.worker import Worker, WorkerStats, serve

from transformer.handler import SERVICE, TransformHandler
from transformer.settings import TransformerSettings


async def run_service(settings: TransformerSettings) -> WorkerStats:
    """Build the clients, the handler and the worker; run until stopped or idle."""
    async with s3_client(settings) as s3, sqs_client(settings) as sqs:
        queue, dead_letters = await resolve_queues(sqs, settings.transform_queue)
        catalog = await SqsQueue.resolve(sqs, settings.catalog_queue)
        handler = TransformHandler(
            raw=lambda bucket: S3Store(s3, bucket),
            curated=S3Store(s3, settings.bucket),
            catalog=catalog,
            write_concurrency=settings.write_concurrency,
            max_raw_bytes=settings.max_raw_bytes,
        )
        worker = Worker(
            queue,
            dead_letters,
            RawObjectWritten,
            handler,
            settings.worker_config(),
            service=SERVICE,
        )
        return await serve(worker)
