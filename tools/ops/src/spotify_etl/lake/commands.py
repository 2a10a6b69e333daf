"""``spotify-etl maintain`` and ``migrate-tables``: the composition roots over spotify_etl_lake."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta

from spotify_etl_common.tables import TABLES
from spotify_etl_lake.catalog import Lake, open_catalog
from spotify_etl_lake.maintain import MaintenanceOptions, TableMaintenance, maintain_lake
from spotify_etl_lake.migrate import TableMigration, migrate_lake
from spotify_etl_lake.storage import ObjectStore

from spotify_etl.settings import load_ops_settings

EXIT_FAILED = 1


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

    results = maintain_lake(
        open_catalog(settings),
        lake,
        tables,
        ObjectStore(settings),
        options_from(args),
        lambda: datetime.now(UTC),
        report,
    )
    return EXIT_FAILED if any(r.failure for r in results) else 0


def run_migrate_tables(args: argparse.Namespace) -> int:
    settings = load_ops_settings()
    lake = Lake(settings.bucket, settings.cataloger_database)
    if args.dry_run:
        print("dry run: the plan, nothing is changed", file=sys.stderr)

    def report(step: TableMigration) -> None:
        print(step.line(done=not args.dry_run), flush=True)

    steps = migrate_lake(
        open_catalog(settings),
        ObjectStore(settings),
        lake,
        TABLES.values(),
        dry_run=args.dry_run,
        report=report,
    )
    return EXIT_FAILED if any(s.failure for s in steps) else 0
