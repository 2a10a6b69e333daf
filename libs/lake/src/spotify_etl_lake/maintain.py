"""Maintenance of the lake's tables: compact, expire, delete orphans, record when.

For each table, in this order: rewrite the partitions holding more than one
small file (:mod:`~spotify_etl_lake.compaction`), expire the snapshots older
than the retention (:mod:`~spotify_etl_lake.expiry`), record the time in the
table property :data:`LAST_MAINTENANCE_PROPERTY`, then delete the files no
snapshot references any more once they are older than the safety margin
(:mod:`~spotify_etl_lake.orphans`). Each step commits on the table as it is
then, so it runs beside a cataloger that keeps committing: a lost race is
retried on the new state. A dry run reads and plans, and changes nothing.

``spotify-etl maintain`` (local stack) and ``cataloger maintain`` (AWS, a
scheduled ECS task) both call :func:`maintain_lake`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final, TypeVar

from pyiceberg.exceptions import (
    CommitFailedException,
    NoSuchIcebergTableError,
    NoSuchPropertyException,
    NoSuchTableError,
)

from spotify_etl_lake.compaction import (
    DEFAULT_TARGET_BYTES,
    MAX_CONFLICTS,
    compact,
    data_files,
    plan_compaction,
)
from spotify_etl_lake.expiry import (
    DEFAULT_KEEP_LAST,
    DEFAULT_RETENTION,
    expire,
    protected_snapshots,
    snapshot_infos,
    snapshots_to_expire,
)
from spotify_etl_lake.orphans import DEFAULT_ORPHAN_AGE, find_orphans, referenced_files

if TYPE_CHECKING:
    from pyiceberg.catalog import Catalog
    from pyiceberg.table import Table

    from spotify_etl_lake.catalog import Lake
    from spotify_etl_lake.storage import Store

LAST_MAINTENANCE_PROPERTY: Final = "spotify-etl.last-maintenance"
"""Table property holding the ISO 8601 UTC time maintenance last finished on the table."""

T = TypeVar("T")
Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class MaintenanceOptions:
    """What maintenance keeps and how old a file must be to go."""

    target_bytes: int = DEFAULT_TARGET_BYTES
    retention: timedelta = DEFAULT_RETENTION
    keep_last: int = DEFAULT_KEEP_LAST
    orphan_age: timedelta = DEFAULT_ORPHAN_AGE
    dry_run: bool = False


@dataclass(frozen=True, slots=True)
class TableMaintenance:
    """What maintenance did (or, in a dry run, would do) to one table."""

    table: str
    files_before: int = 0
    files_after: int = 0
    bytes_before: int = 0
    bytes_after: int = 0
    partitions_rewritten: int = 0
    snapshots_expired: int = 0
    orphans_deleted: int = 0
    orphan_bytes: int = 0
    conflicts: int = 0
    dry_run: bool = False
    skipped: str | None = None
    """Why the table was left alone (absent, or not an Iceberg table)."""
    failure: str | None = None
    """Why maintenance failed on the table (the next run resumes; the other tables go on)."""

    def line(self) -> str:
        """One line for people: ``tracks: 19 -> 1 files (245.1 KB -> 180.3 KB), ...``."""
        if self.failure:
            return f"{self.table}: failed, {self.failure}"
        if self.skipped:
            return f"{self.table}: skipped, {self.skipped}"
        would = "would be " if self.dry_run else ""
        estimate = " (estimate)" if self.dry_run else ""
        files = f"{self.files_before} -> {self.files_after} files{estimate}"
        sizes = f"{human_bytes(self.bytes_before)} -> {human_bytes(self.bytes_after)}"
        parts = [
            f"{files} ({sizes})",
            f"{self.partitions_rewritten} partition(s) {would}rewritten",
            f"{self.snapshots_expired} snapshot(s) {would}expired",
            f"{self.orphans_deleted} orphan file(s) {would}deleted "
            f"({human_bytes(self.orphan_bytes)})",
        ]
        if self.conflicts:
            parts.append(f"{self.conflicts} commit conflict(s) retried")
        return f"{self.table}: " + ", ".join(parts)


def human_bytes(size: int) -> str:
    """``123 B``, ``4.5 KB``, ``6.7 MB``, ``1.2 GB`` (powers of 1024)."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def _retrying(action: Callable[[], T], attempts: int = MAX_CONFLICTS) -> T:
    """Run ``action`` (which loads the table itself) again after a lost commit race."""
    for _ in range(attempts - 1):
        try:
            return action()
        except CommitFailedException:
            continue
    return action()


