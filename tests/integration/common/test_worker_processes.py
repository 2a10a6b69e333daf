"""Clean stops and clear failures of the worker services, run as real processes on moto.

SIGTERM goes to a child process, never to the test runner. A slow dependency
is a delaying proxy in front of moto (``AWS_ENDPOINT_URL_GLUE`` /
``AWS_ENDPOINT_URL_S3`` point at it): a request it is told to hold waits
until the test lets it go, the way a Glue or S3 call can take 20 s on AWS.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import polars as pl
import pytest
from spotify_etl.local.provision import Provisioned
from spotify_etl_common.keys import playlist_items_key
from spotify_etl_common.messages import RawObjectWritten, Source
from spotify_etl_common.tables import TABLES
from transformer.schemas import DTYPES

from tests.conftest import LocalAws

pytestmark = pytest.mark.integration
BIN = Path(sys.executable).parent
GRACE = 3.0
UNREACHABLE = "http://127.0.0.1:1"


class DelayingProxy(ThreadingHTTPServer):
    """Forwards to moto; requests ``hold`` picks wait until :meth:`release` (then fail)."""

    daemon_threads = True

    def __init__(self, upstream: str, hold: Callable[[str, str, dict[str, str]], bool]) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.upstream = urlsplit(upstream)
        self.hold = hold
        self.held = threading.Event()
        self._released = threading.Event()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def release(self) -> None:
        self._released.set()
        self.shutdown()
        self.server_close()


class _ProxyHandler(BaseHTTPRequestHandler):
    server: DelayingProxy

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
        headers = dict(self.headers.items())
        if self.server.hold(self.command, self.path, headers):
            self.server.held.set()
            self.server._released.wait(120)
            self.close_connection = True
            return
        upstream = http.client.HTTPConnection(
            self.server.upstream.hostname, self.server.upstream.port, timeout=30
        )
        upstream.request(self.command, self.path, body=body, headers=headers)
        answer = upstream.getresponse()
        data = answer.read()
        self.send_response(answer.status)
        for key, value in answer.getheaders():
            if key.lower() not in {"transfer-encoding", "connection", "content-length"}:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        upstream.close()

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _forward


class Service:
    """A service process whose stdout JSON lines are read as they come."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [str(BIN / argv[0]), *argv[1:]],
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[dict[str, Any]] = []
        self._arrived: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            line = json.loads(raw)  # stdout carries JSON lines only
            self.lines.append(line)
            self._arrived.put(line)

    def wait_for(self, event: str, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._arrived.get(timeout=left)
            except queue.Empty:
                break
            if line["event"] == event:
                return line
        raise AssertionError(f"no {event} line within {timeout} s; stderr: {self.stderr()}")

    def terminate(self) -> float:
        """SIGTERM, then the seconds until the process exited."""
        sent = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=GRACE + 15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        return time.monotonic() - sent

    def stderr(self) -> str:
        if self.process.poll() is None:
            return "(still running)"
        assert self.process.stderr is not None
        return self.process.stderr.read()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def services() -> Iterator[list[Service]]:
    started: list[Service] = []
    yield started
    for service in started:
        service.kill()


def worker_env(aws: LocalAws, stack: Provisioned, **extra: str) -> dict[str, str]:
    return {
        **aws.env(stack.names),
        "SPOTIFY_ETL_SHUTDOWN_GRACE": str(GRACE),
        "SPOTIFY_ETL_VISIBILITY_TIMEOUT": "120",
        "CATALOGER_DATABASE": f"db_{uuid.uuid4().hex[:10]}",
        "CATALOGER_PUBLISH_VIEWS": "false",
        **extra,
    }


def visible_bodies(aws: LocalAws, url: str) -> list[str]:
    """What another consumer can receive right now (visibility 0 means at once)."""
    sqs = aws.client("sqs")
    bodies: list[str] = []
    while batch := sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0, VisibilityTimeout=60
    ).get("Messages", []):
        bodies.extend(m["Body"] for m in batch)
    return bodies


