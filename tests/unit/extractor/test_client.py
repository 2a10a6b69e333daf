"""The Spotify client: tokens, 401 renewal, 429 Retry-After, 5xx backoff, clear 4xx errors."""

from __future__ import annotations

import base64

import httpx
import pytest
from extractor.spotify.errors import (
    CredentialsRejected,
    RunStopped,
    SpotifyHttpError,
    SpotifyUnavailable,
)
from extractor.spotify.retry import RetryPolicy
from extractor.spotify.tokens import TokenKind
from spotify_etl_common.errors import PermanentError, TransientError

from tests.unit.extractor.conftest import FakeApi, answer, make_client


async def test_answer_bytes_are_kept_exactly_as_received() -> None:
    raw = b'{"id": "x",   "name": "Caf\\u00e9"}'
    api = FakeApi(script=[httpx.Response(200, content=raw)])
    got = await make_client(api).get("/albums/x", token=TokenKind.APP)
    assert got.body == raw
    assert got.data == {"id": "x", "name": "Café"}


async def test_client_credentials_token_is_fetched_once_and_sent_as_bearer() -> None:
    api = FakeApi()
    client = make_client(api)
    await client.get("/albums/a", token=TokenKind.APP)
    await client.get("/albums/b", token=TokenKind.APP)
    assert len(api.token_requests) == 1
    token_request = api.token_requests[0]
    assert (
        token_request.headers["Authorization"] == "Basic " + base64.b64encode(b"id:secret").decode()
    )
    assert b"grant_type=client_credentials" in token_request.content
    assert [r.headers["Authorization"] for r in api.requests] == ["Bearer token-1"] * 2


async def test_user_token_comes_from_the_refresh_token() -> None:
    api = FakeApi()
    await make_client(api).get("/me/player/recently-played", token=TokenKind.USER)
    assert b"grant_type=refresh_token" in api.token_requests[0].content
    assert b"refresh_token=r" in api.token_requests[0].content


async def test_a_401_renews_the_token_once_then_succeeds() -> None:
    api = FakeApi(script=[answer(401, {"error": {"status": 401, "message": "expired"}})])
    got = await make_client(api).get("/albums/a", token=TokenKind.APP)
    assert got.data == {"ok": True}
    assert len(api.token_requests) == 2
    assert api.requests[-1].headers["Authorization"] == "Bearer token-2"


async def test_a_second_401_in_a_row_is_a_permanent_error() -> None:
    expired = answer(401, {"error": {"status": 401, "message": "expired"}})
    api = FakeApi(script=[expired, answer(401, {"error": {"status": 401, "message": "no"}})])
    with pytest.raises(SpotifyHttpError) as raised:
        await make_client(api).get("/albums/a", token=TokenKind.APP)
    assert raised.value.status == 401


async def test_a_429_waits_retry_after_and_pauses_then_succeeds() -> None:
    slept: list[float] = []
    api = FakeApi(script=[answer(429, {}, {"Retry-After": "7"})])
    client = make_client(api, slept=slept)
    got = await client.get("/albums/a", token=TokenKind.APP)
    assert got.data == {"ok": True}
    assert slept == [7.0]
    assert client.counters.rate_limited == 1


async def test_a_retry_after_past_the_bound_is_transient_carrying_the_delay_without_sleeping() -> (
    None
):
    slept: list[float] = []
    api = FakeApi(script=[answer(429, {}, {"Retry-After": "7200"})])
    client = make_client(api, slept=slept)
    with pytest.raises(TransientError) as raised:
        await client.get("/albums/a", token=TokenKind.APP)
    assert raised.value.retry_after == 7200.0
    assert slept == []
    with pytest.raises(RunStopped) as stopped:  # later requests of the run stop at once
        await client.get("/albums/b", token=TokenKind.APP)
    assert len(api.requests) == 1
    # each stopped request names its own URL, and carries the cause's delay
    assert stopped.value.reason.startswith("GET https://api.test/v1/albums/b not sent:")
    assert stopped.value.retry_after == 7200.0


async def test_5xx_and_connection_errors_are_retried_with_backoff() -> None:
    slept: list[float] = []
    api = FakeApi(script=[answer(503, {}), httpx.ConnectError("refused"), answer(500, {})])
    client = make_client(api, slept=slept, policy=RetryPolicy(max_attempts=4))
    got = await client.get("/albums/a", token=TokenKind.APP)
    assert got.data == {"ok": True}
    assert len(api.requests) == 4
    assert len(slept) == 3
    assert all(s > 0 for s in slept)
    assert (client.counters.server_errors, client.counters.transport_errors) == (2, 1)


async def test_5xx_past_max_attempts_is_transient() -> None:
    api = FakeApi(script=[answer(502, {})] * 5)
    with pytest.raises(SpotifyUnavailable, match="gave up after 3 attempts"):
        await make_client(api).get("/albums/a", token=TokenKind.APP)


async def test_timeouts_are_retried() -> None:
    api = FakeApi(script=[httpx.ReadTimeout("slow")])
    client = make_client(api)
    got = await client.get("/albums/a", token=TokenKind.APP)
    assert got.data == {"ok": True}
    assert len(api.requests) == 2
    assert client.counters.transport_errors == 1


async def test_a_404_is_a_permanent_error_with_spotify_s_message() -> None:
    api = FakeApi(script=[answer(404, {"error": {"status": 404, "message": "Resource not found"}})])
    with pytest.raises(SpotifyHttpError) as raised:
        await make_client(api).get("/playlists/x", token=TokenKind.APP)
    assert isinstance(raised.value, PermanentError)
    assert (raised.value.status, raised.value.message) == (404, "Resource not found")


async def test_wrong_client_credentials_name_the_variables() -> None:
    api = FakeApi(token_status=401, token_body={"error": "invalid_client"})
    with pytest.raises(CredentialsRejected, match="SPOTIFY_CLIENT_ID/SPOTIFY_CLIENT_SECRET"):
        await make_client(api).get("/albums/a", token=TokenKind.APP)


async def test_a_revoked_refresh_token_says_to_run_auth_again() -> None:
    api = FakeApi(token_status=400, token_body={"error": "invalid_grant"})
    with pytest.raises(CredentialsRejected, match="extractor auth"):
        await make_client(api).get("/me/player/recently-played", token=TokenKind.USER)


async def test_a_user_source_without_refresh_token_says_to_run_auth() -> None:
    with pytest.raises(
        CredentialsRejected, match="SPOTIFY_REFRESH_TOKEN is set: run `extractor auth --store`"
    ):
        await make_client(FakeApi(), refresh_token=None).get("/me", token=TokenKind.USER)


async def test_a_cached_token_is_renewed_shortly_before_it_expires() -> None:
    from extractor.spotify.tokens import EXPIRY_MARGIN, AppCredentials, TokenProvider

    api = FakeApi(token_body={"access_token": "t", "expires_in": 600})
    now = [0.0]
    http = httpx.AsyncClient(transport=httpx.MockTransport(api))
    tokens = TokenProvider(http, "https://accounts.test", AppCredentials("id", "s"), lambda: now[0])
    first = await tokens.token(TokenKind.APP)
    now[0] = 600 - EXPIRY_MARGIN - 1
    assert await tokens.token(TokenKind.APP) == first
    now[0] = 600 - EXPIRY_MARGIN + 1
    assert await tokens.token(TokenKind.APP) != first
    assert len(api.token_requests) == 2
