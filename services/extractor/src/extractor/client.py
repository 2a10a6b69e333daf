"""The Spotify Web API client on ``httpx.AsyncClient``: tokens, pacing, retries.

Every GET passes the rolling-window limiter and a bound on requests in flight.
401: the token is renewed once. 429: ``Retry-After`` is honoured (and pauses
every request); past ``max_retry_after`` the work ends as a transient error
carrying the delay. 5xx, timeouts and connection errors: exponential backoff
with jitter. Any other 4xx is a :class:`SpotifyHttpError`.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from extractor.limiter import RollingWindowLimiter
from extractor.retry import RetryPolicy, backoff_delay, parse_retry_after
from extractor.spotify_errors import SpotifyHttpError, SpotifyUnavailable
from extractor.tokens import TokenKind, TokenProvider


@dataclass(frozen=True)
class SpotifyResponse:
    """One successful answer: the bytes as received and the parsed JSON."""

    url: str
    body: bytes
    data: Any


@dataclass
class RequestCounters:
    """What a run did against Spotify (for the run summary and metrics)."""

    requests: int = 0
    rate_limited: int = 0
    server_errors: int = 0
    transport_errors: int = 0
    unauthorized: int = 0
    waited_seconds: float = 0.0
    by_status: dict[int, int] = field(default_factory=dict)


class SpotifyClient:
    """GET against the Web API with every rule of the module docstring."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        tokens: TokenProvider,
        api_url: str,
        limiter: RollingWindowLimiter,
        concurrency: int,
        policy: RetryPolicy,
        rng: random.Random | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._http = http
        self.tokens = tokens
        self.api_url = api_url.rstrip("/")
        self._limiter = limiter
        self._slots = asyncio.Semaphore(concurrency)
        self._policy = policy
        self._rng = rng or random.Random()
        self._sleep = sleep
        self.counters = RequestCounters()
        self._blocked: SpotifyUnavailable | None = None

    def url_for(self, path: str) -> str:
        """Absolute URL of an API path (``/playlists/x``) or an absolute ``next`` link."""
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.api_url}/{path.lstrip('/')}"

    async def get(
        self, path: str, params: Mapping[str, str | int] | None = None, *, token: TokenKind
    ) -> SpotifyResponse:
        """GET one resource; the answer's bytes are kept exactly as received."""
        url = self.url_for(path)
        failures = 0
        rate_limited = 0
        renewed = False
        while True:
            if self._blocked is not None:
                raise SpotifyUnavailable(self._blocked.reason, self._blocked.retry_after)
            access = await self.tokens.token(token)
            try:
                # the pacing slot is taken inside the concurrency slot: no bunching after waits
                async with self._slots, self._limiter.slot():
                    self.counters.requests += 1
                    response = await self._http.get(
                        url, params=params, headers={"Authorization": f"Bearer {access}"}
                    )
            except httpx.TransportError as error:
                self.counters.transport_errors += 1
                failures += 1
                reason = f"GET {url}: {type(error).__name__}: {error}"
                await self._back_off(failures, reason)
                continue
            status = response.status_code
            self.counters.by_status[status] = self.counters.by_status.get(status, 0) + 1
            if status == 200:
                return SpotifyResponse(str(response.url), response.content, _json(url, response))
            if status == 401 and not renewed:
                self.counters.unauthorized += 1
                self.tokens.invalidate(token, access)
                renewed = True
                continue
            if status == 429:
                self.counters.rate_limited += 1
                rate_limited += 1
                delay = parse_retry_after(response.headers.get("Retry-After"))
                if delay > self._policy.max_retry_after:
                    self._blocked = SpotifyUnavailable(
                        f"GET {url} rate limited with Retry-After {delay:.0f} s, longer than "
                        f"EXTRACTOR_MAX_RETRY_AFTER {self._policy.max_retry_after:.0f} s",
                        retry_after=delay,
                    )
                    raise self._blocked
                if rate_limited > self._policy.max_rate_limited:
                    raise SpotifyUnavailable(
                        f"GET {url} rate limited {rate_limited} times in a row", retry_after=delay
                    )
                self._limiter.pause(delay)
                self.counters.waited_seconds += delay
                continue
            if status >= 500:
                self.counters.server_errors += 1
                failures += 1
                await self._back_off(failures, f"GET {url} answered {status}")
                continue
            raise SpotifyHttpError(status, url, _message(response))

    async def _back_off(self, failures: int, reason: str) -> None:
        if failures >= self._policy.max_attempts:
            raise SpotifyUnavailable(f"{reason} (gave up after {failures} attempts)")
        delay = backoff_delay(self._policy, failures - 1, self._rng)
        self.counters.waited_seconds += delay
        await self._sleep(delay)


def _json(url: str, response: httpx.Response) -> Any:
    try:
        return json.loads(response.content)
    except ValueError as error:
        raise SpotifyHttpError(response.status_code, url, f"body is not JSON: {error}") from error


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("message", response.reason_phrase))
    return response.reason_phrase