def album_file(source_key: str, day: str) -> bytes:
    """A one-row ``albums`` Parquet file, as the transformer writes it."""
    schema = {c.name: DTYPES[c.type] for c in TABLES["albums"].columns}
    row: dict[str, Any] = dict.fromkeys(schema) | {
        "album_id": "a",
        "source_key": source_key,
        "extracted_at": datetime.fromisoformat(f"{day}T01:00:00+00:00"),
    }
    buffer = io.BytesIO()
    pl.DataFrame([row], schema=schema).write_parquet(buffer)
    return buffer.getvalue()


def test_sigterm_to_an_idle_worker_cancels_its_long_poll(
    moto_server: LocalAws, stack: Provisioned, services: list[Service]
) -> None:
    env = worker_env(moto_server, stack, SPOTIFY_ETL_WAIT_SECONDS="20")
    transformer = Service(["transformer"], env)
    services.append(transformer)
    transformer.wait_for("worker.started")
    time.sleep(0.5)  # inside the 20 s long poll

    seconds = transformer.terminate()

    assert seconds <= GRACE + 2, f"exited {seconds:.1f} s after SIGTERM"
    assert transformer.process.returncode == 0
    events = [line["event"] for line in transformer.lines]
    assert "receive.cancelled" in events
    assert events[-1] == "worker.stopped"


def test_sigterm_mid_batch_gives_the_batch_back_at_the_grace_deadline(
    moto_server: LocalAws, stack: Provisioned, services: list[Service]
) -> None:
    s3, sqs = moto_server.client("s3"), moto_server.client("sqs")
    bodies = []
    for n in range(4):
        day = f"2026-11-{10 + n}"
        key = f"curated/albums/dt={day}/{n:032x}.parquet"
        source = f"raw/source=albums/album_id=a{n}.json"
        s3.put_object(Bucket=stack.names.bucket, Key=key, Body=album_file(source, day))
        body = json.dumps(
            {
                "table": "albums",
                "bucket": stack.names.bucket,
                "key": key,
                "partition": {"dt": day},
                "rows": 1,
                "schema_version": 1,
                "source_key": source,
            }
        )
        sqs.send_message(QueueUrl=stack.queue_urls[stack.names.catalog_queue], MessageBody=body)
        bodies.append(body)
    slow_glue = DelayingProxy(  # the commit's last call: Glue swaps the table's metadata
        moto_server.endpoint,
        lambda method, path, headers: headers.get("X-Amz-Target", "").endswith(".UpdateTable"),
    )
    env = worker_env(moto_server, stack, AWS_ENDPOINT_URL_GLUE=slow_glue.url)
    cataloger = Service(["cataloger"], env)
    services.append(cataloger)
    try:
        assert slow_glue.held.wait(60), f"the batch never reached Glue: {cataloger.stderr()}"
        seconds = cataloger.terminate()
    finally:
        slow_glue.release()

    assert GRACE - 0.5 <= seconds <= GRACE + 2, f"exited {seconds:.1f} s after SIGTERM"
    assert cataloger.process.returncode == 0
    # every message of the batch is visible again at once, none dead-lettered
    assert sorted(visible_bodies(moto_server, stack.queue_urls[stack.names.catalog_queue])) == (
        sorted(bodies)
    )
    assert (
        visible_bodies(moto_server, stack.queue_urls[stack.names.dlq(stack.names.catalog_queue)])
        == []
    )
    handled = [line for line in cataloger.lines if line["event"] == "message.handled"]
    assert [line["outcome"] for line in handled] == ["given_back"] * 4


