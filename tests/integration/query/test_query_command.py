"""``spotify-etl query`` and ``spotify-etl views`` end to end in-process, on moto S3."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from spotify_etl.cli import main
from spotify_etl_views import load_views

if TYPE_CHECKING:
    from tests.integration.query.conftest import Curated

pytestmark = pytest.mark.integration


def run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    return int(exit_info.value.code or 0)


@pytest.fixture
def pointed_at(curated: Curated, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Curated:
    """No local stack recorded; AWS_ENDPOINT_URL and the bucket point at moto."""
    monkeypatch.setenv("SPOTIFY_ETL_STATE_DIR", str(tmp_path))
    for key, value in curated.aws.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("SPOTIFY_ETL_BUCKET", curated.bucket)
    monkeypatch.setenv("CATALOGER_DATABASE", curated.database)
    return curated


def test_query_runs_a_view_on_duckdb_and_prints_json(
    pointed_at: Curated, capsys: pytest.CaptureFixture[str]
) -> None:
    at = datetime(2026, 11, 24, 6, tzinfo=UTC)
    pointed_at.put(
        "artists",
        "2026-11-24",
        "r",
        [{"artist_id": "R1", "name": "One", "source_key": "raw/r1", "extracted_at": at}],
    )
    assert run(["query", "SELECT * FROM artist", "--format", "json"]) == 0
    assert [json.loads(line) for line in capsys.readouterr().out.splitlines()] == [
        {
            "artist_id": "R1",
            "artist_name": "One",
            "external_url": "https://open.spotify.com/artist/R1",
        }
    ]


def test_query_with_bad_sql_exits_1_with_duckdb_error(
    pointed_at: Curated, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["query", "SELECT nope FROM songs"]) == 1
    assert "DuckDB" in capsys.readouterr().err


def test_query_on_athena_through_moto_records_the_query_and_prints_no_rows(
    pointed_at: Curated, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["query", "SELECT 1 AS one", "--athena", "--format", "csv"]) == 0
    executions = pointed_at.aws.client("athena").list_query_executions()["QueryExecutionIds"]
    assert executions


def test_views_lists_every_view_with_its_description(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["views"]) == 0
    lines = capsys.readouterr().out.splitlines()
    # The names themselves are pinned once, in tests/unit/cataloger/test_views.py.
    assert [line.split()[0] for line in lines] == sorted(v.name for v in load_views())
    assert lines[0].split(None, 1)[1].startswith("Seed-compatible albums")
