"""Which partitions compaction rewrites, and the row filter that selects one partition."""

from __future__ import annotations

import pytest
from pyiceberg.expressions import (
    And,
    EqualTo,
    GreaterThanOrEqual,
    IsNull,
    LessThan,
)
from spotify_etl_lake.compaction import (
    DataFileInfo,
    PartitionColumn,
    partition_filter,
    plan_compaction,
)

MB = 1024 * 1024
TARGET = 128 * MB
DEC_2026 = (2026 - 1970) * 12 + 11  # months since 1970-01 of December 2026


def file(path: str, size: int, month: int | None = DEC_2026, spec: int = 0) -> DataFileInfo:
    return DataFileInfo(path, size, records=1, spec_id=spec, partition=(month,))


def test_a_partition_with_two_small_files_is_rewritten_with_all_its_files() -> None:
    files = [file("a", 1 * MB), file("b", 2 * MB), file("big", 200 * MB)]
    [rewrite] = plan_compaction(files, TARGET)
    assert rewrite.partition == (DEC_2026,)
    assert {f.path for f in rewrite.files} == {"a", "b", "big"}


def test_a_compact_partition_is_left_alone() -> None:
    one_small = [file("a", 1 * MB), file("big", 200 * MB), file("big2", 130 * MB)]
    assert plan_compaction(one_small, TARGET) == ()
    assert plan_compaction([], TARGET) == ()


def test_every_partition_that_needs_it_is_planned_oldest_first_the_current_one_included() -> None:
    files = [
        file("now-1", MB, DEC_2026),
        file("now-2", MB, DEC_2026),
        file("old-1", MB, DEC_2026 - 12),
        file("old-2", MB, DEC_2026 - 12),
        file("null-1", MB, None),
        file("null-2", MB, None),
        file("alone", MB, DEC_2026 - 1),
    ]
    plan = plan_compaction(files, TARGET)
    assert [r.partition for r in plan] == [(None,), (DEC_2026 - 12,), (DEC_2026,)]


def test_partitions_of_different_specs_are_apart_and_skipped_ones_are_not_planned() -> None:
    files = [file("a", MB, spec=0), file("b", MB, spec=1), file("c", MB), file("d", MB, spec=1)]
    assert [r.key for r in plan_compaction(files, TARGET)] == [
        (0, (DEC_2026,)),
        (1, (DEC_2026,)),
    ]
    assert [r.key for r in plan_compaction(files, TARGET, skip={(0, (DEC_2026,))})] == [
        (1, (DEC_2026,))
    ]


def test_a_target_below_one_byte_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1 byte"):
        plan_compaction([], 0)


EXTRACTED = PartitionColumn("extracted_at", "month", is_date=False)


def test_a_month_partition_selects_its_month_of_timestamps() -> None:
    assert partition_filter([EXTRACTED], [DEC_2026]) == And(
        GreaterThanOrEqual("extracted_at", "2026-12-01T00:00:00+00:00"),
        LessThan("extracted_at", "2027-01-01T00:00:00+00:00"),
    )


def test_year_day_identity_and_null_partitions() -> None:
    day = PartitionColumn("released", "day", is_date=True)
    year = PartitionColumn("released", "year", is_date=True)
    kind = PartitionColumn("item_type", "identity", is_date=False)
    assert partition_filter([day], [20_423]) == And(
        GreaterThanOrEqual("released", "2025-12-01"), LessThan("released", "2025-12-02")
    )
    assert partition_filter([year], [56]) == And(
        GreaterThanOrEqual("released", "2026-01-01"), LessThan("released", "2027-01-01")
    )
    assert partition_filter([kind], ["track"]) == EqualTo("item_type", "track")
    assert partition_filter([EXTRACTED], [None]) == IsNull("extracted_at")


def test_values_must_match_the_fields() -> None:
    with pytest.raises(ValueError, match="1 partition values for 2"):
        partition_filter([EXTRACTED, EXTRACTED], [DEC_2026])
