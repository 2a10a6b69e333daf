"""Rewriting a table's small files into files of a target size, one partition at a time.

pyiceberg has no data-file compaction, so this is ours: plan (pure) which
partitions hold more than one file below the target, then for each, scan the
partition and ``overwrite`` it with the partition's row filter in one
transaction (the old files leave and the new ones arrive in one snapshot
commit: a reader sees either). A partition already compact is not rewritten, the
current one included. A commit that loses a race (the cataloger committed in
between: pyiceberg's requirement on the branch's snapshot fails, or Glue's
``VersionId`` check on AWS; pyiceberg then retries on the new metadata and
refuses an overwrite whose filter matches files added meanwhile) reloads the
table and plans again on the new state;
a partition rewritten once in a run is not planned again in that run, so a run
always ends.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import groupby
from typing import TYPE_CHECKING, Any, Final, Literal, cast

from pyiceberg.exceptions import CommitFailedException, ValidationException
from pyiceberg.expressions import (
    AlwaysTrue,
    And,
    BooleanExpression,
    EqualTo,
    GreaterThanOrEqual,
    IsNull,
    LessThan,
)
from pyiceberg.manifest import ManifestContent
from pyiceberg.transforms import DayTransform, IdentityTransform, MonthTransform, YearTransform
from pyiceberg.types import DateType

if TYPE_CHECKING:
    from pyiceberg.partitioning import PartitionSpec
    from pyiceberg.schema import Schema
    from pyiceberg.table import Table

DEFAULT_TARGET_BYTES: Final = 128 * 1024 * 1024
"""128 MiB: the file size AWS advises for Athena; one user's partition fits in one such file."""
WRITE_TARGET_PROPERTY: Final = "write.target-file-size-bytes"
"""The table property pyiceberg's writer bin-packs by (in Arrow bytes, not on-disk bytes)."""
OPERATION_PROPERTY: Final = "spotify-etl.operation"
"""Snapshot summary property naming who made a snapshot (``compaction`` here)."""
MAX_CONFLICTS: Final = 10
"""Lost commit races tolerated in one table's compaction before giving up (the next run resumes)."""

Transform = Literal["identity", "year", "month", "day"]
PartitionKey = tuple[int, tuple[object, ...]]
"""A partition: the spec id and its values, in spec order."""


@dataclass(frozen=True, slots=True)
class DataFileInfo:
    """What planning needs of one data file of the current snapshot."""

    path: str
    size: int
    records: int
    spec_id: int
    partition: tuple[object, ...]

    @property
    def key(self) -> PartitionKey:
        return (self.spec_id, self.partition)


@dataclass(frozen=True, slots=True)
class PartitionRewrite:
    """One partition to rewrite: every file in it (the overwrite replaces them all)."""

    spec_id: int
    partition: tuple[object, ...]
    files: tuple[DataFileInfo, ...]

    @property
    def key(self) -> PartitionKey:
        return (self.spec_id, self.partition)

    @property
    def bytes(self) -> int:
        return sum(f.size for f in self.files)


@dataclass(frozen=True, slots=True)
class PartitionColumn:
    """A partition field as a row filter sees it: the source column and its transform."""

    column: str
    transform: Transform
    is_date: bool
    """The source column is a ``date`` (else a timestamp, or any type under ``identity``)."""


def plan_compaction(
    files: Iterable[DataFileInfo], target_bytes: int, skip: Collection[PartitionKey] = ()
) -> tuple[PartitionRewrite, ...]:
    """The partitions holding more than one file below ``target_bytes``, oldest first (pure).

    ``skip``: partitions already rewritten in this run (never planned twice).
    """
    if target_bytes < 1:
        raise ValueError(f"target size must be at least 1 byte, got {target_bytes}")
    ordered = sorted(files, key=lambda f: (f.spec_id, _sortable(f.partition), f.path))
    plan = []
    for key, group in groupby(ordered, key=lambda f: f.key):
        members = tuple(group)
        small = [f for f in members if f.size < target_bytes]
        if len(small) > 1 and key not in skip:
            plan.append(PartitionRewrite(key[0], key[1], members))
    return tuple(plan)


def _sortable(values: tuple[object, ...]) -> tuple[tuple[bool, str], ...]:
    """Partition values ordered with nulls first, then by value (months and days as numbers)."""
    return tuple((v is not None, f"{v:020d}" if isinstance(v, int) else str(v)) for v in values)


_EPOCH: Final = date(1970, 1, 1)

# pyiceberg's predicates take (term, literal) positionally; the pydantic plugin of mypy
# sees only their model fields, so they are typed here once.
_Predicate = Callable[[str, Any], BooleanExpression]
_EQUAL = cast(_Predicate, EqualTo)
_AT_LEAST = cast(_Predicate, GreaterThanOrEqual)
_BELOW = cast(_Predicate, LessThan)
_IS_NULL = cast(Callable[[str], BooleanExpression], IsNull)


def _month_start(months: int) -> date:
    year, month = divmod(months, 12)
    return date(1970 + year, month + 1, 1)


def _bounds(transform: Transform, value: object) -> tuple[date, date]:
    """The first day of a partition and of the next, for year, month and day transforms."""
    if isinstance(value, date):
        value = (value - _EPOCH).days
    if not isinstance(value, int):
        raise ValueError(f"a {transform} partition value must be an integer, got {value!r}")
    if transform == "year":
        return date(1970 + value, 1, 1), date(1971 + value, 1, 1)
    if transform == "month":
        return _month_start(value), _month_start(value + 1)
    start = _EPOCH + timedelta(days=value)
    return start, start + timedelta(days=1)


