"""An in-process fake Spotify beside the moto stack."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fake_spotify.catalog import CatalogSpec, build_catalog
from fake_spotify.server import FakeConfig, FakeSpotify


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
    env = {
        "SPOTIFY_CLIENT_ID": "fake-client-id",
        "SPOTIFY_CLIENT_SECRET": "fake-client-secret",
        "SPOTIFY_REFRESH_TOKEN": "fake-refresh-token",
        "SPOTIFY_API_URL": fake_spotify.api_url,
        "SPOTIFY_ACCOUNTS_URL": fake_spotify.url,
        "EXTRACTOR_PLAYLISTS": ",".join(fake_spotify.catalog.own_playlist_ids),
        "EXTRACTOR_RECENTLY_PLAYED": "true",
        "EXTRACTOR_MAX_ENTITIES": "20",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return fake_spotify
