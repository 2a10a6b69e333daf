"""The local stack as users run it keeps the lake across a stop and a crash.

``spotify-etl run-local`` against a fake Spotify (started here, so that its request counts
survive the runs; it rotates the refresh token on every use, so a run after a restart
works only if the latest grant was kept), then every view's answers are noted and must be
the same after a kill -9 of every process of the stack + ``local up``, and again after
``local down`` + ``local up``. A second run then continues where the first stopped: no play
or playlist item doubled, and the unchanged playlists' items not fetched again.

Answers are compared through ``spotify-etl query`` (view rows as text), never by listing
files, so the test holds whatever the tables are stored as.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from fake_spotify.catalog import CatalogSpec, build_catalog
from fake_spotify.server import FakeConfig, FakeSpotify
from spotify_etl.local.provision import provision_refresh_token_secret
from spotify_etl_views import load_views

from tests.integration.ops_local.conftest import kill_group

pytestmark = pytest.mark.e2e
SECRET = "spotify-etl/users/e2e"


@pytest.fixture
def fake() -> Iterator[FakeSpotify]:
    catalog = build_catalog(CatalogSpec(playlists=3, items=40, plays=30))
    with FakeSpotify(catalog, FakeConfig(rotate_refresh_tokens=True)) as server:
        yield server


@pytest.fixture
def env(tmp_path: Path, fake: FakeSpotify) -> Iterator[dict[str, str]]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SPOTIFY_"))}
    state = tmp_path / "state"
    clean |= {
        "SPOTIFY_ETL_STATE_DIR": str(state),
        "SPOTIFY_CLIENT_ID": "fake-client-id",
        "SPOTIFY_CLIENT_SECRET": "fake-client-secret",
        "SPOTIFY_API_URL": fake.api_url,
        "SPOTIFY_ACCOUNTS_URL": fake.url,
        "SPOTIFY_REFRESH_TOKEN_SECRET": SECRET,
        "EXTRACTOR_PLAYLISTS": "mine",
        "EXTRACTOR_RECENTLY_PLAYED": "true",
        "EXTRACTOR_LIBRARY": "all",
    }
    yield clean
    for pid in stack_pids(state):
        kill_group(pid)


def stack_pids(state: Path) -> list[int]:
    path = state / "local.json"
    if not path.exists():
        return []
    recorded = json.loads(path.read_text())
    return [p for p in (recorded["pid"], recorded.get("s3_pid", 0)) if p]


def cli(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "spotify_etl", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"{args} exited {done.returncode}:\n{done.stderr[-3000:]}"
    return done.stdout


def answers(env: dict[str, str]) -> dict[str, Counter[str]]:
    """Every view's rows, as text, counted (one query for all of them)."""
    names = sorted(v.name for v in load_views())
    sql = " UNION ALL ".join(
        f"SELECT '{name}' AS view, CAST(t AS VARCHAR) AS row FROM \"{name}\" AS t" for name in names
    )
    rows = [json.loads(line) for line in cli(env, "query", "--format", "json", sql).splitlines()]
    found: dict[str, Counter[str]] = {name: Counter() for name in names}
    for row in rows:
        found[row["view"]][row["row"]] += 1
    return found


def count(env: dict[str, str], sql: str) -> list[Any]:
    [line] = cli(env, "query", "--format", "json", sql).splitlines()
    row = json.loads(line)
    return list(row.values())


def store_grant(env: dict[str, str], fake: FakeSpotify) -> None:
    """What `extractor auth --store` leaves: the user's refresh token in the local secret."""
    exports = dict(
        line.removeprefix("export ").split("=", 1) for line in cli(env, "local", "env").splitlines()
    )
    secrets = boto3.client(
        "secretsmanager",
        endpoint_url=exports["AWS_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    token = fake.config.credentials.refresh_token
    provision_refresh_token_secret(secrets, SECRET, token, datetime.now(UTC))


def items_fetched(fake: FakeSpotify) -> set[str]:
    """Playlists whose items were requested."""
    return {
        path.split("/")[2]
        for path in fake.paths
        if path.startswith("/playlists/") and path.endswith(("/items", "/tracks"))
    }


def test_the_lake_survives_down_up_and_kill_9_and_the_next_run_continues(
    env: dict[str, str], fake: FakeSpotify
) -> None:
    state = Path(env["SPOTIFY_ETL_STATE_DIR"])
    cli(env, "local", "up")
    store_grant(env, fake)
    cli(env, "run-local")
    own = fake.catalog.own_playlist_ids
    readable = items_fetched(fake)  # the user's own playlists and the collaborative ones
    assert set(own) <= readable
    noted = answers(env)
    assert sum(noted["distinct_plays"].values()) == len(fake.catalog.plays)
    assert all(noted[name] for name in ("current_playlist_items", "songs", "album", "artist"))

    pids = stack_pids(state)  # a crash first: the grant rotated by the run must be on disk
    assert len(pids) == 2
    for pid in pids:
        kill_group(pid)
    cli(env, "local", "up")
    assert answers(env) == noted

    cli(env, "local", "down")
    cli(env, "local", "up")
    assert answers(env) == noted

    first_items = sum(len(fake.catalog.playlists[p].entries) for p in readable)
    changed = own[0]
    fake.catalog.touch(changed)
    fake.catalog.add_plays(5)
    fake.paths.clear()
    cli(env, "run-local")  # works only with the rotated refresh token kept across the crash
    assert items_fetched(fake) == {changed}  # the unchanged playlists' items are not fetched
    current_items = sum(len(fake.catalog.playlists[p].entries) for p in readable)
    plays = len(fake.catalog.plays)
    found = count(
        env,
        "SELECT (SELECT count(*) FROM plays), (SELECT count(*) FROM playlist_items), "
        "(SELECT count(*) FROM distinct_plays), (SELECT count(*) FROM current_playlist_items)",
    )
    new_snapshot = len(fake.catalog.playlists[changed].entries)
    assert found == [plays, first_items + new_snapshot, plays, current_items]
