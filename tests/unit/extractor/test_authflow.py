"""extractor auth: the authorization-code flow against the fake's consent and token endpoints."""

from __future__ import annotations

import asyncio
import base64
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from extractor.main import CHOOSE, main
from extractor.spotify.authflow import (
    WRONG_STATE,
    Pkce,
    authorize,
    authorize_url,
    parse_callback,
    scopes_for,
    who_authorised,
)
from extractor.spotify.tokens import AppCredentials
from fake_spotify.api import FakeWebApi
from fake_spotify.catalog import CatalogSpec, build_catalog
from fake_spotify.household import FakeUser
from fake_spotify.server import FakeSpotify


def test_scopes_follow_the_configured_sources() -> None:
    assert scopes_for(playlists=True, recently_played=False) == [
        "playlist-read-private",
        "playlist-read-collaborative",
    ]
    assert scopes_for(playlists=False, recently_played=True) == ["user-read-recently-played"]


def test_authorize_url_carries_client_redirect_scopes_state_and_the_pkce_challenge() -> None:
    url = authorize_url(
        "https://accounts.test", "id", "http://127.0.0.1:8888/callback", ["a", "b"], "st", "ch"
    )
    query = parse_qs(urlsplit(url).query)
    assert query == {
        "client_id": ["id"],
        "response_type": ["code"],
        "redirect_uri": ["http://127.0.0.1:8888/callback"],
        "scope": ["a b"],
        "state": ["st"],
        "code_challenge_method": ["S256"],
        "code_challenge": ["ch"],
    }
    assert parse_callback("/callback?code=c&state=s").code == "c"


def test_the_pkce_challenge_is_the_s256_of_the_verifier() -> None:
    # RFC 7636, appendix B
    pkce = Pkce("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
    assert pkce.challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    fresh = Pkce.new()
    assert 43 <= len(fresh.verifier) <= 128
    assert fresh.verifier != Pkce.new().verifier


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
            callback = parse_qs(urlsplit(consent).query)["redirect_uri"][0]
            async with httpx.AsyncClient(follow_redirects=True) as browser:
                # an answer with another state (a stale tab) is answered and ignored
                stale = await browser.get(f"{callback}?code=other&state=stale")
                assert stale.status_code == 400
                assert not flow.done()
                # the "browser": follow the fake's redirect to the loopback callback
                page = await browser.get(consent)
            assert "Authorised" in page.text
            # the fake checked the code_verifier against the challenge of the consent URL
            assert (await flow).refresh_token == "fake-refresh-token"
    assert WRONG_STATE in shown


def test_the_fake_refuses_a_code_exchange_without_the_matching_verifier() -> None:
    fake = FakeWebApi(build_catalog(CatalogSpec(1, 5, 5)))
    pkce = Pkce("a-verifier-of-forty-three-characters-at-least-x")
    query = {
        "client_id": "fake-client-id",
        "redirect_uri": "http://127.0.0.1:1/callback",
        "state": "s",
        "code_challenge_method": "S256",
        "code_challenge": pkce.challenge,
    }
    assert fake.authorize(query)[0] == 302
    auth = "Basic " + base64.b64encode(b"fake-client-id:fake-client-secret").decode()

    def exchange(verifier: str | None) -> int:
        form = {"grant_type": "authorization_code", "code": "fake-authorization-code"}
        return fake.token(auth, form | ({"code_verifier": verifier} if verifier else {})).status

    assert exchange(None) == 400
    assert exchange("another-verifier-of-forty-three-characters-xx") == 400
    assert exchange(pkce.verifier) == 200
    assert fake.authorize(query | {"code_challenge_method": "plain"})[0] == 400


def test_auth_without_store_or_print_says_what_to_choose_and_starts_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["auth"]) == 2
    shown = capsys.readouterr()
    assert shown.out == ""
    assert shown.err.strip() == CHOOSE
    assert "--store" in CHOOSE
    assert "--print" in CHOOSE


def test_auth_with_an_http_accounts_url_is_one_configuration_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SPOTIFY_CLIENT_ID", "id")
    monkeypatch.setenv("SPOTIFY_CLIENT_SECRET", "secret")
    monkeypatch.setenv("SPOTIFY_ACCOUNTS_URL", "http://accounts.example.com")
    assert main(["auth", "--print"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("configuration error: SPOTIFY_ACCOUNTS_URL is invalid")


async def test_a_household_user_authorises_and_the_new_token_says_who_they_are() -> None:
    with FakeSpotify(build_catalog(CatalogSpec(1, 5, 5))) as fake:
        fake.service.add_user(FakeUser("bob-id", "Bob", "bob-refresh-token"))
        fake.service.consenting = "bob-id"  # bob signs in in the browser
        shown: list[str] = []
        async with httpx.AsyncClient() as http:
            flow = asyncio.create_task(
                authorize(
                    http,
                    fake.url,
                    AppCredentials("fake-client-id", "fake-client-secret"),
                    ["user-read-recently-played"],
                    0,
                    shown.append,
                    wait=10,
                )
            )
            while len(shown) < 2:
                await asyncio.sleep(0.01)
            async with httpx.AsyncClient(follow_redirects=True) as browser:
                await browser.get(shown[1])
            given = await flow
            me = await who_authorised(http, fake.api_url, given.access_token)
    assert given.refresh_token == "bob-refresh-token"
    assert me is not None
    assert (me.id, me.display_name) == ("bob-id", "Bob")
    assert "bob-refresh-token" not in repr(given)


def test_auth_user_needs_store_and_a_household_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["auth", "--print", "--user", "bob"]) == 2
    assert "--user goes with --store" in capsys.readouterr().err
    assert main(["auth", "--store", "--user", "bob smith"]) == 2
    assert "is not a name" in capsys.readouterr().err
