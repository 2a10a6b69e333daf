"""The Spotify Web API client on ``httpx.AsyncClient``: tokens, pacing, retries.

Every GET waits for a bound on requests in flight and a rolling-window slot,
then takes its token (so the token is fresh when the request leaves) and goes.
401: the token is renewed once. 429: ``Retry-After`` is honoured (and pauses
every request); a 429 without one closes the limiter's shared gate (a window
first, then doubling up to a cap: :meth:`RollingWindowLimiter.rate_limited`),
and when that wait would end past the run deadline the run stops at once, as
at its deadline. Past ``max_retry_after`` or ``max_rate_limited`` answers, or
on ``QUOTA_EXCEEDED``, the run's :class:`Circuit` trips and every queued
request stops at once. 5xx,
timeouts and connection errors: exponential backoff with jitter. Any other 4xx
is a :class:`SpotifyHttpError`. The token goes only to the configured API's own
host over https (:mod:`extractor.spotify.hosts`): a ``next`` link elsewhere is rebuilt
on the API (:meth:`SpotifyClient.next_request`), and an absolute URL elsewhere
is refused before anything is sent.
"""

from __future__ import annotations

import asyncio
import copy
import json
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from spotify_etl_common.errors import PermanentError
from spotify_etl_common.logs import get_logger

from extractor.spotify.circuit import Circuit
from extractor.spotify.errors import QuotaExceeded, SpotifyHttpError, SpotifyUnavailable
from extractor.spotify.hosts import may_follow, next_request, origin_of
from extractor.spotify.limiter import RollingWindowLimiter
from extractor.spotify.retry import RetryPolicy, backoff_delay, parse_retry_after
from extractor.spotify.tokens import TokenKind, TokenProvider
from extractor.spotify.turns import Turns

QUOTA_REASON = "QUOTA_EXCEEDED"
log = get_logger("extractor")


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
    quota_exceeded: int = 0
    waited_seconds: float = 0.0
    by_status: dict[int, int] = field(default_factory=dict)

    @classmethod
    def total(cls, parts: list[RequestCounters]) -> RequestCounters:
        """The counters of several clients (one per user) added up."""
        total = cls()
        for part in parts:
            total.requests += part.requests
            total.rate_limited += part.rate_limited
            total.server_errors += part.server_errors
            total.transport_errors += part.transport_errors
            total.unauthorized += part.unauthorized
            total.quota_exceeded += part.quota_exceeded
            total.waited_seconds += part.waited_seconds
            for status, count in part.by_status.items():
                total.by_status[status] = total.by_status.get(status, 0) + count
        return total