def _literal(day: date, is_date: bool) -> str:
    if is_date:
        return day.isoformat()
    return datetime(day.year, day.month, day.day, tzinfo=UTC).isoformat()


def partition_filter(
    columns: Sequence[PartitionColumn], values: Sequence[object]
) -> BooleanExpression:
    """The row filter that selects exactly one partition's rows (pure)."""
    if len(columns) != len(values):
        raise ValueError(f"{len(values)} partition values for {len(columns)} partition fields")
    terms: list[BooleanExpression] = []
    for field, value in zip(columns, values, strict=True):
        if value is None:
            terms.append(_IS_NULL(field.column))
        elif field.transform == "identity":
            terms.append(_EQUAL(field.column, value))
        else:
            start, end = _bounds(field.transform, value)
            terms.append(_AT_LEAST(field.column, _literal(start, field.is_date)))
            terms.append(_BELOW(field.column, _literal(end, field.is_date)))
    if not terms:
        return AlwaysTrue()
    return terms[0] if len(terms) == 1 else And(*terms)


_TRANSFORM_NAMES: Final[tuple[tuple[type[object], Transform], ...]] = (
    (IdentityTransform, "identity"),
    (YearTransform, "year"),
    (MonthTransform, "month"),
    (DayTransform, "day"),
)


def partition_columns(spec: PartitionSpec, schema: Schema) -> tuple[PartitionColumn, ...]:
    """The spec's fields as :class:`PartitionColumn`; ValueError for a transform we cannot
    turn into a row filter (bucket, truncate)."""
    columns = []
    for field in spec.fields:
        name = next((n for t, n in _TRANSFORM_NAMES if isinstance(field.transform, t)), None)
        if name is None:
            raise ValueError(
                f"cannot compact partitions by {field.transform} ({field.name}): "
                "only identity, year, month and day partitions are supported"
            )
        source = schema.find_field(field.source_id)
        columns.append(PartitionColumn(source.name, name, isinstance(source.field_type, DateType)))
    return tuple(columns)


def data_files(table: Table) -> list[DataFileInfo]:
    """The data files of the table's current snapshot, read from its manifests.

    Not from scan planning: a scan skips files without rows, and the transformer
    writes one per table per raw object even when the object has no rows for it
    (their partition is null); compaction must see them to clear them.
    """
    snapshot = table.current_snapshot()
    if snapshot is None:
        return []
    found = []
    for manifest in snapshot.manifests(table.io):
        if manifest.content != ManifestContent.DATA:
            continue
        for entry in manifest.fetch_manifest_entry(table.io, discard_deleted=True):
            file = entry.data_file
            found.append(
                DataFileInfo(
                    path=file.file_path,
                    size=file.file_size_in_bytes,
                    records=file.record_count,
                    spec_id=manifest.partition_spec_id,
                    partition=tuple(file.partition[i] for i in range(len(file.partition))),
                )
            )
    return found


def rewrite_partition(table: Table, rewrite: PartitionRewrite, target_bytes: int) -> None:
    """Scan one partition and overwrite it with the same rows in files of about ``target_bytes``.

    pyiceberg's writer bin-packs by Arrow bytes; the target it is given is scaled by
    the partition's Arrow-to-Parquet ratio so the files land near ``target_bytes`` on
    disk, and the table's own property is restored in the same transaction.
    """
    columns = partition_columns(table.specs()[rewrite.spec_id], table.schema())
    row_filter = partition_filter(columns, rewrite.partition)
    rows = table.scan(row_filter=row_filter).to_arrow()
    ratio = rows.nbytes / max(rewrite.bytes, 1)
    writer_target = max(target_bytes, int(target_bytes * ratio))
    previous = table.properties.get(WRITE_TARGET_PROPERTY)
    with table.transaction() as tx:
        tx.set_properties({WRITE_TARGET_PROPERTY: str(writer_target)})
        tx.overwrite(
            rows,
            overwrite_filter=row_filter,
            snapshot_properties={OPERATION_PROPERTY: "compaction"},
        )
        if previous is None:
            tx.remove_properties(WRITE_TARGET_PROPERTY)
        else:
            tx.set_properties({WRITE_TARGET_PROPERTY: previous})


@dataclass(frozen=True, slots=True)
class CompactionResult:
    """What compacting one table did."""

    partitions: int
    """Partitions rewritten."""
    conflicts: int
    """Commits that lost a race and were planned again."""


def compact(
    load: Callable[[], Table], target_bytes: int, *, max_conflicts: int = MAX_CONFLICTS
) -> CompactionResult:
    """Rewrite every partition that needs it, one commit each, re-planning after a conflict.

    ``load`` returns the table as it is now (called before each partition).
    """
    done: set[PartitionKey] = set()
    conflicts = 0
    while True:
        table = load()
        plan = plan_compaction(data_files(table), target_bytes, skip=done)
        if not plan:
            return CompactionResult(len(done), conflicts)
        try:
            rewrite_partition(table, plan[0], target_bytes)
        except (CommitFailedException, ValidationException):
            # lost the race (pyiceberg retries a commit itself, and then refuses an overwrite
            # that would drop files added meanwhile): plan again on the table as it is now
            conflicts += 1
            if conflicts > max_conflicts:
                raise
            continue
        done.add(plan[0].key)
