"""``spotify-etl maintain`` and ``migrate-tables``: the composition roots over spotify_etl_lake."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta

from botocore.exceptions import BotoCoreError, ClientError
from pyiceberg.exceptions import CommitFailedException, NoSuchNamespaceError
from spotify_etl_common.tables import TABLES
from spotify_etl_lake.catalog import Lake, open_catalog
from spotify_etl_lake.maintain import MaintenanceOptions, TableMaintenance, maintain_lake
from spotify_etl_lake.migrate import TableMigration, migrate_lake
from spotify_etl_lake.storage import ObjectStore, s3_client

from spotify_etl.settings import load_ops_settings

EXIT_FAILED = 1
FAILURES = (BotoCoreError, ClientError, CommitFailedException, NoSuchNamespaceError, RuntimeError)
"""What a run can meet: AWS errors, lost commit races beyond the retries, a missing database."""


def options_from(args: argparse.Namespace) -> MaintenanceOptions:
    """The maintenance options the arguments give."""
    return MaintenanceOptions(
        target_bytes=args.target_bytes,
        retention=timedelta(days=args.retention_days),
        keep_last=args.keep_last,
        orphan_age=timedelta(hours=args.orphan_age_hours),
        dry_run=args.dry_run,
    )


def run_maintain(args: argparse.Namespace) -> int:
    settings = load_ops_settings()
    tables = [args.table] if args.table else list(TABLES)
    lake = Lake(settings.bucket, settings.cataloger_database)
    if args.dry_run:
        print("dry run: nothing is changed", file=sys.stderr)

    def report(result: TableMaintenance) -> None:
        print(result.line(), flush=True)

    try:
        maintain_lake(
            open_catalog(settings),
            lake,
            tables,
            ObjectStore(s3_client(settings)),
            options_from(args),
            lambda: datetime.now(UTC),
            report,
        )
    except FAILURES as error:
        print(f"spotify-etl maintain: {error}", file=sys.stderr)
        return EXIT_FAILED
    return 0


def run_migrate_tables(args: argparse.Namespace) -> int:
    settings = load_ops_settings()
    lake = Lake(settings.bucket, settings.cataloger_database)
    if args.dry_run:
        print("dry run: the plan, nothing is changed", file=sys.stderr)

    def report(step: TableMigration) -> None:
        print(step.line(done=not args.dry_run), flush=True)

    try:
        migrate_lake(
            open_catalog(settings),
            ObjectStore(s3_client(settings)),
            lake,
            TABLES.values(),
            dry_run=args.dry_run,
            report=report,
        )
    except FAILURES as error:
        print(f"spotify-etl migrate-tables: {error}", file=sys.stderr)
        return EXIT_FAILED
    return 0