class SpotifyClient:
    """GET against the Web API with every rule of the module docstring.

    :meth:`for_user` makes a sibling with another user's tokens sharing everything
    that belongs to the app: the connection pool, the limiter and its 429 gate, the
    slots in flight (taken in turns by user, :class:`Turns`) and the run's circuit.
    """

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
        circuit: Circuit | None = None,
        lane: str = "",
    ) -> None:
        self._http = http
        self.tokens = tokens
        self.api_url = api_url.rstrip("/")
        self._limiter = limiter
        self._slots = Turns(concurrency)
        self.lane = lane
        """Whose requests these are (a user's id, '' for the app's own): the turn taken."""
        self._policy = policy
        self._rng = rng or random.Random()
        self._sleep = sleep
        self.circuit = circuit or Circuit()
        self.counters = RequestCounters()

    def for_user(self, tokens: TokenProvider, lane: str) -> SpotifyClient:
        """The client of one user: ``tokens`` and own counters, the app's pacing shared."""
        sibling = copy.copy(self)
        sibling.tokens = tokens
        sibling.lane = lane
        sibling.counters = RequestCounters()
        return sibling

    @property
    def turns(self) -> Turns:
        """The slots in flight, shared by every sibling."""
        return self._slots

    def url_for(self, path: str) -> str:
        """Absolute URL of an API path (``/playlists/x``) or of a link on the API's own host."""
        parts = urlsplit(path)
        if parts.scheme or parts.netloc:
            if not may_follow(path, self.api_url):
                raise PermanentError(
                    f"refused to send the token to {origin_of(path)}: only the API's own host "
                    f"({origin_of(self.api_url)}) over https is asked"
                )
            return path
        return f"{self.api_url}/{path.lstrip('/')}"

    def next_request(
        self,
        link: str | None,
        path: str,
        params: Mapping[str, str | int],
        offset: int,
        *,
        name: str,
    ) -> tuple[str, Mapping[str, str | int] | None] | None:
        """The request of the page after one whose ``next`` is ``link`` (None: the last page).

        A link elsewhere than the API's own host over https (a page stored by a run
        with another ``SPOTIFY_API_URL``, or a foreign link) is not followed: ``path``
        is asked again with the next ``offset`` or the link's cursor.
        """
        request = next_request(link, self.api_url, path, params, offset)
        if request is not None and link is not None and request[1] is not None:
            log.info(
                "extract.link.rebuilt",
                source=name,
                link_host=origin_of(link),
                api_host=origin_of(self.api_url),
                path=path,
            )
        return request

    async def get(
        self, path: str, params: Mapping[str, str | int] | None = None, *, token: TokenKind
    ) -> SpotifyResponse:
        """GET one resource; the answer's bytes are kept exactly as received."""
        url = self.url_for(path)
        what = f"GET {url}"
        failures = 0
        rate_limited = 0
        renewed = False
        while True:
            sent = await self._send(url, params, token, what)
            if isinstance(sent, httpx.TransportError):
                self.counters.transport_errors += 1
                failures += 1
                await self._back_off(failures, f"{what}: {type(sent).__name__}: {sent}", what)
                continue
            response, access, sent_at = sent
            status = response.status_code
            self.counters.by_status[status] = self.counters.by_status.get(status, 0) + 1
            if status != 429:
                self._limiter.answered(sent_at)
            if status == 200:
                return SpotifyResponse(str(response.url), response.content, _json(url, response))
            if status == 401 and not renewed:
                self.counters.unauthorized += 1
                self.tokens.invalidate(token, access)
                renewed = True
                continue
            if status == 429:
                rate_limited += 1
                await self._rate_limited(response, rate_limited, what, sent_at)
                continue
            if status >= 500:
                self.counters.server_errors += 1
                failures += 1
                await self._back_off(failures, f"{what} answered {status}", what)
                continue
            raise SpotifyHttpError(status, url, _message(response))

    async def _send(
        self, url: str, params: Mapping[str, str | int] | None, kind: TokenKind, what: str
    ) -> tuple[httpx.Response, str, float] | httpx.TransportError:
        """Wait for a slot (unless the run stops), then take the token and send at once."""
        await self.circuit.race(self._admit(), what)
        try:
            self.circuit.check(what)
            access = await self.tokens.token(kind)
            self.circuit.check(what)
            self.counters.requests += 1
            sent_at = self._limiter.now()
            try:
                response = await self._http.get(
                    url, params=params, headers={"Authorization": f"Bearer {access}"}
                )
            except httpx.TransportError as error:
                return error
            return response, access, sent_at
        finally:
            self._limiter.release()
            self._slots.release()

    async def _admit(self) -> None:
        # the pacing slot is taken inside the concurrency slot: no bunching after waits
        await self._slots.acquire(self.lane)
        try:
            await self._limiter.acquire()
        except BaseException:
            self._slots.release()
            raise

    async def _rate_limited(
        self, response: httpx.Response, count: int, what: str, sent_at: float
    ) -> None:
        """Wait out one 429, or stop the run when waiting is pointless."""
        self.counters.rate_limited += 1
        header = response.headers.get("Retry-After")
        if is_quota_exceeded(response):
            self.counters.quota_exceeded += 1
            delay = parse_retry_after(header) if header else None
            error: SpotifyUnavailable = QuotaExceeded(
                f"{what} answered 429 QUOTA_EXCEEDED: the app's daily Spotify quota is exhausted",
                retry_after=delay,
            )
            self.circuit.trip(error, "Spotify answered 429 QUOTA_EXCEEDED (the daily quota)")
            raise error
        asked = parse_retry_after(header) if header else None
        if asked is not None and asked > self._policy.max_retry_after:
            error = SpotifyUnavailable(
                f"{what} rate limited with Retry-After {asked:.0f} s, longer than "
                f"EXTRACTOR_MAX_RETRY_AFTER {self._policy.max_retry_after:.0f} s",
                retry_after=asked,
            )
            self.circuit.trip(
                error, f"Spotify asked to wait {asked:.0f} s, longer than EXTRACTOR_MAX_RETRY_AFTER"
            )
            raise error
        if count > self._policy.max_rate_limited:
            error = SpotifyUnavailable(
                f"{what} rate limited {count} times in a row", retry_after=asked
            )
            self.circuit.trip(error, f"a request was rate limited {count} times in a row")
            raise error
        if asked is not None:
            self._limiter.pause(asked)
            delay = asked
        else:  # no Retry-After: one shared gate, a window first, then longer (the limiter)
            delay = self._limiter.rate_limited(sent_at)
        if self.circuit.ends_within(delay):  # certain to be cut: stop now, state kept
            asking = "asked to wait" if asked is not None else "kept answering 429; the next wait"
            self.circuit.stop_ahead_of_deadline(
                f"Spotify {asking} ({delay:.0f} s) would end past the run deadline "
                "(EXTRACTOR_RUN_DEADLINE)"
            )
            return
        self.counters.waited_seconds += delay

    async def _back_off(self, failures: int, reason: str, what: str) -> None:
        if failures >= self._policy.max_attempts:
            raise SpotifyUnavailable(f"{reason} (gave up after {failures} attempts)")
        delay = backoff_delay(self._policy, failures - 1, self._rng)
        self.counters.waited_seconds += delay
        await self.circuit.race(self._sleep(delay), what)


def is_quota_exceeded(response: httpx.Response) -> bool:
    """A 429 whose body carries ``"reason": "QUOTA_EXCEEDED"`` (top level or in ``error``)."""
    try:
        body = response.json()
    except ValueError:
        return False
    if not isinstance(body, dict):
        return False
    error = body.get("error")
    nested = error.get("reason") if isinstance(error, dict) else None
    return QUOTA_REASON in (body.get("reason"), nested)


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
