"""``spotify-etl status [--json]``: the pipeline at a glance."""

from __future__ import annotations

import argparse
import asyncio
import sys
from functools import partial

from spotify_etl_common.aws import s3_client, sqs_client
from spotify_etl_common.errors import SpotifyEtlError
from spotify_etl_common.s3 import S3Store
from spotify_etl_lake.catalog import Lake, open_catalog
from spotify_etl_lake.stats import read_stats

from spotify_etl.settings import OpsSettings, load_ops_settings
from spotify_etl.status.gather import gather_status
from spotify_etl.status.report import StatusReport, render


def run_status(args: argparse.Namespace) -> int:
    settings = load_ops_settings()
    try:
        report = asyncio.run(collect(settings))
    except SpotifyEtlError as error:
        print(f"status failed: {error.reason}", file=sys.stderr)
        return 1
    print(report.model_dump_json(indent=2) if args.json else render(report))
    return 0


async def collect(settings: OpsSettings) -> StatusReport:
    """Build the clients and gather the report (the command's composition root)."""
    queues = {"transform": settings.transform_queue, "catalog": settings.catalog_queue}
    figures = partial(
        read_stats, open_catalog(settings), Lake(settings.bucket, settings.cataloger_database)
    )
    async with sqs_client(settings) as sqs, s3_client(settings) as s3:
        return await gather_status(sqs, S3Store(s3, settings.bucket), figures, queues)