def test_sigterm_to_a_busy_transformer_gives_the_message_back(
    moto_server: LocalAws, stack: Provisioned, services: list[Service]
) -> None:
    key = playlist_items_key("p1", "snapA", 0)
    moto_server.client("s3").put_object(Bucket=stack.names.bucket, Key=key, Body=b"{}")
    message = RawObjectWritten(
        bucket=stack.names.bucket,
        key=key,
        source=Source.PLAYLIST_ITEMS,
        entity_id="p1",
        snapshot_id="snapA",
        page=0,
        run_id="run-1",
        extracted_at=datetime(2026, 11, 24, tzinfo=UTC),
    ).model_dump_json()
    work_url = stack.queue_urls[stack.names.transform_queue]
    moto_server.client("sqs").send_message(QueueUrl=work_url, MessageBody=message)
    slow_s3 = DelayingProxy(
        moto_server.endpoint, lambda method, path, headers: method == "GET" and "/raw/" in path
    )
    # the poll opened beside the busy message closes on SQS's side 1 s later, before the grace
    env = worker_env(
        moto_server, stack, AWS_ENDPOINT_URL_S3=slow_s3.url, SPOTIFY_ETL_WAIT_SECONDS="1"
    )
    transformer = Service(["transformer"], env)
    services.append(transformer)
    try:
        assert slow_s3.held.wait(60), f"the raw object was never read: {transformer.stderr()}"
        seconds = transformer.terminate()
    finally:
        slow_s3.release()

    assert GRACE - 0.5 <= seconds <= GRACE + 2, f"exited {seconds:.1f} s after SIGTERM"
    assert visible_bodies(moto_server, work_url) == [message]
    dlq = stack.queue_urls[stack.names.dlq(stack.names.transform_queue)]
    assert visible_bodies(moto_server, dlq) == []


@pytest.fixture(scope="module", autouse=True)
def unreachable(moto_server: LocalAws) -> Iterator[dict[str, subprocess.Popen[str]]]:
    """Each service started against an endpoint that refuses connections.

    The SDK's retries make each take about 10-30 s to give up, nearly all of it
    asleep (the clients' retry config is set in code, so ``AWS_MAX_ATTEMPTS`` /
    ``AWS_RETRY_MODE`` in the environment do not shorten it): started when this
    module starts, they fail while the tests above run, and the test below
    collects them.
    """
    env = {
        **os.environ,
        **moto_server.env(),
        "AWS_ENDPOINT_URL": UNREACHABLE,
        "SPOTIFY_ETL_BUCKET": "unreachable-bucket",
        "SPOTIFY_ETL_TRANSFORM_QUEUE": "transform",
        "SPOTIFY_ETL_CATALOG_QUEUE": "catalog",
    }
    # the extractor fails at its first AWS call, taking the run's lease, before any Spotify
    # request: no fake Spotify is needed, and nothing listens at its Spotify URLs either
    extractor = {
        "SPOTIFY_CLIENT_ID": "fake-client-id",
        "SPOTIFY_CLIENT_SECRET": "fake-client-secret",
        "SPOTIFY_REFRESH_TOKEN": "fake-refresh-token",
        "SPOTIFY_API_URL": f"{UNREACHABLE}/v1",
        "SPOTIFY_ACCOUNTS_URL": UNREACHABLE,
        "EXTRACTOR_PLAYLISTS": "mine",
        "EXTRACTOR_RECENTLY_PLAYED": "true",
    }
    commands = {
        "transformer": ([str(BIN / "transformer")], env),
        "cataloger": ([str(BIN / "cataloger")], env),
        "extractor": ([str(BIN / "extractor"), "run-once"], env | extractor),
    }
    started = {
        name: subprocess.Popen(
            argv, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for name, (argv, environ) in commands.items()
    }
    yield started
    for process in started.values():
        if process.poll() is None:
            process.kill()
        process.communicate()


FAILED_EVENT = {
    "transformer": "transformer.failed",
    "cataloger": "cataloger.failed",
    "extractor": "extract.run.aborted",
}


@pytest.mark.parametrize("service", ["transformer", "cataloger", "extractor"])
def test_an_unreachable_endpoint_is_one_line_and_a_non_zero_exit(
    service: str, unreachable: dict[str, subprocess.Popen[str]]
) -> None:
    stdout, stderr = unreachable[service].communicate(timeout=120)
    assert unreachable[service].returncode == 1
    [line] = stderr.splitlines()
    assert line.startswith(f"{service}: ")
    assert "127.0.0.1:1" in line
    assert "connection error" in line
    [event] = [json.loads(raw) for raw in stdout.splitlines()]
    assert (event["event"], event["level"]) == (FAILED_EVENT[service], "error")
    assert "Traceback" not in stdout + stderr
    if service == "extractor":  # an aborted run still counts on the extraction alarms
        assert (event["ExtractionFailed"], event["ExtractionSucceeded"]) == (1, 0)
        assert "state/extractor/lease.json" in line  # it stopped at the lease, first
