"""Where a running local stack is recorded, so other commands find it with no variable set."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from spotify_etl.local.provision import StackNames

REGION = "us-east-1"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
}  # moto accepts any


def state_dir() -> Path:
    """``$SPOTIFY_ETL_STATE_DIR``, else ``$XDG_STATE_HOME/spotify-etl``, else ``~/.local/state``."""
    explicit = os.environ.get("SPOTIFY_ETL_STATE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "spotify-etl"


@dataclass(frozen=True)
class LocalStack:
    """A running local stack: the moto server's pid and endpoint, and the names in it."""

    pid: int
    endpoint: str
    names: StackNames
    log_file: str

    def env(self) -> dict[str, str]:
        """The environment the services need to use this stack."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            **CREDENTIALS,
            "SPOTIFY_ETL_BUCKET": self.names.bucket,
            "SPOTIFY_ETL_TRANSFORM_QUEUE": self.names.transform_queue,
            "SPOTIFY_ETL_CATALOG_QUEUE": self.names.catalog_queue,
        }

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
        )


def find_local_stack() -> LocalStack | None:
    """The recorded local stack if its server still runs, else None."""
    stack = LocalStack.load(state_dir())
    if stack is None or not pid_alive(stack.pid):
        return None
    return stack


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
