"""Each Dockerfile's builder stage replayed without Docker: its COPYs, then its `uv sync`s.

The venv it produces is what the runtime image gets, so this shows that the
files the Dockerfile copies are enough for uv to install the package from the
lock, that the entry point exists, and which distributions the image carries.
Runs offline from uv's cache (filled by the workspace's own `uv sync`).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.cfn_template import REPO
from tests.deploy.dockerfile_model import IMAGES, project, stages

IMAGE_PACKAGES = {"spotify-etl-extractor", "spotify-etl-transformer", "spotify-etl-cataloger"}


def _replay_builder(folder: str, root: Path) -> Path:
    """Run the builder stage of ``folder``'s Dockerfile in ``root``; the venv path."""
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not on PATH")
    builder = stages(REPO / folder / "Dockerfile")[-2]
    workdir = root / "src"
    venv = root / "venv"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(root)),
        "UV_OFFLINE": "1",
        "UV_PROJECT_ENVIRONMENT": str(venv),
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_NO_PROGRESS": "1",
    }
    if "UV_CACHE_DIR" in os.environ:
        env["UV_CACHE_DIR"] = os.environ["UV_CACHE_DIR"]
    for instruction in builder:
        if instruction.keyword == "COPY" and "--from" not in instruction.arguments:
            *sources, destination = instruction.arguments.split()
            for source in sources:
                target = workdir / destination
                if (REPO / source).is_dir():
                    shutil.copytree(REPO / source, target, dirs_exist_ok=True)
                else:
                    target.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(REPO / source, target)
        elif instruction.keyword == "RUN" and "uv sync" in instruction.arguments:
            command = shlex.split(instruction.arguments.split("uv sync", 1)[1])
            result = subprocess.run(
                [uv, "sync", "--quiet", *command],
                cwd=workdir,
                env=env,
                capture_output=True,
                text=True,
                timeout=180,
                check=False,
            )
            if result.returncode != 0 and "offline" in result.stderr.lower():
                pytest.skip(f"uv's cache lacks a distribution (run `uv sync`): {result.stderr}")
            assert result.returncode == 0, result.stderr
    return venv


def _installed(venv: Path) -> set[str]:
    site = next((venv / "lib").glob("python3*/site-packages"))
    return {p.name.split("-")[0].replace("_", "-").lower() for p in site.glob("*.dist-info")}


@pytest.mark.parametrize("folder", sorted(IMAGES))
def test_builder_stage_installs_the_package_and_its_entry_point_only(
    folder: str, tmp_path: Path
) -> None:
    venv = _replay_builder(folder, tmp_path)
    package = project(folder)["name"]
    entry, _ = IMAGES[folder]
    assert (venv / "bin" / entry).exists()
    installed = _installed(venv)
    assert package in installed
    assert installed & (IMAGE_PACKAGES - {package}) == set()
    assert not installed & {"moto", "duckdb", "pytest", "ruff", "mypy", "spotify-etl"}
    assert ("polars" in installed) is (package == "spotify-etl-transformer")
