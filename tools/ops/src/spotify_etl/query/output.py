"""Query results as text: an aligned table, CSV or JSON lines (pure; rich lays out the table,
imported only when one is drawn: the parser imports :data:`FORMATS` from here)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

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


PSQL_BOX = "".join(
    f"{line}\n" for line in ("    ", "  | ", " -+ ", "  | ", " -+ ", " -+ ", "  | ", "    ")
)
"""rich box of psql's layout (edges, header, rule, row, row rule, foot rule, foot, bottom; each
left, line, divider, right): ``|`` between columns, ``-+-`` under the header, no edges."""


def as_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Columns padded to their widest value, a rule under the header, a row count (rich,
    as :func:`spotify_etl.terminal.plain_text` renders: aligned by display width)."""
    from rich.box import Box
    from rich.table import Table

    from spotify_etl.terminal import cells, plain_text

    table = Table(box=Box(PSQL_BOX), show_edge=False, pad_edge=False, padding=(0, 1))
    for column in columns:
        table.add_column(column, no_wrap=True, overflow="ignore")
    for row in rows:
        table.add_row(*cells(_text(v) for v in row))
    count = f"({len(rows)} row{'s' if len(rows) != 1 else ''})"
    return f"{plain_text(table)}\n{count}"


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
