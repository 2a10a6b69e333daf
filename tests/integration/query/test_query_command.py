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
    described = dict(line.split(None, 1) for line in lines)
    assert described["album"].startswith("Seed-compatible albums")


def test_query_user_resolves_the_name_through_its_secret_and_reads_only_their_rows(
    pointed_at: Curated, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    at = datetime(2026, 11, 24, 6, tzinfo=UTC)
    plays = [
        {"user_id": u, "played_at": at, "track_id": t, "source_key": f"raw/{u}", "extracted_at": at}
        for u, t in (("sp-alice", "T1"), ("sp-bob", "T2"), ("sp-bob", "T3"))
    ]
    for user in ("sp-alice", "sp-bob"):  # one file a user: a table's partition is one user's
        pointed_at.put("plays", "2026-11-24", user, [p for p in plays if p["user_id"] == user])
    prefix = f"test-{pointed_at.bucket}/"
    monkeypatch.setenv("SPOTIFY_USER_SECRET_PREFIX", prefix)
    grant = {"refresh_token": "never-printed", "id": "sp-bob", "display_name": "Bob"}
    pointed_at.aws.client("secretsmanager").create_secret(
        Name=f"{prefix}bob", SecretString=json.dumps(grant)
    )
    sql = "SELECT user_id, track_id FROM distinct_plays ORDER BY track_id"
    assert run(["query", "--user", "bob", "--format", "csv", sql]) == 0
    assert capsys.readouterr().out.splitlines() == ["user_id,track_id", "sp-bob,T2", "sp-bob,T3"]
    assert run(["query", "--user-id", "sp-alice", "--format", "csv", sql]) == 0
    assert capsys.readouterr().out.splitlines() == ["user_id,track_id", "sp-alice,T1"]
    assert run(["query", "--user", "carol", sql]) == 1
    err = capsys.readouterr().err
    assert f"no user carol: there is no secret {prefix}carol" in err
    assert "never-printed" not in err
