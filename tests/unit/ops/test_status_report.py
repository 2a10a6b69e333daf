"""Status report: lag, JSON fields, text rendering."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from spotify_etl.status.report import (
    QueueStatus,
    SourceStatus,
    StatusReport,
    TableStatus,
    format_bytes,
    format_lag,
    lag_seconds,
    render,
)
from spotify_etl.status.users import SummaryDocument, summary_user, user_status
from spotify_etl_common.gone import GoneEntry
from spotify_etl_common.sources import Source

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


def table(at: datetime | None) -> TableStatus:
    """A Hive (not yet migrated) table whose newest file is ``at``."""
    return TableStatus(format="hive", files=1 if at else 0, newest_file_at=at)


def iceberg(committed: datetime | None, newest_file: datetime | None = None) -> TableStatus:
    return TableStatus(
        format="iceberg",
        snapshots=3,
        data_files=2,
        data_bytes=3 * 1024 * 1024,
        average_file_bytes=3 * 512 * 1024,
        last_commit_at=committed,
        last_maintenance=T0 - timedelta(days=1),
        files=7,
        newest_file_at=newest_file,
    )


def report() -> StatusReport:
    sources = {
        "playlist_items": SourceStatus(objects=12, last_extracted_at=T0 + timedelta(seconds=90)),
        "albums": SourceStatus(objects=0, last_extracted_at=None),
    }
    tables = {"tracks": table(T0), "plays": table(None), "albums": iceberg(T0 - timedelta(hours=1))}
    return StatusReport(
        generated_at=T0,
        queues={
            "transform": QueueStatus(
                name="q-transform",
                visible=3,
                in_flight=2,
                delayed=0,
                dlq_name="q-transform-dlq",
                dlq_visible=1,
            )
        },
        sources=sources,
        tables=tables,
        lag_seconds=lag_seconds(sources, tables),
    )


def test_lag_is_newest_extraction_minus_newest_curated_file() -> None:
    assert report().lag_seconds == 90.0


def test_an_iceberg_table_counts_from_its_last_commit_not_its_newest_file() -> None:
    sources = {"a": SourceStatus(objects=1, last_extracted_at=T0)}
    awaiting = iceberg(T0 - timedelta(minutes=5), newest_file=T0)  # a file not yet committed
    assert lag_seconds(sources, {"t": awaiting}) == 300.0


def test_lag_is_zero_when_curated_is_newer_and_none_without_data() -> None:
    sources = {"a": SourceStatus(objects=1, last_extracted_at=T0)}
    assert lag_seconds(sources, {"t": table(T0 + timedelta(hours=1))}) == 0.0
    assert lag_seconds(sources, {"t": table(None)}) is None
    assert lag_seconds({}, {"t": table(T0)}) is None


def test_json_has_integer_depth_fields_per_queue() -> None:
    payload = json.loads(report().model_dump_json())
    assert payload["queues"]["transform"] == {
        "name": "q-transform",
        "visible": 3,
        "in_flight": 2,
        "delayed": 0,
        "dlq_name": "q-transform-dlq",
        "dlq_visible": 1,
    }
    assert set(payload) == {
        "generated_at",
        "queues",
        "sources",
        "tables",
        "lag_seconds",
        "gone",
        "users",
    }
    assert payload["gone"] == []
    assert payload["lag_seconds"] == 90.0


def test_text_shows_each_queue_source_table_and_the_lag() -> None:
    lines = render(report()).splitlines()
    queue_row = next(line for line in lines if line.startswith("transform"))
    assert queue_row.split() == ["transform", "q-transform", "3", "2", "0", "q-transform-dlq", "1"]
    assert any(line.split()[:2] == ["playlist_items", "12"] for line in lines)
    assert any(
        line.split()[:5] == ["plays", "hive", "(run", "migrate-tables)", "-"] for line in lines
    )
    albums = [line for line in lines if line.startswith("albums")][-1]  # the table, not the source
    assert albums.split()[:6] == ["albums", "iceberg", "3", "2", "1.5", "MB"]
    assert albums.endswith("2026-11-23 01:00:00 UTC")  # the last maintenance
    assert lines[-1] == "lag from extraction to curated: 1m 30s"


def test_format_lag_and_bytes() -> None:
    assert [format_lag(s) for s in (None, 5, 61, 3725)] == ["-", "5s", "1m 01s", "1h 02m 05s"]
    assert [format_bytes(b) for b in (None, 512, 2048, 5 * 1024**2, 3 * 1024**3)] == [
        "-",
        "512 B",
        "2.0 KB",
        "5.0 MB",
        "3.0 GB",
    ]


def test_text_lists_the_entities_the_extractor_recorded_as_gone() -> None:
    assert "gone (" not in render(report())
    entry = GoneEntry(
        source=Source.ALBUMS,
        entity_id="4aawyAB9vmqN3uQ7FjRGTy",
        status=404,
        message="Non existing id",
        first_seen=T0,
        last_seen=T0 + timedelta(days=2),
        runs=3,
        gone=True,
    )
    lines = render(report().model_copy(update={"gone": [entry]})).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("gone ("))
    assert "extractor gone --clear" in lines[start]
    assert lines[start + 1].split()[:3] == ["ENTITY", "STATUS", "FIRST"]
    row = lines[start + 2]
    assert row.startswith("albums:4aawyAB9vmqN3uQ7FjRGTy  404")
    assert row.endswith("3     Non existing id")
    assert "2026-11-26 01:00:00 UTC" in row
    assert lines[-1] == "lag from extraction to curated: 1m 30s"


def test_the_household_shows_each_users_last_extraction_grant_days_and_failures() -> None:
    summaries = [
        SummaryDocument.model_validate(
            {
                "version": 1,
                "user_id": "sp-bob",
                "name": "bob",
                "last_run_id": "r2",
                "last_run_at": T0,
                "last_status": "failed",
                "last_extraction_at": T0 - timedelta(days=1),
                "grant_expires_at": T0 - timedelta(days=2),
                "grant_refused": True,
                "failures": ["recently_played: the grant was refused"],
                "failed_runs": 2,
            }
        ),
        SummaryDocument.model_validate(
            {
                "user_id": "sp-alice",
                "name": "alice",
                "last_run_at": T0,
                "last_status": "extracted",
                "last_extraction_at": T0,
                "grant_expires_at": T0 + timedelta(days=120, hours=12),
            }
        ),
    ]
    users = sorted((user_status(s, T0) for s in summaries), key=lambda u: u.name or "")
    assert [(u.name, u.grant_days_left) for u in users] == [("alice", 120.5), ("bob", -2.0)]
    text = render(report().model_copy(update={"users": users}))
    lines = text.splitlines()
    alice = next(line for line in lines if line.startswith("alice"))
    assert alice.split() == [
        "alice",
        "sp-alice",
        *["2026-11-24", "01:00:00", "UTC"],
        "extracted",
        "120.5",
        "0",
    ]
    bob = next(line for line in lines if line.startswith("bob"))
    assert "grant refused" in bob
    assert "-2" in bob.split()
    assert (
        "  bob: Spotify refused the grant; authorise again with: "
        "extractor auth --store --user bob" in lines
    )
    assert "  bob: recently_played: the grant was refused" in lines
    assert (
        json.loads(report().model_copy(update={"users": users}).model_dump_json())["users"][0][
            "grant_days_left"
        ]
        == 120.5
    )


def test_only_run_summaries_are_read_as_users() -> None:
    assert summary_user("state/extractor/users/al%2Fice/summary.json") == "al/ice"
    assert summary_user("state/extractor/users/alice/cursors.json") is None
    assert summary_user("state/extractor/users/alice/x/summary.json") is None
    assert summary_user("state/extractor/lease.json") is None
