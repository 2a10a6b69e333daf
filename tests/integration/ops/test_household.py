"""The household's operator commands on moto: import-history per user, purge-user."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest
from fake_spotify.history_export import USERNAME, extended_download, listening
from pyiceberg.catalog.glue import GlueCatalog
from spotify_etl_common import keys
from spotify_etl_common.keys import curated_key
from spotify_etl_common.sources import Source
from spotify_etl_common.tables import TABLES
from spotify_etl_lake.user_rows import IcebergCuratedRows

from tests.integration.ops.conftest import Ops, run_cli

pytestmark = pytest.mark.integration


@pytest.fixture
def users(ops: Ops, monkeypatch: pytest.MonkeyPatch) -> Ops:
    """Secrets of two users under a prefix of this test's own: bob is the export's listener."""
    prefix = f"{ops.bucket}/users/"
    monkeypatch.setenv("SPOTIFY_USER_SECRET_PREFIX", prefix)
    secrets = ops.aws.client("secretsmanager")
    for name, user_id in (("alice", "sp-alice"), ("bob", USERNAME)):
        grant = {"refresh_token": f"token-{name}", "id": user_id, "display_name": name.title()}
        secrets.create_secret(Name=f"{prefix}{name}", SecretString=json.dumps(grant))
    return ops


def raw_keys(ops: Ops) -> list[str]:
    listed = ops.s3.list_objects_v2(Bucket=ops.bucket, Prefix="raw/")
    return [o["Key"] for o in listed.get("Contents", [])]


def test_import_history_lands_under_the_named_users_prefix(
    users: Ops, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = extended_download(listening(30), tmp_path / "export.zip", style="endsong")
    assert run_cli("import-history", "--user", "bob", str(export)) == 0
    keys = raw_keys(users)
    assert keys
    assert all(k.startswith(f"raw/source=streaming_history/user={USERNAME}/kind=") for k in keys)
    assert "token-bob" not in capsys.readouterr().out


def test_import_history_refuses_an_export_whose_rows_name_another_user(
    users: Ops, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = extended_download(listening(30), tmp_path / "export.zip", style="endsong")
    assert run_cli("import-history", "--user", "alice", str(export)) == 2
    [line] = capsys.readouterr().err.strip().splitlines()[-1:]
    assert line == (
        f"import-history: the export's rows name the Spotify user {USERNAME}, not alice "
        "(sp-alice): import it with --user for the user it belongs to; nothing was written"
    )
    assert raw_keys(users) == []
    assert users.bodies(users.url("transform")) == []


def test_import_history_needs_the_user_when_several_are_configured(
    users: Ops, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = extended_download(listening(10), tmp_path / "export.zip")
    assert run_cli("import-history", str(export)) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "import-history: several users are configured (alice, bob): name whose export this "
        "is with --user NAME (or --user-id ID)"
    )
    assert raw_keys(users) == []


def test_purge_user_lists_then_deletes_one_users_raw_curated_rows_and_state_only(
    users: Ops, capsys: pytest.CaptureFixture[str]
) -> None:
    day = date(2026, 12, 1)

    def raw_with_files(key: str, tables: tuple[str, ...]) -> list[str]:
        users.put(key)
        curated = [curated_key(t, day, key, b"PAR1") for t in tables]
        for k in curated:
            users.put(k, b"PAR1")
        return curated

    bob_raw = [
        keys.user_prefix(Source.RECENTLY_PLAYED, USERNAME) + "dt=2026-12-01/after=1.json",
        keys.user_prefix(Source.SAVED_TRACKS, USERNAME) + "dt=2026-12-01/run=r/page=0000.json",
        keys.user_prefix(Source.STREAMING_HISTORY, USERNAME)
        + "kind=extended/month=2024-01/"
        + "0" * 32
        + ".json",
    ]
    for k in bob_raw:
        raw_with_files(k, ("plays", "tracks"))
    alice_raw = keys.user_prefix(Source.RECENTLY_PLAYED, "sp-alice") + "dt=2026-12-01/after=1.json"
    shared = keys.entity_key(Source.ALBUMS, "AL1")
    kept = [alice_raw, shared, *raw_with_files(alice_raw, ("plays", "tracks"))]
    kept += raw_with_files(shared, ("albums",))
    state = [f"state/extractor/users/{USERNAME}/cursors.json"]
    users.put(state[0])
    users.put("state/extractor/users/sp-alice/cursors.json")
    before = set(all_keys(users))

    assert run_cli("purge-user", "bob") == 0
    out = capsys.readouterr().out
    assert f"user bob ({USERNAME}):" in out
    assert "raw objects: 3 (recently_played 1, saved_tracks 1, streaming_history 1)" in out
    assert "curated: 0 tables" in out  # no Iceberg table yet (the rows' delete is tested below)
    assert "dry run: nothing deleted" in out
    assert set(all_keys(users)) == before

    assert run_cli("purge-user", "bob", "--yes") == 0
    after = set(all_keys(users))
    assert after == before - {*bob_raw, *state}  # unreferenced files go with maintain
    assert set(kept) <= after
    assert run_cli("purge-user", "gone", "--user-id", USERNAME) == 0  # nothing left: says so
    assert "nothing of gone" in capsys.readouterr().out


def all_keys(ops: Ops) -> list[str]:
    listed = ops.s3.list_objects_v2(Bucket=ops.bucket)
    return [o["Key"] for o in listed.get("Contents", [])]


def test_the_iceberg_lake_deletes_the_users_rows_by_user_id_and_their_dimension_rows(
    users: Ops,
) -> None:
    endpoint = users.aws.endpoint
    catalog = GlueCatalog(
        "test",
        **{
            "glue.endpoint": endpoint,
            "glue.region": "us-east-1",
            "s3.endpoint": endpoint,
            "s3.region": "us-east-1",
            "s3.access-key-id": "testing",
            "s3.secret-access-key": "testing",
            "client.region": "us-east-1",
        },
    )
    database = f"{users.bucket.replace('-', '_')}_ice"
    catalog.create_namespace(database)
    bob_key = keys.user_prefix(Source.RECENTLY_PLAYED, USERNAME) + "dt=2026-12-01/after=1.json"
    alice_key = keys.user_prefix(Source.RECENTLY_PLAYED, "sp-alice") + "dt=2026-12-01/after=1.json"
    plays = pa.table(
        {
            "user_id": [USERNAME, "sp-alice"],
            "track_id": ["T1", "T2"],
            "source_key": [bob_key, alice_key],
        }
    )
    tracks = pa.table({"track_id": ["T1", "T2"], "source_key": [bob_key, alice_key]})
    for name, rows in (("plays", plays), ("tracks", tracks)):
        table = catalog.create_table(
            (database, name), schema=rows.schema, location=f"s3://{users.bucket}/curated/{name}"
        )
        table.append(rows)
    lake = IcebergCuratedRows(catalog, database, {n: TABLES[n] for n in ("plays", "tracks")})
    assert asyncio.run(lake.remove(USERNAME, [bob_key])) == 2
    left = {
        name: catalog.load_table((database, name)).scan().to_arrow().column("track_id").to_pylist()
        for name in ("plays", "tracks")
    }
    assert left == {"plays": ["T2"], "tracks": ["T2"]}
