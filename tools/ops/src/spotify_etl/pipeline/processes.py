"""Start the fake Spotify and the services as child processes, logs to files."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

FAKE_CLIENT_ID = "fake-client-id"
FAKE_CLIENT_SECRET = "fake-client-secret"  # noqa: S105 - the fake's own, not a secret
FAKE_REFRESH_TOKEN = "fake-refresh-token"  # noqa: S105
READY_TIMEOUT = 30.0


class MissingEntryPoint(RuntimeError):
    """A service's console script is not installed (the CLI alone was synced)."""


def entry_point(name: str) -> str:
    """Path of a console script installed beside this interpreter, else on PATH."""
    candidate = Path(sys.executable).with_name(name)
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise MissingEntryPoint(
            f"`{name}` is not installed beside spotify-etl: run-local starts the services as "
            "processes, so install the whole workspace (`make install`, i.e. "
            "`uv sync --all-packages`)"
        )
    return found


@dataclass(frozen=True)
class FakeSpotifyProcess:
    """A running fake Spotify Web API."""

    process: subprocess.Popen[str]
    url: str
    playlists: tuple[str, ...]

    def env(self) -> dict[str, str]:
        """Variables that point the extractor at the fake, with its user token."""
        return {
            "SPOTIFY_API_URL": f"{self.url}/v1",
            "SPOTIFY_ACCOUNTS_URL": self.url,
            "SPOTIFY_CLIENT_ID": FAKE_CLIENT_ID,
            "SPOTIFY_CLIENT_SECRET": FAKE_CLIENT_SECRET,
            "SPOTIFY_REFRESH_TOKEN": FAKE_REFRESH_TOKEN,
            "EXTRACTOR_PLAYLISTS": "mine",
            "EXTRACTOR_RECENTLY_PLAYED": "true",
            "EXTRACTOR_LIBRARY": "all",
        }

    def stop(self) -> None:
        """Stop the fake."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_fake_spotify(
    playlists: int, items: int, plays: int, log_file: Path
) -> FakeSpotifyProcess:
    """Start ``fake-spotify serve`` on a free port; returns once it printed its URL."""
    argv = [
        entry_point("fake-spotify"),
        "serve",
        "--port=0",
        f"--playlists={playlists}",
        f"--items={items}",
        f"--plays={plays}",
        f"--client-id={FAKE_CLIENT_ID}",
        f"--client-secret={FAKE_CLIENT_SECRET}",
        f"--refresh-token={FAKE_REFRESH_TOKEN}",
    ]
    log = log_file.open("a")
    process = subprocess.Popen(  # noqa: S603 - our own entry point
        argv, stdout=subprocess.PIPE, stderr=log, text=True, start_new_session=True
    )
    assert process.stdout is not None
    found: dict[str, str] = {}
    deadline = time.monotonic() + READY_TIMEOUT
    while len(found) < 2 and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"fake-spotify exited at start; see {log_file}")
        key, _, value = line.strip().partition("=")
        if key in {"FAKE_SPOTIFY_URL", "FAKE_SPOTIFY_PLAYLISTS"}:
            found[key] = value
    if len(found) < 2:
        process.kill()
        raise RuntimeError(f"fake-spotify did not start within {READY_TIMEOUT}s; see {log_file}")
    return FakeSpotifyProcess(
        process,
        found["FAKE_SPOTIFY_URL"],
        tuple(p for p in found["FAKE_SPOTIFY_PLAYLISTS"].split(",") if p),
    )


ENDPOINT_VARIABLES = "AWS_ENDPOINT_URL"
"""Prefix of the endpoint variables (``AWS_ENDPOINT_URL`` and ``AWS_ENDPOINT_URL_<SERVICE>``)."""


def service_environment(inherited: Mapping[str, str], env: Mapping[str, str]) -> dict[str, str]:
    """``inherited`` with ``env`` on top, minus inherited endpoint variables ``env`` does not
    set: a service of the local stack reaches the stack's endpoints and no other (an
    ``AWS_ENDPOINT_URL_SQS`` left from a compose session would take SQS elsewhere)."""
    kept = {
        k: v
        for k, v in inherited.items()
        if not k.startswith(ENDPOINT_VARIABLES) or k in env or ENDPOINT_VARIABLES not in env
    }
    return {**kept, **env}


def start_service(
    argv: list[str], env: Mapping[str, str], log_file: Path
) -> subprocess.Popen[bytes]:
    """Start one service with ``env`` added to this environment; output to ``log_file``."""
    with log_file.open("ab") as log:
        return subprocess.Popen(  # noqa: S603 - our own entry points
            [entry_point(argv[0]), *argv[1:]],
            env=service_environment(os.environ, env),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )


def terminate(process: subprocess.Popen[bytes], timeout: float = 40.0) -> int:
    """SIGTERM (the services drain gracefully), SIGKILL after ``timeout``; the exit code."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
    return process.wait()
