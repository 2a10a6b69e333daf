"""An in-process fake Spotify beside the moto stack."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from extractor.state.lease import LEASE_KEY, is_free
from fake_spotify.catalog import Catalog, CatalogSpec, build_catalog
from fake_spotify.server import FakeConfig, FakeSpotify
from spotify_etl.local.provision import Provisioned
from spotify_etl_common.messages import RawObjectWritten

from tests.conftest import fake_spotify_env


@pytest.fixture
def fake_spotify() -> Iterator[FakeSpotify]:
    """A small deterministic fake: 2 own playlists of 120 items, 2 others', 60 plays."""
    fake = FakeSpotify(build_catalog(CatalogSpec(playlists=2, items=120, plays=60)), FakeConfig())
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def extractor_env(fake_spotify: FakeSpotify, monkeypatch: pytest.MonkeyPatch) -> FakeSpotify:
    """Spotify variables pointing the extractor at the fake (with the user refresh token)."""
    for key, value in (fake_spotify_env(fake_spotify) | {"EXTRACTOR_MAX_ENTITIES": "20"}).items():
        monkeypatch.setenv(key, value)
    return fake_spotify


def referenced_entities(catalog: Catalog) -> set[tuple[str, str]]:
    """(kind, id) of every album, artist and episode the own playlists and the plays reference."""
    entries = [e for p in catalog.own_playlist_ids for e in catalog.playlists[p].entries]
    track_ids = [e.ref for e in entries if e.kind == "track" and e.ref] + [
        p.track_id for p in catalog.plays
    ]
    found: set[tuple[str, str]] = {
        ("episodes", e.ref) for e in entries if e.kind == "episode" and e.ref
    }
    for track_id in track_ids:
        track = catalog.tracks[track_id]
        found.add(("albums", track.album_id))
        found.update(("artists", a) for a in track.artist_ids)
    return found


def entity_of_key(key: str) -> tuple[str, str] | None:
    """(kind, id) of a raw album, artist or episode key."""
    for kind, field in (
        ("albums", "album_id"),
        ("artists", "artist_id"),
        ("episodes", "episode_id"),
    ):
        prefix = f"raw/source={kind}/{field}="
        if key.startswith(prefix):
            return kind, key.removeprefix(prefix).removesuffix(".json")
    return None


def entity_of_path(path: str) -> tuple[str, str] | None:
    """(kind, id) of an API path ``/albums/<id>`` or ``/artists/<id>``."""
    parts = path.strip("/").split("/")
    if len(parts) == 2 and parts[0] in ("albums", "artists"):
        return parts[0], parts[1]
    return None


def raw_keys(stack: Provisioned, s3: Any) -> set[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=stack.names.bucket, Prefix="raw/")
    return {o["Key"] for page in pages for o in page.get("Contents", [])}


def drain(stack: Provisioned, sqs: Any) -> list[RawObjectWritten]:
    url = stack.queue_urls[stack.names.transform_queue]
    messages: list[RawObjectWritten] = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        batch = got.get("Messages", [])
        if not batch:
            return messages
        for m in batch:
            messages.append(RawObjectWritten.model_validate_json(m["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


@pytest.fixture
def make_fake() -> Iterator[Callable[..., FakeSpotify]]:
    """Start a fake with the given config (small catalog unless told): stopped at the end."""
    started: list[FakeSpotify] = []

    def start(config: FakeConfig, spec: CatalogSpec | None = None) -> FakeSpotify:
        fake = FakeSpotify(
            build_catalog(spec or CatalogSpec(playlists=2, items=60, plays=30)), config
        )
        fake.start()
        started.append(fake)
        return fake

    yield start
    for fake in started:
        fake.stop()


def point_at(fake: FakeSpotify, monkeypatch: pytest.MonkeyPatch, **more: str) -> None:
    """Extractor variables for ``fake`` (user token from the variable unless replaced)."""
    for key, value in (fake_spotify_env(fake) | {"EXTRACTOR_MAX_ENTITIES": "500"} | more).items():
        monkeypatch.setenv(key, value)


def lease_is_free(s3: Any, bucket: str) -> bool:
    """Whether ``state/extractor/lease.json`` lets a run start now (absent or released)."""
    try:
        body = s3.get_object(Bucket=bucket, Key=LEASE_KEY)["Body"].read()
    except s3.exceptions.NoSuchKey:
        body = None
    return is_free(body, datetime.now(UTC))
