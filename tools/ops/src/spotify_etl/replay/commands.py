"""``spotify-etl replay --stage transform|catalog``: enqueue messages for objects in S3 again."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime

from spotify_etl_common.aws import s3_client, sqs_client
from spotify_etl_common.errors import SpotifyEtlError
from spotify_etl_common.s3 import S3Store
from spotify_etl_common.sqs import SqsQueue

from spotify_etl.replay.plan import DateRange, listing_prefix, replay_run_id
from spotify_etl.replay.run import enqueue, select_objects
from spotify_etl.replay.stage import Stage
from spotify_etl.settings import OpsSettings, load_ops_settings
from spotify_etl.terminal import progress


def run_replay(args: argparse.Namespace) -> int:
    try:
        days = DateRange(args.since, args.until)
        prefix = listing_prefix(args.stage, args.source, args.table, args.prefix)
    except ValueError as error:
        print(f"replay: {error}", file=sys.stderr)
        return 2
    settings = load_ops_settings()
    try:
        return asyncio.run(_replay(settings, args.stage, prefix, days, dry_run=args.dry_run))
    except SpotifyEtlError as error:
        print(f"replay failed: {error.reason}", file=sys.stderr)
        return 1


async def _replay(
    settings: OpsSettings, stage: Stage, prefix: str, days: DateRange, *, dry_run: bool
) -> int:
    queue_name = settings.transform_queue if stage is Stage.TRANSFORM else settings.catalog_queue
    async with s3_client(settings) as s3, sqs_client(settings) as sqs:
        store = S3Store(s3, settings.bucket)
        selection = await select_objects(store, stage, prefix, days)
        for group, count in selection.groups(stage).items():
            print(f"  {group}: {count}", file=sys.stderr)
        if selection.skipped_foreign:
            print(
                f"  skipped {selection.skipped_foreign} keys that are not {stage} inputs",
                file=sys.stderr,
            )
        if dry_run:
            print(
                f"dry run: would enqueue {len(selection.objects)} messages to {queue_name} "
                f"({selection.listed} listed under s3://{settings.bucket}/{prefix})"
            )
            return 0
        queue = await SqsQueue.resolve(sqs, queue_name)
        run_id = replay_run_id(datetime.now(tz=UTC))
        shown = progress(f"replay {stage}", len(selection.objects))
        sent = await enqueue(store, queue, stage, selection.objects, run_id, shown)
    print(f"enqueued {sent} messages to {queue.name} (run id {run_id})")
    return 0
