"""``cataloger maintain``: the cataloger's entry point maintains the lake from its settings."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

import pytest
from cataloger.main import main
from spotify_etl.local.provision import Provisioned
from spotify_etl_lake.compaction import data_files

from tests.conftest import LocalAws
from tests.lake_tables import TestLake, parquet

pytestmark = pytest.mark.integration

AT = datetime(2026, 11, 20, 8, tzinfo=UTC)


def test_cataloger_maintain_compacts_the_tables_and_logs_a_line_per_table(
    stack: Provisioned,
    aws_env: LocalAws,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lake = TestLake(aws_env, stack.names.bucket, f"{stack.names.bucket.replace('-', '_')}_db")
    for n in range(3):
        row = {"track_id": f"T{n}", "source_key": f"raw/{n}", "extracted_at": AT}
        uri = lake.put(f"curated/tracks/dt=2026-11-20/{n}.parquet", parquet("tracks", [row]))
        lake.commit("tracks", [uri])
    monkeypatch.setenv("CATALOGER_DATABASE", lake.database)
    monkeypatch.setattr(sys, "argv", ["cataloger", "maintain"])
    main()
    assert len(data_files(lake.table("tracks"))) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    maintained = {line["table"]: line for line in lines if line["event"] == "cataloger.maintained"}
    assert (maintained["tracks"]["files_before"], maintained["tracks"]["files_after"]) == (3, 1)
    assert maintained["albums"]["skipped"] == "no such table"
