"""``spotify-etl purge-user NAME [--user-id ID] [--yes]``: dry run unless ``--yes``."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from spotify_etl_common.aws import s3_client
from spotify_etl_lake.catalog import open_catalog
from spotify_etl_lake.user_rows import IcebergCuratedRows

from spotify_etl.household.purge import apply, gather
from spotify_etl.household.users import UserError, user_id_for
from spotify_etl.settings import OpsSettings, load_ops_settings


def run_purge(args: argparse.Namespace) -> int:
    settings = load_ops_settings()
    try:
        user_id = asyncio.run(user_id_for(args.name, args.user_id, os.environ))
    except UserError as error:
        print(f"purge-user: {error}", file=sys.stderr)
        return 2
    assert user_id is not None
    label = f"{args.name} ({user_id})"
    try:
        return asyncio.run(purge(settings, user_id, label, args.yes))
    except RuntimeError as error:
        print(f"purge-user: {error}", file=sys.stderr)
        return 1


async def purge(settings: OpsSettings, user_id: str, label: str, yes: bool) -> int:
    """Gather, print what goes, and (``yes``) delete it (the command's composition root)."""
    async with s3_client(settings) as s3:
        curated = IcebergCuratedRows(open_catalog(settings), settings.cataloger_database)
        found = await gather(s3, settings.bucket, user_id, curated)
        for line in found.describe(label):
            print(line)
        if found.empty:
            print(f"nothing of {label} is in s3://{settings.bucket}")
            return 0
        if not yes:
            print("dry run: nothing deleted; run again with --yes to delete it")
            return 0
        await apply(s3, settings.bucket, found, curated)
    print(
        f"purged {label}: {len(found.raw_keys):,} raw objects, {found.curated:,} tables' rows, "
        f"{len(found.state_keys):,} state objects; remove the user's secret and their name "
        "from EXTRACTOR_USERS if not done yet"
    )
    return 0
