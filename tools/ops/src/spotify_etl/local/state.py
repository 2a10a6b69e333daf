"""Where the local stack keeps its state, and where a running stack is recorded.

Everything lives under one directory (``$SPOTIFY_ETL_STATE_DIR``, else
``$XDG_STATE_HOME/spotify-etl``, else ``~/.local/state/spotify-etl``), readable
by the user alone::

    lake/          the S3 server's data: raw/, curated/ (tables and their metadata), state/
    grants.json    the local Secrets Manager's secrets (refresh tokens), mode 0600
    local.json     the running stack: its processes and endpoints (gone after ``local down``)
    logs/          the servers' and services' logs
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from spotify_etl.local.provision import StackNames
from spotify_etl.local.server import runs

REGION = "us-east-1"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
}  # moto accepts any; the local S3 server is configured with these
MOTO_MARKER = "moto"
"""In the command line of the stack's moto process (``spotify_etl.local.moto_host``, or
``moto.server`` in a stack recorded before the lake)."""
WEED_MARKER = "weed"
"""In the command line of the stack's S3 process."""
PRIVATE_DIRECTORY = 0o700
"""Mode of the state directory: the lake and the grants are the user's alone."""


def state_dir() -> Path:
    """``$SPOTIFY_ETL_STATE_DIR``, else ``$XDG_STATE_HOME/spotify-etl``, else ``~/.local/state``."""
    explicit = os.environ.get("SPOTIFY_ETL_STATE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "spotify-etl"


def private_state_dir() -> Path:
    """The state directory, created if needed, with mode 0700."""
    directory = state_dir()
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(PRIVATE_DIRECTORY)
    return directory


def lake_dir(directory: Path) -> Path:
    """Where the S3 server keeps the lake, under the state ``directory``."""
    return directory / "lake"


def grants_file(directory: Path) -> Path:
    """Where the local secrets are kept across restarts, under the state ``directory``."""
    return directory / "grants.json"


def logs_dir(directory: Path) -> Path:
    """Where the servers and services write their logs."""
    return directory / "logs"


@dataclass(frozen=True)
class LocalStack:
    """A running local stack: moto (SQS, Glue, Athena, Secrets Manager) and the S3 server."""

    pid: int
    """moto's process."""
    endpoint: str
    """moto's endpoint: every service but S3."""
    names: StackNames
    log_file: str
    s3_pid: int = 0
    """The S3 server's process (SeaweedFS)."""
    s3_endpoint: str = ""
    """The S3 server's endpoint (empty: moto serves S3 too, as stacks recorded before did)."""
    reopened: bool = False
    """Whether the lake was reopened on this stack (catalog registered, lost work announced)."""

    def env(self) -> dict[str, str]:
        """The environment the services need to use this stack."""
        s3 = {"AWS_ENDPOINT_URL_S3": self.s3_endpoint} if self.s3_endpoint else {}
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            **s3,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            **CREDENTIALS,
            "SPOTIFY_ETL_BUCKET": self.names.bucket,
            "SPOTIFY_ETL_TRANSFORM_QUEUE": self.names.transform_queue,
            "SPOTIFY_ETL_CATALOG_QUEUE": self.names.catalog_queue,
        }

    @property
    def pids(self) -> tuple[int, ...]:
        """Every recorded process of the stack that still runs (and is still ours)."""
        recorded = ((self.pid, MOTO_MARKER), (self.s3_pid, WEED_MARKER))
        return tuple(pid for pid, marker in recorded if pid and runs(pid, marker))

    def save(self, directory: Path) -> Path:
        """Record the stack in ``directory/local.json``."""
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "local.json"
        payload = asdict(self)
        path.write_text(json.dumps(payload, indent=2))
        return path

    @classmethod
    def load(cls, directory: Path) -> LocalStack | None:
        """The recorded stack, or None if there is none."""
        path = directory / "local.json"
        if not path.exists():
            return None
        payload = json.loads(path.read_text())
        return cls(
            pid=int(payload["pid"]),
            endpoint=str(payload["endpoint"]),
            names=StackNames(**payload["names"]),
            log_file=str(payload["log_file"]),
            s3_pid=int(payload.get("s3_pid", 0)),
            s3_endpoint=str(payload.get("s3_endpoint", "")),
            reopened=bool(payload.get("reopened", False)),
        )


def find_local_stack() -> LocalStack | None:
    """The recorded local stack if all its servers still run, else None."""
    stack = LocalStack.load(state_dir())
    if stack is None or len(stack.pids) < 2:
        return None
    return stack
