"""``spotify-etl report`` in-process on moto: DuckDB over curated files, and Athena (whose
moto answers hold no rows: every chart then says why it is empty)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from spotify_etl.report.datasets import DATASETS
from spotify_etl.report.figures import FIGURES

from tests.integration.query.test_distinct_plays import DAY, extended
from tests.integration.query.test_query_command import pointed_at, run

if TYPE_CHECKING:
    from tests.integration.query.conftest import Curated

pytestmark = pytest.mark.integration
__all__ = ["pointed_at"]


def report_data(path: Path) -> dict[str, list[dict[str, object]]]:
    match = re.search(r'id="report-data">(.*?)</script>', path.read_text())
    assert match
    data: dict[str, list[dict[str, object]]] = json.loads(match.group(1))
    return data


def test_report_on_duckdb_writes_the_page_and_says_where(
    pointed_at: Curated, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    at = datetime(2025, 6, 1, 21, 30, tzinfo=UTC)
    pointed_at.put("plays", DAY, "export", [extended(at, "T1", ms=90_000)])
    out = tmp_path / "out" / "report.html"
    assert run(["report", "--out", str(out), "--tz", "Asia/Tokyo"]) == 0
    printed = capsys.readouterr()
    assert printed.out.startswith(f"report: {out} (")
    assert "1 play that counts, 2025-06 to 2025-06; 2 minutes listened. 2025: 1 play" in printed.out
    assert "querying the views" in printed.err
    data = report_data(out)
    assert data["year_summary"][0]["most_played_day"] == "2025-06-02"  # 06:30 in Tokyo
    assert data["listening_time"] == [
        {
            "month": "2025-06-01",
            "origin": "export",
            "plays": 1,
            "minutes": 1.5,
            "plays_without_minutes": 0,
        }
    ]


def test_report_on_athena_sends_every_query_in_the_zone_and_says_each_chart_is_empty(
    pointed_at: Curated, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.html"
    assert run(["report", "--out", str(out), "--athena", "--tz", "America/Denver"]) == 0
    athena = pointed_at.aws.client("athena")
    ids = athena.list_query_executions()["QueryExecutionIds"]
    sent = [athena.get_query_execution(QueryExecutionId=i)["QueryExecution"]["Query"] for i in ids]
    zoned = [q for q in sent if "AT TIME ZONE 'America/Denver'" in q]
    assert len(zoned) >= len(DATASETS) - 3  # all but the platform and top-list ones
    assert all("'UTC'" not in q for q in zoned)
    html = out.read_text()
    assert html.count("data-empty") == len(FIGURES)
    assert "No play that counts yet" in html
    assert re.search(r"Athena \(database \w+, workgroup primary\)", html)


def test_report_refuses_a_zone_that_is_not_one(
    pointed_at: Curated, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["report", "--out", str(tmp_path / "r.html"), "--tz", "Europe/Atlantis"]) == 2
    assert "is not an IANA time zone" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()
