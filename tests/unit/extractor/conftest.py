"""Spotify doubles for unit tests: an httpx MockTransport handler with state."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from extractor.spotify.client import SpotifyClient
from extractor.spotify.limiter import RollingWindowLimiter
from extractor.spotify.retry import RetryPolicy
from extractor.spotify.tokens import AppCredentials, TokenProvider

API = "https://api.test/v1"
ACCOUNTS = "https://accounts.test"
Route = Callable[[httpx.Request], httpx.Response]


def answer(status: int, body: object, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(body).encode(), headers=headers)


@dataclass
class FakeApi:
    """Answers token requests, then API requests from a queue of scripted responses.

    A scripted transport error (``httpx.ReadTimeout("slow")``) is raised for its request.
    """

    script: list[httpx.Response | httpx.TransportError] = field(default_factory=list)
    token_status: int = 200
    token_body: dict[str, object] = field(
        default_factory=lambda: {"access_token": "t", "expires_in": 3600}
    )
    requests: list[httpx.Request] = field(default_factory=list)
    token_requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/token":
            self.token_requests.append(request)
            body = dict(self.token_body)
            body["access_token"] = f"token-{len(self.token_requests)}"
            return answer(self.token_status, body if self.token_status == 200 else self.token_body)
        self.requests.append(request)
        scripted = self.script.pop(0) if self.script else answer(200, {"ok": True})
        if isinstance(scripted, httpx.TransportError):
            scripted.request = request
            raise scripted
        return scripted


async def no_sleep(seconds: float) -> None:
    return None


def make_client(
    api: FakeApi,
    *,
    refresh_token: str | None = "r",
    policy: RetryPolicy | None = None,
    slept: list[float] | None = None,
) -> SpotifyClient:
    now = [0.0]

    def clock() -> float:
        return now[0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds
        if slept is not None:
            slept.append(seconds)

    http = httpx.AsyncClient(transport=httpx.MockTransport(api))
    tokens = TokenProvider(
        http, ACCOUNTS, AppCredentials("id", "secret", refresh_token), clock, sleep
    )
    return SpotifyClient(
        http,
        tokens,
        API,
        RollingWindowLimiter(1000, 30.0, clock=clock, sleep=sleep),
        concurrency=2,
        policy=policy or RetryPolicy(max_attempts=3, max_retry_after=60),
        sleep=sleep,
    )
