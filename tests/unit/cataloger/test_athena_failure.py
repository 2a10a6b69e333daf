"""Athena's wait: a failed query surfaces Athena's own reason (StateChangeReason), and the
polling runs on an injected clock and sleep (virtual time: nothing waits for real).

moto's Athena never fails a query nor keeps one running, so this runs against a small
HTTP double speaking Athena's JSON protocol: the real aiobotocore client, no mocking.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiobotocore.session import get_session
from spotify_etl_common.athena import AthenaQueries
from spotify_etl_common.errors import PermanentError, TransientError

REASON = "line 1:8: Column 'nope' cannot be resolved"


class ScriptedAthena(BaseHTTPRequestHandler):
    """Answers each poll with the next state of :attr:`script` (the last one from then on);
    a FAILED state carries :data:`REASON`."""

    script: tuple[str, ...] = ("RUNNING", "FAILED")
    polls = 0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        action = self.headers.get("X-Amz-Target", "").split(".")[-1]
        if action == "StartQueryExecution":
            body: dict[str, object] = {"QueryExecutionId": "q-1"}
        else:
            script = ScriptedAthena.script
            state = script[min(ScriptedAthena.polls, len(script) - 1)]
            ScriptedAthena.polls += 1
            status: dict[str, object] = {"State": state}
            if state == "FAILED":
                status["StateChangeReason"] = REASON
            body = {"QueryExecution": {"QueryExecutionId": "q-1", "Status": status}}
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def athena_double() -> Iterator[str]:
    ScriptedAthena.polls = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), ScriptedAthena)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class VirtualTime:
    """A clock that only the injected sleep moves; every sleep recorded."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


async def _execute(
    endpoint: str, script: tuple[str, ...], time: VirtualTime, poll: float, timeout: float
) -> str:
    ScriptedAthena.script = script
    session = get_session()
    async with session.create_client(
        "athena",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ) as client:
        queries = AthenaQueries(
            client,
            "spotify",
            "primary",
            "s3://b/athena-results/",
            poll,
            timeout,
            clock=time.clock,
            sleep=time.sleep,
        )
        return await queries.execute("SELECT nope FROM songs")


async def test_a_failed_query_raises_permanent_error_with_athenas_reason(
    athena_double: str,
) -> None:
    with pytest.raises(PermanentError) as failure:
        await _execute(athena_double, ("RUNNING", "FAILED"), VirtualTime(), 1.0, 600.0)
    assert failure.value.reason == f"Athena query q-1 FAILED: {REASON}"


async def test_the_wait_polls_at_its_interval_until_the_query_ends(athena_double: str) -> None:
    time = VirtualTime()
    script = ("QUEUED", "RUNNING", "RUNNING", "SUCCEEDED")
    assert await _execute(athena_double, script, time, 5.0, 600.0) == "q-1"
    assert time.slept == [5.0, 5.0, 5.0]
    assert ScriptedAthena.polls == 4


async def test_a_query_still_running_past_the_timeout_is_transient(athena_double: str) -> None:
    """Given back to be retried, never waited on for ever; 30 virtual seconds, none real."""
    time = VirtualTime()
    with pytest.raises(TransientError) as late:
        await _execute(athena_double, ("QUEUED", "RUNNING"), time, 10.0, 30.0)
    assert late.value.reason == "Athena query q-1 still RUNNING after 30s"
    assert time.slept == [10.0, 10.0, 10.0]
    assert time.now == 30.0
    assert ScriptedAthena.polls == 4
