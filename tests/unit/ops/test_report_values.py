"""Query values as the page stores them: Athena's text and DuckDB's values read the same."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from spotify_etl.report.datasets import Column
from spotify_etl.report.values import rows_as_records

PARIS = ZoneInfo("Europe/Paris")
COLUMNS = (
    Column("month", "date"),
    Column("plays", "int"),
    Column("minutes", "float"),
    Column("started", "local_time"),
    Column("taken_at", "utc_time"),
    Column("name", "text"),
)
NAMES = [c.name for c in COLUMNS]


def test_athena_text_and_duckdb_values_give_the_same_records() -> None:
    athena = (
        "2024-01-01",
        "1234",
        "1.2345678E7",
        "2024-01-01 00:30:05.700 Europe/Paris",
        "2026-12-04 12:29:00.979",
        "Björk",
    )
    duckdb = (
        date(2024, 1, 1),
        1234,
        12_345_678.0,
        datetime(2024, 1, 1, 0, 30, 5, 700_000),
        datetime(2026, 12, 4, 12, 29, 0, 979_934, tzinfo=UTC),
        "Björk",
    )
    expected = {
        "month": "2024-01-01",
        "plays": 1234,
        "minutes": 12_345_678.0,
        "started": "2024-01-01T00:30:05",
        "taken_at": "2026-12-04T13:29:00",  # a UTC time, shown in the report's zone
        "name": "Björk",
    }
    assert rows_as_records(COLUMNS, NAMES, [athena], PARIS) == [expected]
    assert rows_as_records(COLUMNS, NAMES, [duckdb], PARIS) == [expected]


def test_nulls_stay_null_and_decimals_become_floats() -> None:
    row = (None, None, Decimal("2.5"), None, None, None)
    assert rows_as_records(COLUMNS, NAMES, [row], PARIS)[0] == dict.fromkeys(NAMES) | {
        "minutes": 2.5
    }


def test_columns_other_than_declared_are_refused() -> None:
    with pytest.raises(ValueError, match="expected columns"):
        rows_as_records(COLUMNS, [*NAMES[:-1], "other"], [], PARIS)
