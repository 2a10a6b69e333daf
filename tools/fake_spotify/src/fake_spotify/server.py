"""The fake Spotify Web API as a real HTTP server on loopback.

Serves the accounts service (``/api/token``, ``/authorize``) and the Web API
(``/v1/...``) on one origin; :mod:`fake_spotify.api` decides every answer.
Start it on a thread (:meth:`FakeSpotify.start` returns the URL) for tests, or
in the foreground with ``fake-spotify serve``.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fake_spotify import payloads
from fake_spotify.api import FakeConfig, FakeWebApi, Reply
from fake_spotify.catalog import Catalog
from fake_spotify.tokens import TokenBook

__all__ = ["FakeConfig", "FakeSpotify"]


class FakeSpotify:
    """Start on a thread with :meth:`start` (returns the URL), stop with :meth:`stop`."""

    def __init__(
        self,
        catalog: Catalog,
        config: FakeConfig | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.service = FakeWebApi(catalog, config, clock)
        self.paths: Counter[str] = Counter()
        """API requests received per path (``/albums/<id>``...): tests count refetches."""
        self._paths_lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def catalog(self) -> Catalog:
        return self.service.catalog

    @property
    def config(self) -> FakeConfig:
        return self.service.config

    @property
    def tokens(self) -> TokenBook:
        return self.service.tokens

    @property
    def stats(self) -> Counter[str]:
        return self.service.stats

    @property
    def arrivals(self) -> list[float]:
        return self.service.arrivals

    def count_path(self, path: str) -> None:
        with self._paths_lock:
            self.paths[path] += 1

    def request_counts(self) -> dict[str, object]:
        """What ``GET /fake/stats`` answers: counters, quota used, rotations, per-path counts."""
        with self._paths_lock:
            paths = dict(self.paths)
        return dict(self.stats) | {
            "quota_used": self.service.quota.used,
            "refresh_token_rotations": self.service.refresh_tokens.rotations,
            "paths": paths,
            "users": self.service.requests_by_user(),
        }

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/v1"

    def start(self) -> str:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self.url

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def close(self) -> None:
        """Release the socket (after :meth:`serve_forever` returned)."""
        self._server.server_close()

    def stop(self) -> None:
        """Stop the thread started by :meth:`start` and release the socket."""
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeSpotify:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def _handler_for(fake: FakeSpotify) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # headers and body go out in two writes: without this, Nagle's algorithm
            # and delayed ACKs add ~40 ms to every keep-alive answer
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the fake is used in tests and benchmarks."""

        def _send(self, reply: Reply) -> None:
            raw = json.dumps(reply.body, ensure_ascii=False).encode()
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(raw)))
            for name, value in reply.headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(raw)

        def _split(self) -> tuple[str, dict[str, str]]:
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            return parts.path, query

        def do_GET(self) -> None:
            try:
                self._get()
            except Exception as error:
                self._send(Reply(500, payloads.error(500, f"fake failed: {error!r}")))

        def _get(self) -> None:
            path, query = self._split()
            if path == "/authorize":
                status, location = fake.service.authorize(query)
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if path == "/fake/stats":
                self._send(Reply(200, fake.request_counts() | {"arrivals": list(fake.arrivals)}))
                return
            if path == "/fake/log":  # whose token asked for which path, in order
                with fake.service._lock:
                    log = [list(entry) for entry in fake.service.log]
                self._send(Reply(200, {"log": log}))
                return
            if path.startswith("/v1/"):
                fake.count_path(path[3:])
                base = f"http://{self.headers.get('Host', fake.url.removeprefix('http://'))}/v1"
                reply = fake.service.handle_api(
                    path[3:], query, self.headers.get("Authorization"), base
                )
                if fake.config.latency:
                    time.sleep(fake.config.latency)
                self._send(reply)
                return
            self._send(Reply(404, payloads.error(404, "Service not found")))

        def do_POST(self) -> None:
            path, query = self._split()
            length = int(self.headers.get("Content-Length", 0))
            form = {k: v[-1] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if path == "/api/token":
                self._send(fake.service.token(self.headers.get("Authorization"), form))
                return
            if path == "/fake/revoke":  # a user removes the app from their account
                fake.service.refresh_tokens.revoke(query.get("user", ""))
                self._send(Reply(200, {"revoked": query.get("user", "")}))
                return
            if path.startswith("/fake/library/"):  # the library changes between runs
                self._send(fake.service.change_library(path.removeprefix("/fake/library/"), query))
                return
            self._send(Reply(404, payloads.error(404, "Service not found")))

    return Handler
