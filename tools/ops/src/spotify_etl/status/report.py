"""Pure core of ``status``: the report model, the lag, and its text rendering (rich tables).

The lag is how far the curated tables trail the newest extraction: the newest
raw object's LastModified minus the newest commit to a table (the newest curated
file's LastModified for a table not yet Iceberg), never negative (0 when the
pipeline has caught up); None until both exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict
from spotify_etl_common.gone import GoneEntry

from spotify_etl.status.users import UserStatus, render_users


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class QueueStatus(_Model):
    """Depth of one work queue and of its dead-letter queue."""

    name: str
    visible: int
    in_flight: int
    delayed: int
    dlq_name: str | None
    dlq_visible: int


class SourceStatus(_Model):
    """Raw objects of one source."""

    objects: int
    last_extracted_at: datetime | None


class TableStatus(_Model):
    """One curated table: its Iceberg figures, and its Parquet objects as S3 lists them."""

    format: Literal["iceberg", "hive", "absent"]
    """What Glue holds: an Iceberg table, a Hive table to migrate, or nothing yet."""
    snapshots: int | None = None
    data_files: int | None = None
    """Data files of the current snapshot (Iceberg)."""
    data_bytes: int | None = None
    average_file_bytes: int | None = None
    last_commit_at: datetime | None = None
    last_maintenance: datetime | None = None
    """When ``maintain`` last finished on the table (its table property)."""
    files: int
    """Parquet objects under the table's prefix (committed or not)."""
    newest_file_at: datetime | None

    @property
    def curated_at(self) -> datetime | None:
        """When the table last changed: its last commit, else (not Iceberg) its newest file."""
        return self.last_commit_at if self.format == "iceberg" else self.newest_file_at


class StatusReport(_Model):
    """Everything ``spotify-etl status`` shows."""

    generated_at: datetime
    queues: dict[str, QueueStatus]
    sources: dict[str, SourceStatus]
    tables: dict[str, TableStatus]
    lag_seconds: float | None
    gone: list[GoneEntry] = []
    """Albums, artists, episodes and shows the extractor recorded as gone (404, not fetched)."""
    users: list[UserStatus] = []
    """The household's users, from the extractor's per-user run summaries."""


def newest(values: Iterable[datetime | None]) -> datetime | None:
    """The latest of the given times, ignoring None."""
    present = [v for v in values if v is not None]
    return max(present) if present else None


def lag_seconds(
    sources: Mapping[str, SourceStatus], tables: Mapping[str, TableStatus]
) -> float | None:
    """Seconds the curated tables trail the newest extraction (see the module docstring)."""
    extracted = newest(s.last_extracted_at for s in sources.values())
    curated = newest(t.curated_at for t in tables.values())
    if extracted is None or curated is None:
        return None
    return max(0.0, (extracted - curated).total_seconds())


def _time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S %Z").strip() if value else "-"


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    """Columns two spaces apart, each as wide as its widest value (rich, plain text)."""
    from rich.table import Table

    from spotify_etl.terminal import cells, plain_text

    table = Table(box=None, pad_edge=False, padding=(0, 1))
    for header in headers:
        table.add_column(header, no_wrap=True, overflow="ignore")
    for row in rows:
        table.add_row(*cells(row))
    return plain_text(table).splitlines()


def format_lag(seconds: float | None) -> str:
    """``1h 02m 03s``, ``45s``, or ``-`` when unknown."""
    if seconds is None:
        return "-"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m {secs:02d}s"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def format_bytes(size: int | None) -> str:
    """``123 B``, ``4.5 KB``, ``6.7 MB``, ``1.2 GB``, or ``-``."""
    if size is None:
        return "-"
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def _count(value: int | None) -> str:
    return "-" if value is None else str(value)


def _table_row(name: str, t: TableStatus) -> list[str]:
    if t.format != "iceberg":
        kind = "hive (run migrate-tables)" if t.format == "hive" else "absent"
        return [name, kind, "-", f"({t.files} in S3)", "-", _time(t.newest_file_at), "-"]
    return [
        name,
        t.format,
        _count(t.snapshots),
        _count(t.data_files),
        format_bytes(t.average_file_bytes),
        _time(t.last_commit_at),
        _time(t.last_maintenance),
    ]


def render(report: StatusReport) -> str:
    """The report as aligned text tables."""
    queues = _table(
        ["QUEUE", "NAME", "VISIBLE", "IN FLIGHT", "DELAYED", "DLQ", "DLQ VISIBLE"],
        [
            [
                key,
                q.name,
                str(q.visible),
                str(q.in_flight),
                str(q.delayed),
                q.dlq_name or "(none)",
                str(q.dlq_visible),
            ]
            for key, q in report.queues.items()
        ],
    )
    sources = _table(
        ["SOURCE", "OBJECTS", "LAST EXTRACTED"],
        [[k, str(s.objects), _time(s.last_extracted_at)] for k, s in report.sources.items()],
    )
    tables = _table(
        ["TABLE", "FORMAT", "SNAPSHOTS", "DATA FILES", "AVG FILE", "LAST COMMIT", "MAINTAINED"],
        [_table_row(name, t) for name, t in report.tables.items()],
    )
    return "\n".join(
        [
            *queues,
            "",
            *sources,
            "",
            *tables,
            "",
            *render_users(report.users, _table),
            *render_gone(report.gone),
            f"lag from extraction to curated: {format_lag(report.lag_seconds)}",
        ]
    )


def render_gone(gone: list[GoneEntry]) -> list[str]:
    """The entities recorded as gone (a table and a blank line), or nothing."""
    if not gone:
        return []
    rows = [
        [
            f"{e.source}:{e.entity_id}",
            str(e.status),
            _time(e.first_seen),
            _time(e.last_seen),
            str(e.runs),
            e.message,
        ]
        for e in gone
    ]
    return [
        "gone (answered 404 run after run, no longer fetched; `extractor gone --clear` retries):",
        *_table(["ENTITY", "STATUS", "FIRST SEEN", "LAST SEEN", "RUNS", "MESSAGE"], rows),
        "",
    ]
