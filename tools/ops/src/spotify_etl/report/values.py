"""Query values as JSON values, the same from both engines (pure).

DuckDB returns Python values (``date``, ``datetime``, ``Decimal``, floats);
Athena returns every value as text (``'2024-01-01'``, ``'2024-01-01 10:00:00.000
Europe/Paris'``, ``'868.11'``, ``'1.2E7'``). Both become ints, floats, strings,
ISO dates (``YYYY-MM-DD``) and local times (``YYYY-MM-DDTHH:MM:SS``, in the
report's zone), or None.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from spotify_etl.report.datasets import Column, Kind

JsonValue = int | float | str | None


def to_json_value(value: Any, kind: Kind, zone: ZoneInfo) -> JsonValue:
    """One value as the page stores it; ``ValueError`` naming a value that is not ``kind``."""
    if value is None:
        return None
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    if kind == "text":
        return str(value)
    if kind == "date":
        return _date(value).isoformat()
    moment = _datetime(value)
    if kind == "utc_time":
        moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone)
    return moment.replace(tzinfo=None, microsecond=0).isoformat()


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _datetime(value: Any) -> datetime:
    """A datetime from DuckDB, or from Athena's text (``'2024-01-01 10:00:00.000 Zone'``)."""
    if isinstance(value, datetime):
        return value
    day, _, rest = str(value).strip().partition(" ")
    clock, _, zone_name = rest.partition(" ")
    moment = datetime.fromisoformat(f"{day}T{clock}" if clock else day)
    if zone_name and moment.tzinfo is None:  # Athena names a zoned time's zone after it
        moment = moment.replace(tzinfo=ZoneInfo(zone_name))
    return moment


def rows_as_records(
    columns: Sequence[Column],
    names: Sequence[str],
    rows: Sequence[Sequence[Any]],
    zone: ZoneInfo,
) -> list[dict[str, JsonValue]]:
    """The rows as ``{column: value}`` records, checked against the declared columns (an
    answer with neither rows nor columns, as moto's Athena gives, is empty)."""
    if not rows and not names:
        return []
    expected = [c.name for c in columns]
    if list(names) != expected:
        raise ValueError(f"expected columns {expected}, the query returned {list(names)}")
    return [
        {c.name: to_json_value(v, c.kind, zone) for c, v in zip(columns, row, strict=True)}
        for row in rows
    ]
