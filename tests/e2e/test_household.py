"""A household in one lake, extracted by ``extractor run-once`` as a process: three users of
one app, one of whom revoked it, over two runs.

Each user's raw objects hold only their own plays, saved tracks and playlists;
the revoked user is reported with the command to run and has nothing in the
lake, the other two are complete; albums and artists both users reference
were fetched once (the fake counts requests per path). The rows and the
``affinity`` view are checked where the transformer reads these keys.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fake_spotify.catalog import Catalog, CatalogSpec, build_catalog
from fake_spotify.household import FakeUser
from fake_spotify.server import FakeConfig, FakeSpotify
from spotify_etl.local.provision import Provisioned
from spotify_etl_common.household import UserRunSummary, user_summary_key
from spotify_etl_common.keys import USER_SCOPED, parse_raw_key
from spotify_etl_common.sources import Source

from tests.conftest import LocalAws
from tests.e2e.test_pipeline import BIN, service_env

pytestmark = pytest.mark.e2e
USERS = {
    "alice": FakeUser("alice-id", "Alice", "alice-token", taste=3, plays=45, saved_tracks=70),
    "bob": FakeUser("bob-id", "Bob", "bob-token", taste=17, plays=30, saved_tracks=40),
    "carol": FakeUser("carol-id", "Carol", "carol-token", taste=29),
}
COMPLETE = ("alice", "bob")
PLAYED_AT = "%Y-%m-%dT%H:%M:%S.000Z"


@pytest.fixture
def fake() -> Iterator[FakeSpotify]:
    spec = CatalogSpec(playlists=1, items=5, plays=0, saved_tracks=40)
    with FakeSpotify(build_catalog(spec), FakeConfig()) as server:
        for user in USERS.values():
            server.service.add_user(user)
        server.service.refresh_tokens.revoke("carol-id")  # carol removed the app
        yield server


def extract(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "extractor"), "run-once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def raw_objects(aws: LocalAws, bucket: str) -> dict[str, bytes]:
    s3 = aws.client("s3")
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="raw/")
    keys = [o["Key"] for page in pages for o in page.get("Contents", [])]
    return {k: s3.get_object(Bucket=bucket, Key=k)["Body"].read() for k in keys}


def held(objects: dict[str, bytes]) -> dict[tuple[str | None, Source], set[str]]:
    """Per (user, source), the plays, saved tracks, playlists and playlist items stored."""
    found: dict[tuple[str | None, Source], set[str]] = {}
    for key, body in objects.items():
        parts = parse_raw_key(key)
        assert parts is not None, key
        data = json.loads(body)
        if parts.source is Source.RECENTLY_PLAYED:
            items = {f"{p['track']['id']}@{p['played_at']}" for p in data["items"]}
        elif parts.source is Source.SAVED_TRACKS:
            items = {s["track"]["id"] for s in data["items"]}
        elif parts.source is Source.PLAYLISTS:
            items = {data["id"]}
        elif parts.source is Source.PLAYLIST_ITEMS:
            items = {str(parts.entity_id)}
        else:
            continue
        found.setdefault((parts.user_id, parts.source), set()).update(items)
    return found


def served(catalog: Catalog) -> dict[Source, set[str]]:
    return {
        Source.RECENTLY_PLAYED: {
            f"{p.track_id}@{p.played_at.strftime(PLAYED_AT)}" for p in catalog.plays
        },
        Source.SAVED_TRACKS: {s.id for s in catalog.library.tracks},
        Source.PLAYLISTS: set(catalog.own_playlist_ids),
        Source.PLAYLIST_ITEMS: set(catalog.own_playlist_ids),
    }


def test_three_users_two_runs_each_holds_only_their_own_and_shared_entities_come_once(
    moto_server: LocalAws, stack: Provisioned, fake: FakeSpotify
) -> None:
    prefix = f"household-{uuid.uuid4().hex[:8]}/"
    given = datetime.now(UTC) - timedelta(days=20)
    secrets = moto_server.client("secretsmanager")
    for name, user in USERS.items():
        value = {  # as `extractor auth --store --user NAME` writes it
            "refresh_token": user.refresh_token,
            "authorized_at": given.isoformat(),
            "id": user.user_id,
            "display_name": user.display_name,
        }
        secrets.create_secret(Name=f"{prefix}{name}", SecretString=json.dumps(value))
    env = service_env(moto_server, stack, fake) | {
        "EXTRACTOR_USERS": ",".join(USERS),
        "SPOTIFY_USER_SECRET_PREFIX": prefix,
        "EXTRACTOR_PLAYLISTS": "mine",
        "EXTRACTOR_LIBRARY": "saved_tracks",
        "EXTRACTOR_MAX_ENTITIES": "1000",
    }
    del env["SPOTIFY_REFRESH_TOKEN"]

    first = extract(env)
    for name in COMPLETE:  # new plays between the runs
        fake.service.users[USERS[name].user_id].add_plays(7)
    second = extract(env)

    for done in (first, second):
        assert done.returncode == 1, done.stderr[-3000:]  # a user failed: not a success
        failed = [line for line in done.stderr.splitlines() if line.startswith("FAILED")]
        assert len(failed) == 1, done.stderr
        assert failed[0].startswith("FAILED user carol: Spotify refused the refresh token")
        assert "`extractor auth --store --user carol`" in failed[0]
    objects = raw_objects(moto_server, stack.names.bucket)
    stored = held(objects)
    assert {user for user, _ in stored} == {"alice-id", "bob-id"}
    for name in COMPLETE:
        user = USERS[name]
        for source, items in served(fake.service.users[user.user_id]).items():
            assert stored[(user.user_id, source)] == items, (name, source)
    assert all(
        parse_raw_key(k).user_id is not None  # type: ignore[union-attr]
        for k in objects
        if parse_raw_key(k).source in USER_SCOPED  # type: ignore[union-attr]
    )
    # shared dimensions: one request per album and artist over both users and both runs
    shared = {p: n for p, n in fake.paths.items() if p.startswith(("/albums/", "/artists/"))}
    assert shared
    assert set(shared.values()) == {1}
    albums_of = {
        name: {
            fake.catalog.tracks[t].album_id
            for t in {s.id for s in fake.service.users[USERS[name].user_id].library.tracks}
        }
        for name in COMPLETE
    }
    both = albums_of["alice"] & albums_of["bob"]
    assert both  # the two libraries share albums: each was fetched once, not once a user
    assert {f"/albums/{a}" for a in both} <= set(shared)
    assert "carol-id" not in fake.service.requests_by_user()  # her token never reached the API
    s3 = moto_server.client("s3")
    summaries = {
        name: UserRunSummary.model_validate_json(
            s3.get_object(Bucket=stack.names.bucket, Key=user_summary_key(user.user_id))[
                "Body"
            ].read()
        )
        for name, user in USERS.items()
    }
    assert {n: s.last_status for n, s in summaries.items()} == {
        "alice": "extracted",
        "bob": "extracted",
        "carol": "failed",
    }
    assert summaries["carol"].grant_refused
    assert summaries["carol"].failed_runs == 2
    assert summaries["carol"].last_extraction_at is None
