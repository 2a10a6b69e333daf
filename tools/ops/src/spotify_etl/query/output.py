"""Query results as text: an aligned table, CSV or JSON lines (pure)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from spotify_etl.text_width import display_width, pad

FORMATS = ("table", "csv", "json")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def as_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Columns padded to their widest value, a rule under the header, a row count.

    Widths are display widths: a CJK character or an emoji takes two columns,
    a combining accent none, so the rules line up on a terminal.
    """
    cells = [[_text(v) for v in row] for row in rows]
    widths = [display_width(c) for c in columns]
    for row in cells:
        widths = [max(w, display_width(v)) for w, v in zip(widths, row, strict=True)]
    lines = [
        " | ".join(pad(c, w) for c, w in zip(columns, widths, strict=True)).rstrip(),
        "-+-".join("-" * w for w in widths),
    ]
    lines += [
        " | ".join(pad(v, w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


def as_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """RFC 4180 CSV with a header row; NULL is an empty field."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([_text(v) for v in row] for row in rows)
    return buffer.getvalue().rstrip("\n")


def as_json(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """One JSON object per row (JSON lines); dates and times in ISO 8601."""
    return "\n".join(
        json.dumps(
            {c: _json_value(v) for c, v in zip(columns, row, strict=True)}, ensure_ascii=False
        )
        for row in rows
    )


def render(fmt: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Render in ``fmt`` (one of :data:`FORMATS`)."""
    renderers = {"table": as_table, "csv": as_csv, "json": as_json}
    if fmt not in renderers:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    return renderers[fmt](columns, rows)
