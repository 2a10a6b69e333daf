"""`fake-spotify serve` as a process: the two ready lines the local stack and e2e tests parse."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

pytestmark = pytest.mark.integration


def test_serve_prints_its_url_and_playlists_then_answers() -> None:
    command = [
        sys.executable,
        "-m",
        "fake_spotify.main",
        "serve",
        "--playlists",
        "2",
        "--items",
        "5",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        lines = dict(process.stdout.readline().strip().split("=", 1) for _ in range(2))
        url, playlists = lines["FAKE_SPOTIFY_URL"], lines["FAKE_SPOTIFY_PLAYLISTS"].split(",")
        assert url.startswith("http://127.0.0.1:")
        assert len(playlists) == 2
        token = httpx.post(
            f"{url}/api/token",
            data={"grant_type": "client_credentials"},
            auth=("fake-client-id", "fake-client-secret"),
        ).json()["access_token"]
        answer = httpx.get(
            f"{url}/v1/playlists/{playlists[0]}", headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.status_code == 200
        assert answer.json()["id"] == playlists[0]
    finally:
        process.terminate()
        process.wait(timeout=10)
