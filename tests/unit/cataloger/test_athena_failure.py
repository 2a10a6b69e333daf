"""A failed Athena query surfaces Athena's own reason (StateChangeReason).

moto's Athena never fails a query, so this runs against a small HTTP double
speaking Athena's JSON protocol: the real aiobotocore client, no mocking.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiobotocore.session import get_session
from spotify_etl_common.athena import AthenaQueries
from spotify_etl_common.errors import PermanentError

REASON = "line 1:8: Column 'nope' cannot be resolved"


class FailingAthena(BaseHTTPRequestHandler):
    """Queues every query, then reports it FAILED with :data:`REASON`."""

    polls = 0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        action = self.headers.get("X-Amz-Target", "").split(".")[-1]
        if action == "StartQueryExecution":
            body: dict[str, object] = {"QueryExecutionId": "q-1"}
        else:
            FailingAthena.polls += 1
            state = "RUNNING" if FailingAthena.polls == 1 else "FAILED"
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
    server = ThreadingHTTPServer(("127.0.0.1", 0), FailingAthena)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


async def test_a_failed_query_raises_permanent_error_with_athenas_reason(
    athena_double: str,
) -> None:
    session = get_session()
    async with session.create_client(
        "athena",
        region_name="us-east-1",
        endpoint_url=athena_double,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ) as client:
        queries = AthenaQueries(client, "spotify", "primary", "s3://b/athena-results/", 0.01)
        with pytest.raises(PermanentError) as failure:
            await queries.execute("SELECT nope FROM songs")
    assert failure.value.reason == f"Athena query q-1 FAILED: {REASON}"
