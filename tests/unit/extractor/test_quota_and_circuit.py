"""QUOTA_EXCEEDED and long 429s stop every queued request at once; 429 without Retry-After."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from extractor.circuit import Circuit
from extractor.client import is_quota_exceeded
from extractor.outcome import Status, failed
from extractor.spotify_errors import QuotaExceeded, RunStopped, SpotifyUnavailable
from extractor.tokens import TokenKind

from tests.unit.extractor.conftest import answer
from tests.unit.extractor.test_tokens_at_send import Accounts, Clock, build

QUOTA_BODY = {
    "error": {"status": 429, "message": "Daily quota exceeded", "reason": "QUOTA_EXCEEDED"}
}


class Scripted(Accounts):
    """Tokens as usual; API answers from a script, then 200."""

    def __init__(self, clock: Clock, script: list[httpx.Response]) -> None:
        super().__init__(clock, lifetime=3600)
        self.script = script
        self.sent: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/token":
            return super().__call__(request)
        self.sent.append(request.url.path)
        return self.script.pop(0) if self.script else answer(200, {"ok": True})


def test_quota_is_recognised_from_the_body_at_top_level_or_inside_error() -> None:
    assert is_quota_exceeded(answer(429, QUOTA_BODY))
    assert is_quota_exceeded(answer(429, {"reason": "QUOTA_EXCEEDED"}))
    assert not is_quota_exceeded(
        answer(429, {"error": {"status": 429, "message": "API rate limit exceeded"}})
    )
    assert not is_quota_exceeded(httpx.Response(429, content=b"not json"))


async def test_a_quota_hit_stops_every_queued_request_at_once_naming_its_own_url() -> None:
    clock = Clock()
    api = Scripted(clock, [answer(429, QUOTA_BODY, {"Retry-After": "86400"})])
    # one request per 10 s: the other nine wait in the limiter when the quota answer comes
    client = build(api, limit=1, window=10.0, concurrency=1)
    results = await asyncio.gather(
        *(client.get(f"/albums/{i}", token=TokenKind.APP) for i in range(10)),
        return_exceptions=True,
    )
    assert isinstance(results[0], QuotaExceeded)
    assert results[0].retry_after == 86400
    assert api.sent == ["/v1/albums/0"]  # nothing queued went out
    for i, result in enumerate(results[1:], start=1):
        assert isinstance(result, RunStopped)
        assert result.reason.startswith(f"GET https://api.test/v1/albums/{i} not sent:")
        assert "QUOTA_EXCEEDED" in result.reason
        assert "/albums/0" not in result.reason  # not the URL of the request that met it
        assert isinstance(result.cause, QuotaExceeded)
        assert failed("x", result.reason, result).status is Status.FAILED
    assert clock.now < 60  # never waited out the day
    assert client.counters.quota_exceeded == 1


async def test_a_429_without_retry_after_backs_off_and_gives_up_after_a_bounded_count() -> None:
    clock = Clock()
    api = Scripted(clock, [answer(429, {"error": {"status": 429}})] * 50)
    client = build(api)
    with pytest.raises(SpotifyUnavailable, match="rate limited 11 times in a row"):
        await client.get("/albums/a", token=TokenKind.APP)
    assert len(api.sent) == 11  # max_rate_limited 10, then the bound
    assert 1 < clock.now < 11 * 30  # exponential steps capped at 30 s, not 1 s each
    assert client.circuit.tripped  # past the bound: the run's queued requests stop


async def test_the_deadline_stops_new_requests_cleanly() -> None:
    clock = Clock()
    circuit = Circuit(deadline=5.0, clock=clock)
    circuit.check("GET a")
    clock.now = 5.0
    with pytest.raises(RunStopped) as raised:
        circuit.check("GET b")
    assert raised.value.cause is None
    assert "EXTRACTOR_RUN_DEADLINE" in raised.value.reason
    assert failed("playlist p", raised.value.reason, raised.value).status is Status.STOPPED


async def test_a_stop_cancels_a_wait_in_progress() -> None:
    circuit = Circuit()
    forever = asyncio.get_running_loop().create_future()

    async def stop_soon() -> None:
        await asyncio.sleep(0)
        circuit.stop("SIGTERM")

    stopper = asyncio.ensure_future(stop_soon())
    with pytest.raises(RunStopped, match="GET x not sent: SIGTERM"):
        await circuit.race(forever, "GET x")
    await stopper
    assert forever.cancelled()
