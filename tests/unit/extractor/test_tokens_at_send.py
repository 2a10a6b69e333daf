"""Tokens valid when the request leaves, single-flight fetches, failures remembered, rotation."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from extractor.spotify.circuit import Circuit
from extractor.spotify.client import SpotifyClient
from extractor.spotify.errors import (
    AuthorizationExpired,
    RunStopped,
    SpotifyUnavailable,
)
from extractor.spotify.grants import ROTATION_LOST, UserGrant
from extractor.spotify.limiter import RollingWindowLimiter
from extractor.spotify.retry import RetryPolicy
from extractor.spotify.tokens import AppCredentials, TokenKind, TokenProvider, renewal_margin

from tests.unit.extractor.conftest import ACCOUNTS, API, answer


class Clock:
    """A fake monotonic clock; sleeping advances it."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


class Accounts:
    """Token endpoint and API on one fake clock: tokens live ``lifetime`` seconds."""

    def __init__(self, clock: Clock, lifetime: float = 5.0, rotate: bool = False) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self.rotate = rotate
        self.issued: dict[str, float] = {}
        self.token_forms: list[dict[str, str]] = []
        self.valid_refresh = {"r"}
        self.token_status = 200
        self.token_body: dict[str, object] | None = None
        self.api_statuses: list[int] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/token":
            form = dict(httpx.QueryParams(request.content.decode()))
            self.token_forms.append(form)
            if self.token_status != 200:
                return answer(self.token_status, self.token_body or {})
            body: dict[str, object] = {"expires_in": self.lifetime}
            if form["grant_type"] == "refresh_token":
                if form["refresh_token"] not in self.valid_refresh:
                    return answer(400, {"error": "invalid_grant"})
                if self.rotate:
                    self.valid_refresh = {f"r{len(self.token_forms)}"}
                    body["refresh_token"] = f"r{len(self.token_forms)}"
            token = f"t{len(self.token_forms)}"
            self.issued[token] = self.clock()
            body["access_token"] = token
            return answer(200, body)
        token = request.headers["Authorization"].removeprefix("Bearer ")
        alive = self.clock() < self.issued.get(token, -1e9) + self.lifetime
        self.api_statuses.append(200 if alive else 401)
        return answer(200, {"ok": True}) if alive else answer(401, {"error": {"status": 401}})


class Keeper:
    description = "test keeper"
    can_keep = True

    def __init__(self, accounts: Accounts) -> None:
        self.kept: list[str] = []
        self.accounts = accounts

    async def keep(self, grant: UserGrant) -> None:
        # stored before anything can use it: no token request happened since the rotation
        self.kept.append(grant.refresh_token)


def build(
    accounts: Accounts,
    *,
    limit: int = 1000,
    window: float = 30.0,
    grant: UserGrant | None = None,
    keeper: Keeper | None = None,
    concurrency: int = 4,
) -> SpotifyClient:
    clock = accounts.clock
    circuit = Circuit(clock=clock)
    http = httpx.AsyncClient(transport=httpx.MockTransport(accounts))
    tokens = TokenProvider(
        http,
        ACCOUNTS,
        AppCredentials("id", "secret"),
        clock,
        clock.sleep,
        grant=grant or UserGrant("r", datetime(2026, 6, 1, tzinfo=UTC)),
        keeper=keeper,
        on_unavailable=circuit.trip,
        wall_clock=lambda: datetime(2026, 12, 1, tzinfo=UTC),
    )
    return SpotifyClient(
        http,
        tokens,
        API,
        RollingWindowLimiter(limit, window, clock=clock, sleep=clock.sleep),
        concurrency=concurrency,
        policy=RetryPolicy(max_attempts=3, max_retry_after=60),
        sleep=clock.sleep,
        circuit=circuit,
    )


def test_the_renewal_margin_is_a_fifth_of_a_short_lifetime_and_at_most_60_s() -> None:
    assert renewal_margin(3600) == 60.0
    assert renewal_margin(5) == 1.0
    assert renewal_margin(0) == 0.0


