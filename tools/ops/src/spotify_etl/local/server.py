"""Start and stop a detached moto server on loopback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

READY_TIMEOUT = 30.0


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_moto(port: int, log_file: Path) -> int:
    """Start ``moto_server`` detached from this process; returns its pid once it answers."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed argv, our own interpreter
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"moto server exited with code {process.returncode} at start; see {log_file}"
            )
        if is_ready(endpoint):
            return process.pid
        time.sleep(0.1)
    process.terminate()
    raise RuntimeError(f"moto server did not answer on {endpoint} within {READY_TIMEOUT}s")


def is_ready(endpoint: str) -> bool:
    """Whether a moto server answers on ``endpoint``."""
    try:
        with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1) as response:  # noqa: S310
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def stop_process(pid: int, timeout: float = 10.0) -> bool:
    """SIGTERM the process group of ``pid``, SIGKILL after ``timeout``; True if it was running."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _exited(pid):
            return True
        time.sleep(0.1)
    os.killpg(pid, signal.SIGKILL)
    return True


def _exited(pid: int) -> bool:
    """Whether ``pid`` is gone; reaps it when it is our own child (else it stays a zombie)."""
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        reaped = 0  # started by another process (``local up`` then ``local down``)
    if reaped:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False
