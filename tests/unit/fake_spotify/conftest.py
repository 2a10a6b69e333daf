"""A running fake for the fake's own tests."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fake_spotify.catalog import CatalogSpec, build_catalog
from fake_spotify.server import FakeConfig, FakeSpotify


@pytest.fixture
def fake() -> Iterator[FakeSpotify]:
    server = FakeSpotify(build_catalog(CatalogSpec(playlists=2, items=60, plays=30)), FakeConfig())
    server.start()
    yield server
    server.stop()


def user_token(fake: FakeSpotify, refresh_token: str = "fake-refresh-token") -> str:
    answer = httpx.post(
        f"{fake.url}/api/token",
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
        auth=("fake-client-id", "fake-client-secret"),
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])
