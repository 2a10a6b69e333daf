"""A malformed token-endpoint answer never puts token characters into any output.

The token endpoint here answers 200 with a body whose fields have the wrong
types, one of them holding a token-shaped string; ``extractor run-once`` runs
in-process against the moto stack. Its log lines (stdout), its stderr and the
text of every error it reports are searched for any part of the token.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from extractor.main import main
from spotify_etl.local.provision import Provisioned

pytestmark = pytest.mark.integration
TOKEN = "BQDa7Xq" + "k3J9vZ" * 20 + "Zr4Tq"
"""Shaped like a Spotify access token: its start and end are what pydantic used to quote."""
FRAGMENTS = (TOKEN[:8], TOKEN[-8:], "k3J9vZk3J9")
BODY = {
    "access_token": {"value": TOKEN},
    "token_type": "Bearer",
    "expires_in": [TOKEN],
    "refresh_token": {"nested": [TOKEN]},
}


@pytest.fixture
def token_endpoint() -> Iterator[str]:
    """An accounts service whose /api/token answers BODY (200), on loopback."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            raw = json.dumps(BODY).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_malformed_token_answer_is_reported_by_field_names_and_types_only(
    stack: Provisioned,
    token_endpoint: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for key, value in {
        "SPOTIFY_CLIENT_ID": "id",
        "SPOTIFY_CLIENT_SECRET": "secret",
        "SPOTIFY_REFRESH_TOKEN": "refresh",
        "SPOTIFY_ACCOUNTS_URL": token_endpoint,
        "SPOTIFY_API_URL": f"{token_endpoint}/v1",
        "EXTRACTOR_PLAYLISTS": "3cEYpjA9oz9GiPac4AsH4n",
        "EXTRACTOR_RECENTLY_PLAYED": "true",
    }.items():
        monkeypatch.setenv(key, value)

    code = main(["run-once"])

    shown = capsys.readouterr()
    output = shown.out + shown.err
    assert code == 1
    for fragment in FRAGMENTS:
        assert fragment not in output
    assert "token endpoint sent an unexpected body (access_token: string_type (got dict)" in output
