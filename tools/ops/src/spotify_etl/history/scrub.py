"""Rows as they may be stored: only the kept fields, canonical, so equal plays give equal bytes.

Scrubbing is an allow list (:data:`spotify_etl_common.streaming_history.KEPT_FIELDS`):
IP addresses, user agents, the user name, and any field Spotify adds later are
dropped before a row leaves this module. Null fields are dropped too (except the
format's required ones, written null so that every row tells its format), so a
file that writes ``"audiobook_title": null`` and an older one without the field
give the same row. Every kept value is written in its type
(:func:`spotify_etl_common.streaming_history.field_type`): the end time as UTC
text in the format's own form (``2024-01-15T14:30:12Z``, ``2024-01-15 14:30``),
``0``/``1``/``"false"`` flags as booleans, integral numbers as integers; a value
that cannot be read in its type is left out (and counted), so that one odd row
never makes a whole raw object unreadable. The canonical form is compact JSON
with sorted keys.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from spotify_etl_common.streaming_history import (
    FREE_TEXT_FIELDS,
    KEPT_FIELDS,
    REQUIRED_FIELDS,
    TIME_FIELD,
    HistoryKind,
    field_type,
    without_addresses,
)

EARLIEST_YEAR = 1970
"""End times before this (a device clock at zero) are not readable times."""
_WRITTEN = {
    HistoryKind.EXTENDED: re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"),
    HistoryKind.ACCOUNT_MUSIC: re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d"),
    HistoryKind.ACCOUNT_PODCAST: re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d"),
}
_FLAGS = {"true": True, "1": True, "false": False, "0": False}


_FIELDS: Mapping[HistoryKind, tuple[tuple[str, str, bool], ...]] = {
    kind: tuple((n, field_type(n), n in REQUIRED_FIELDS[kind]) for n in names)
    for kind, names in KEPT_FIELDS.items()
}
"""Per format: each kept field, its type, and whether it is required (written when null)."""


def scrub(row: Mapping[str, Any], kind: HistoryKind) -> dict[str, Any]:
    """``row`` with only the kept fields of its format whose value reads in its type."""
    return scrub_counting(row, kind)[0]


def scrub_counting(row: Mapping[str, Any], kind: HistoryKind) -> tuple[dict[str, Any], int]:
    """:func:`scrub`, and how many kept fields had a value that could not be read."""
    kept: dict[str, Any] = {}
    unreadable = 0
    for name, kind_of_value, required in _FIELDS[kind]:
        value = row.get(name)
        if value is not None:
            value = _typed(value, name, kind_of_value, kind)
            unreadable += value is None
        if value is not None or required:
            kept[name] = value
    return kept, unreadable


def _typed(value: Any, name: str, kind_of_value: str, kind: HistoryKind) -> Any:
    if kind_of_value == "text":
        if type(value) is str:
            return without_addresses(value) if name in FREE_TEXT_FIELDS else value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        return None
    if kind_of_value == "integer":
        return value if type(value) is int else _integer(value)
    if kind_of_value == "flag":
        return value if type(value) is bool else _flag(value)
    if type(value) is str and _WRITTEN[kind].fullmatch(value):
        return value  # already as the format writes it (nearly every row)
    ended = parse_time(value) if isinstance(value, str) else None
    return None if ended is None else format_time(ended, kind)


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value == value and abs(value) < 2**63:
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _flag(value: Any) -> bool | None:
    """A flag written another way (``0``, ``"1"``, ``"false"``); a bool is taken by the caller."""
    if isinstance(value, int | str):
        return _FLAGS.get(str(value).strip().lower())
    return None


def canonical(row: Mapping[str, Any]) -> str:
    """The one JSON text of a scrubbed row (sorted keys, no spaces, no newlines)."""
    return json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def ended_at(row: Mapping[str, Any], kind: HistoryKind) -> datetime | None:
    """When the row's playback ended (``ts`` or ``endTime``, UTC), if it is a readable time."""
    value = row.get(TIME_FIELD[kind])
    ended = parse_time(value) if isinstance(value, str) else None
    return ended if ended is not None and ended.year >= EARLIEST_YEAR else None


def parse_time(text: str) -> datetime | None:
    """``2024-01-15T14:30:12Z``, ``2024-01-15 14:30`` (UTC) or another ISO 8601 time (an offset
    converted, none meaning UTC) as an aware UTC time; else None."""
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def format_time(ended: datetime, kind: HistoryKind) -> str:
    """``ended`` (UTC) as the format writes it: the form the transformer reads back."""
    if kind is HistoryKind.EXTENDED:
        fraction = f".{ended.microsecond:06d}" if ended.microsecond else ""
        return ended.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"
    if ended.second or ended.microsecond:
        return ended.strftime("%Y-%m-%d %H:%M:%S")
    return ended.strftime("%Y-%m-%d %H:%M")
