"""docker-compose.yml as Compose itself reads it: `docker compose config` without a daemon."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from tests.deploy.cfn_template import REPO
from tests.deploy.venv_tools import compose_binary

COMPOSE_FILE = REPO / "docker-compose.yml"


def run_config(compose_file: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Run ``compose config`` over every profile; no variables from the caller's shell."""
    return subprocess.run(
        [
            str(compose_binary()),
            "--file",
            str(compose_file),
            "--project-directory",
            str(compose_file.parent),
            "--profile",
            "*",
            "config",
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(compose_file.parent)},
    )


def load_config(compose_file: Path = COMPOSE_FILE) -> dict[str, Any]:
    """The fully resolved model (anchors merged, variables interpolated with defaults)."""
    result = run_config(compose_file, "--format", "json")
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert isinstance(loaded, dict)
    return loaded