async def test_requests_queued_behind_the_limiter_longer_than_a_token_lives_all_succeed() -> None:
    clock = Clock()
    accounts = Accounts(clock, lifetime=5.0)
    # 2 requests per 4 s: 20 requests queue for ~40 s, eight token lifetimes (the
    # concurrency bound equals the limit: the fake clock moves only on window waits)
    client = build(accounts, limit=2, window=4.0, concurrency=2)
    results = await asyncio.gather(
        *(client.get(f"/albums/{i}", token=TokenKind.APP) for i in range(20))
    )
    assert [r.data for r in results] == [{"ok": True}] * 20
    assert accounts.api_statuses == [200] * 20  # never a 401: each token was fresh at send
    assert clock.now >= 36
    # a token is renewed only when stale: far fewer fetches than requests
    assert len(accounts.token_forms) < 20


async def test_concurrent_requests_share_one_token_fetch() -> None:
    accounts = Accounts(Clock(), lifetime=3600)
    client = build(accounts)
    await asyncio.gather(*(client.get(f"/albums/{i}", token=TokenKind.APP) for i in range(8)))
    assert len(accounts.token_forms) == 1


async def test_a_dead_accounts_service_fails_the_first_request_and_stops_the_rest_at_once() -> None:
    clock = Clock()
    accounts = Accounts(clock)
    accounts.token_status = 503
    client = build(accounts)
    with pytest.raises(SpotifyUnavailable, match="token endpoint"):
        await client.get("/albums/a", token=TokenKind.APP)
    fetches = len(accounts.token_forms)
    spent = clock.now
    for path in ("/albums/b", "/me/player/recently-played"):
        kind = TokenKind.USER if path.startswith("/me") else TokenKind.APP
        with pytest.raises((RunStopped, SpotifyUnavailable)) as raised:
            await client.get(path, token=kind)
        assert path in raised.value.reason or "token endpoint" in raised.value.reason
    assert len(accounts.token_forms) == fetches  # remembered: no more token requests
    assert clock.now == spent  # and no more waiting
    assert client.circuit.tripped


async def test_a_rotated_refresh_token_is_kept_before_the_next_refresh_uses_it() -> None:
    clock = Clock()
    accounts = Accounts(clock, lifetime=5.0, rotate=True)
    keeper = Keeper(accounts)
    client = build(accounts, keeper=keeper)
    await client.get("/me/player/recently-played", token=TokenKind.USER)
    clock.now += 10  # the access token expired: refresh again, with the rotated token
    await client.get("/me/player/recently-played", token=TokenKind.USER)
    refreshes = [f["refresh_token"] for f in accounts.token_forms if "refresh_token" in f]
    assert refreshes == ["r", keeper.kept[0]]
    assert len(keeper.kept) == 2
    assert client.tokens.grant is not None
    assert client.tokens.grant.refresh_token == keeper.kept[-1]
    assert client.tokens.grant.authorized_at == datetime(2026, 6, 1, tzinfo=UTC)  # kept
    assert client.tokens.problems == []


async def test_a_rotation_with_the_environment_variable_warns_it_cannot_be_kept() -> None:
    accounts = Accounts(Clock(), rotate=True)
    client = build(accounts, grant=UserGrant("r"))
    await client.get("/me/player/recently-played", token=TokenKind.USER)
    assert client.tokens.warnings == [ROTATION_LOST]


async def test_invalid_grant_says_expired_or_revoked_when_given_and_what_to_run() -> None:
    accounts = Accounts(Clock())
    given = datetime(2026, 6, 1, tzinfo=UTC) - timedelta(days=10)
    client = build(accounts, grant=UserGrant("gone", given))
    with pytest.raises(AuthorizationExpired) as raised:
        await client.get("/me/player/recently-played", token=TokenKind.USER)
    line = raised.value.reason
    assert "invalid_grant" in line
    assert "expired or was revoked" in line
    assert "2026-05-22" in line
    assert "extractor auth --store" in line
    # the user token is not asked for again, but app tokens still work
    fetches = len(accounts.token_forms)
    with pytest.raises(AuthorizationExpired):
        await client.get("/me/player/recently-played", token=TokenKind.USER)
    assert len(accounts.token_forms) == fetches
    assert (await client.get("/albums/a", token=TokenKind.APP)).data == {"ok": True}
    assert not client.circuit.tripped


def test_token_answer_reads_a_rotated_refresh_token() -> None:
    from extractor.spotify.tokens import TokenAnswer

    body = json.dumps({"access_token": "a", "expires_in": 5, "refresh_token": "new"})
    assert TokenAnswer.model_validate_json(body).refresh_token == "new"
