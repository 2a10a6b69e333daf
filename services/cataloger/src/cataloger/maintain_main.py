"""``cataloger maintain``: maintenance of the lake's tables as a (scheduled) ECS task.

The same code as ``spotify-etl maintain`` (:func:`spotify_etl_lake.maintain.maintain_lake`),
with its settings from the environment of the cataloger's task. One log line per
table says what was done; a failure exits 1 with one line, and the next run
resumes (each step is incremental).
"""

from __future__ import annotations

import sys
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

from pydantic import Field
from spotify_etl_common.logs import configure_logging, get_logger
from spotify_etl_common.settings import load_settings
from spotify_etl_common.tables import TABLES
from spotify_etl_lake.catalog import Lake, open_catalog
from spotify_etl_lake.compaction import DEFAULT_TARGET_BYTES
from spotify_etl_lake.expiry import DEFAULT_KEEP_LAST, DEFAULT_RETENTION
from spotify_etl_lake.maintain import MaintenanceOptions, TableMaintenance, maintain_lake
from spotify_etl_lake.orphans import DEFAULT_ORPHAN_AGE
from spotify_etl_lake.storage import ObjectStore

from cataloger.settings import CatalogerSettings

SERVICE = "cataloger"
EXIT_FAILED = 1

log = get_logger(__name__)


class MaintainSettings(CatalogerSettings):
    """Variables of ``cataloger maintain`` (the cataloger's, and these)."""

    maintain_target_bytes: int = Field(
        default=DEFAULT_TARGET_BYTES, alias="CATALOGER_MAINTAIN_TARGET_BYTES", ge=1
    )
    """Target data file size in bytes; a partition with two or more smaller files is rewritten."""
    maintain_retention_days: float = Field(
        default=DEFAULT_RETENTION / timedelta(days=1),
        alias="CATALOGER_MAINTAIN_RETENTION_DAYS",
        ge=0,
    )
    """Snapshots older than this many days expire (the newest few stay)."""
    maintain_keep_last: int = Field(
        default=DEFAULT_KEEP_LAST, alias="CATALOGER_MAINTAIN_KEEP_LAST", ge=1
    )
    """Snapshots always kept, however old."""
    maintain_orphan_age_hours: float = Field(
        default=DEFAULT_ORPHAN_AGE / timedelta(hours=1),
        alias="CATALOGER_MAINTAIN_ORPHAN_AGE_HOURS",
        ge=0,
    )
    """Unreferenced files are deleted once this many hours old (beyond the 14-day DLQ retention)."""
    maintain_dry_run: bool = Field(default=False, alias="CATALOGER_MAINTAIN_DRY_RUN")
    """Plan and log, change nothing (true/false)."""

    def options(self) -> MaintenanceOptions:
        """The maintenance options these settings give."""
        return MaintenanceOptions(
            target_bytes=self.maintain_target_bytes,
            retention=timedelta(days=self.maintain_retention_days),
            keep_last=self.maintain_keep_last,
            orphan_age=timedelta(hours=self.maintain_orphan_age_hours),
            dry_run=self.maintain_dry_run,
        )


def _logged(result: TableMaintenance) -> None:
    if result.failure:
        log.error("cataloger.maintain_failed", **asdict(result))
    else:
        log.info("cataloger.maintained", **asdict(result))


def run(settings: MaintainSettings) -> list[TableMaintenance]:
    """Maintain every declared table of the settings' lake."""
    return maintain_lake(
        open_catalog(settings),
        Lake(settings.bucket, settings.database),
        TABLES,
        ObjectStore(settings),
        settings.options(),
        lambda: datetime.now(UTC),
        _logged,
    )


def main() -> None:
    """``cataloger maintain``."""
    settings = load_settings(MaintainSettings)
    configure_logging(SERVICE, settings.log_level)
    try:
        results = run(settings)
    except Exception as error:
        reason = f"{type(error).__name__}: {error}"
        log.error("cataloger.maintain_failed", reason=reason)
        print(f"cataloger maintain: {reason}", file=sys.stderr)
        sys.exit(EXIT_FAILED)
    failed = [r.table for r in results if r.failure]
    if failed:
        print(f"cataloger maintain: failed on {', '.join(failed)}", file=sys.stderr)
        sys.exit(EXIT_FAILED)