def record_maintenance(load: Callable[[], Table], at: datetime) -> None:
    """Set :data:`LAST_MAINTENANCE_PROPERTY` to ``at`` (retried on a lost race)."""

    def commit() -> None:
        with load().transaction() as tx:
            tx.set_properties({LAST_MAINTENANCE_PROPERTY: at.isoformat()})

    _retrying(commit)


def maintain_table(
    catalog: Catalog,
    identifier: tuple[str, str],
    store: Store,
    options: MaintenanceOptions,
    now: Clock,
) -> TableMaintenance:
    """Maintain one table (see the module docstring); what it did."""
    name = identifier[1]

    def load() -> Table:
        return catalog.load_table(identifier)

    try:
        table = load()
    except NoSuchTableError:
        return TableMaintenance(name, skipped="no such table")
    except (NoSuchIcebergTableError, NoSuchPropertyException):
        return TableMaintenance(
            name, skipped="not an Iceberg table: run `spotify-etl migrate-tables` first"
        )
    before = data_files(table)
    if options.dry_run:
        return _dry_run(name, table, store, options, now())
    compaction = compact(load, options.target_bytes)

    def expire_now() -> int:
        current = load()
        ids = snapshots_to_expire(
            snapshot_infos(current),
            protected_snapshots(current),
            now(),
            options.retention,
            options.keep_last,
        )
        expire(current, ids)
        return len(ids)

    expired = _retrying(expire_now)
    record_maintenance(load, now())
    table = load()
    after = data_files(table)
    referenced = referenced_files(table)
    orphans = find_orphans(store.files(table.location()), referenced, now(), options.orphan_age)
    store.delete([o.uri for o in orphans])
    return TableMaintenance(
        name,
        files_before=len(before),
        files_after=len(after),
        bytes_before=sum(f.size for f in before),
        bytes_after=sum(f.size for f in after),
        partitions_rewritten=compaction.partitions,
        snapshots_expired=expired,
        orphans_deleted=len(orphans),
        orphan_bytes=sum(o.size for o in orphans),
        conflicts=compaction.conflicts,
    )


def _dry_run(
    name: str, table: Table, store: Store, options: MaintenanceOptions, at: datetime
) -> TableMaintenance:
    """The plan against the table as it is: nothing is written."""
    files = data_files(table)
    plan = plan_compaction(files, options.target_bytes)
    rewritten = sum(len(p.files) for p in plan)
    expiring = snapshots_to_expire(
        snapshot_infos(table), protected_snapshots(table), at, options.retention, options.keep_last
    )
    orphans = find_orphans(
        store.files(table.location()), referenced_files(table), at, options.orphan_age
    )
    size = sum(f.size for f in files)
    return TableMaintenance(
        name,
        files_before=len(files),
        files_after=len(files) - rewritten + len(plan),
        bytes_before=size,
        bytes_after=size,
        partitions_rewritten=len(plan),
        snapshots_expired=len(expiring),
        orphans_deleted=len(orphans),
        orphan_bytes=sum(o.size for o in orphans),
        dry_run=True,
    )


def maintain_lake(
    catalog: Catalog,
    lake: Lake,
    tables: Iterable[str],
    store: Store,
    options: MaintenanceOptions,
    now: Clock,
    report: Callable[[TableMaintenance], None] = lambda _: None,
) -> list[TableMaintenance]:
    """Maintain each of ``tables`` in turn; ``report`` hears of each as it finishes.

    A table that fails (AWS, a commit race lost too often) is reported as failed and
    the others go on: every step is incremental, so the next run resumes.
    """
    done = []
    for name in tables:
        try:
            result = maintain_table(catalog, lake.identifier(name), store, options, now)
        except Exception as error:
            result = TableMaintenance(name, failure=f"{type(error).__name__}: {error}")
        report(result)
        done.append(result)
    return done
