"""Rows as they may be stored: only the kept fields, canonical, so equal plays give equal bytes.

Scrubbing is an allow list (:data:`spotify_etl_common.streaming_history.KEPT_FIELDS`):
IP addresses, user agents, the user name, and any field Spotify adds later are
dropped before a row leaves this module. Null fields are dropped too, so a file
that writes ``"audiobook_title": null`` and an older one without the field give
the same row. The canonical form is compact JSON with sorted keys.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from spotify_etl_common.streaming_history import KEPT_FIELDS, TIME_FIELD, HistoryKind


def scrub(row: Mapping[str, Any], kind: HistoryKind) -> dict[str, Any]:
    """``row`` with only the kept, non-null fields of its format."""
    return {name: row[name] for name in KEPT_FIELDS[kind] if row.get(name) is not None}


def canonical(row: Mapping[str, Any]) -> str:
    """The one JSON text of a scrubbed row (sorted keys, no spaces, no newlines)."""
    return json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def ended_at(row: Mapping[str, Any], kind: HistoryKind) -> str | None:
    """The row's end-of-playback text (``ts`` or ``endTime``), if it is a readable time."""
    value = row.get(TIME_FIELD[kind])
    if not isinstance(value, str) or parse_time(value) is None:
        return None
    return value


def parse_time(text: str) -> datetime | None:
    """``2024-01-15T14:30:12Z`` or ``2024-01-15 14:30`` (UTC) as an aware time; else None."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
