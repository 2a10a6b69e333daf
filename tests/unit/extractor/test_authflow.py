"""extractor auth: the authorization-code flow against the fake's consent and token endpoints."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlsplit

import httpx
from extractor.authflow import authorize, authorize_url, parse_callback, scopes_for
from extractor.tokens import AppCredentials
from fake_spotify.catalog import CatalogSpec, build_catalog
from fake_spotify.server import FakeSpotify


def test_scopes_follow_the_configured_sources() -> None:
    assert scopes_for(playlists=True, recently_played=False) == [
        "playlist-read-private",
        "playlist-read-collaborative",
    ]
    assert scopes_for(playlists=False, recently_played=True) == ["user-read-recently-played"]


def test_authorize_url_carries_client_redirect_scopes_and_state() -> None:
    url = authorize_url(
        "https://accounts.test", "id", "http://127.0.0.1:8888/callback", ["a", "b"], "st"
    )
    query = parse_qs(urlsplit(url).query)
    assert query == {
        "client_id": ["id"],
        "response_type": ["code"],
        "redirect_uri": ["http://127.0.0.1:8888/callback"],
        "scope": ["a b"],
        "state": ["st"],
    }
    assert parse_callback("/callback?code=c&state=s").code == "c"


async def test_the_flow_prints_the_consent_url_and_returns_the_refresh_token() -> None:
    shown: list[str] = []
    with FakeSpotify(build_catalog(CatalogSpec(1, 5, 5))) as fake:
        async with httpx.AsyncClient() as http:
            flow = asyncio.create_task(
                authorize(
                    http,
                    fake.url,
                    AppCredentials("fake-client-id", "fake-client-secret"),
                    ["playlist-read-private"],
                    0,
                    shown.append,
                    wait=10,
                )
            )
            while len(shown) < 2:
                await asyncio.sleep(0.01)
            consent = shown[1]
            assert consent.startswith(f"{fake.url}/authorize?")
            # the "browser": follow the fake's redirect to the loopback callback
            async with httpx.AsyncClient(follow_redirects=True) as browser:
                page = await browser.get(consent)
            assert "Authorised" in page.text
            assert await flow == "fake-refresh-token"
