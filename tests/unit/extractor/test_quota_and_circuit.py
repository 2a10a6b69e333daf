"""QUOTA_EXCEEDED and long 429s stop every queued request at once; 429 without Retry-After."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from extractor.outcome import Status, failed
from extractor.run import RunReport
from extractor.spotify.circuit import Circuit
from extractor.spotify.client import is_quota_exceeded
from extractor.spotify.errors import QuotaExceeded, RunStopped, SpotifyUnavailable
from extractor.spotify.limiter import RollingWindowLimiter
from extractor.spotify.tokens import TokenKind

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
        self.times: list[float] = []
        """The clock when each API request was sent."""

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/token":
            return super().__call__(request)
        self.sent.append(request.url.path)
        self.times.append(self.clock.now)
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
    # a window (30 s) first, doubling, capped at 300 s: never seconds apart
    assert api.times == [0, 30, 90, 210, 450, 750, 1050, 1350, 1650, 1950, 2250]
    assert client.circuit.tripped  # past the bound: the run's queued requests stop


async def test_429s_without_retry_after_share_one_gate_across_requests_in_flight() -> None:
    clock = Clock()
    limited = answer(429, {"error": {"status": 429, "message": "API rate limit exceeded"}})
    api = Scripted(clock, [limited] * 4)
    client = build(api, concurrency=4)
    results = await asyncio.gather(
        *(client.get(f"/albums/{i}", token=TokenKind.APP) for i in range(4))
    )
    assert len(results) == 4
    # the four 429s of requests in flight close the gate once: one window, then all go again
    assert api.times == [0, 0, 0, 0, 30, 30, 30, 30]
    assert client.counters.rate_limited == 4


async def test_the_gate_waits_a_window_then_doubles_to_its_cap_and_resets_after_an_answer() -> None:
    clock = Clock()
    limiter = RollingWindowLimiter(100, 30.0, clock=clock, sleep=clock.sleep, cap=100.0)
    clock.now = 2.0
    assert limiter.rate_limited(sent_at=1.0) == 30.0  # closed at 2 s until 32 s
    clock.now = 3.0
    assert limiter.rate_limited(sent_at=1.5) == 29.0  # in flight when it closed: no longer
    limiter.answered(sent_at=1.8)  # sent before the gate closed: says nothing
    waits, reopens = [], 32.0
    for _ in range(4):  # each sent when the gate reopened, each refused again
        clock.now = sent = reopens
        clock.now += 0.5  # the answer's time
        waits.append(limiter.rate_limited(sent_at=sent))
        reopens = clock.now + waits[-1]
    assert waits == [60.0, 100.0, 100.0, 100.0]
    clock.now = reopens
    limiter.answered(sent_at=clock.now)  # got through: the streak is over
    clock.now += 1.0
    assert limiter.rate_limited(sent_at=clock.now) == 30.0


async def test_a_rate_limit_wait_ending_past_the_deadline_stops_the_run_at_once() -> None:
    clock = Clock()
    api = Scripted(clock, [answer(429, {"error": {"status": 429}})] * 50)
    client = build(api)
    client.circuit = Circuit(deadline=100.0, clock=clock)
    with pytest.raises(RunStopped) as raised:
        await client.get("/albums/a", token=TokenKind.APP)
    # waits of 30 and 60 s fit before the deadline; the next (120 s) would not: stop at 90 s
    assert api.times == [0, 30, 90]
    assert clock.now == 90
    assert client.circuit.deadline_reached  # a clean stop: state kept, the next run goes on
    assert raised.value.cause is None
    assert failed("album a", raised.value.reason, raised.value).status is Status.STOPPED
    report = RunReport("r", stop_reason=client.circuit.stop_reason, deadline=True)
    assert report.deferred
    line = report.stop_line()
    assert line is not None
    assert line.startswith("Spotify kept answering 429; the next wait (120 s) would end past")


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
