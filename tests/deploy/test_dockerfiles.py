"""Service Dockerfiles: hadolint-clean, one package per image, slim non-root runtime."""

from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.cfn_template import REPO
from tests.deploy.dockerfile_model import (
    IMAGES,
    RUNTIME_BASE,
    build_args,
    project,
    stages,
)
from tests.deploy.venv_tools import venv_tool


@pytest.mark.parametrize("folder", sorted(IMAGES))
def test_hadolint_passes(folder: str) -> None:
    result = subprocess.run(
        [str(venv_tool("hadolint")), "--no-color", str(REPO / folder / "Dockerfile")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_reports_a_bad_dockerfile(tmp_path: Path) -> None:
    """The check is live: an unpinned base image and root user are findings."""
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python\nRUN cd /tmp && pip install requests\n")
    result = subprocess.run(
        [str(venv_tool("hadolint")), "--no-color", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "DL3006" in result.stdout


@pytest.mark.parametrize("folder", sorted(IMAGES))
def test_builder_syncs_only_its_own_package_from_the_lock(folder: str) -> None:
    builder = stages(REPO / folder / "Dockerfile")[-2]
    package = project(folder)["name"]
    syncs = [i.arguments for i in builder if i.keyword == "RUN" and "uv sync" in i.arguments]
    assert syncs, "the builder stage runs no uv sync"
    for sync in syncs:
        for flag in ("--frozen", "--no-dev", "--no-editable", f"--package {package}"):
            assert flag in sync


@pytest.mark.parametrize("folder", sorted(IMAGES))
def test_builder_copies_sources_of_its_package_and_its_workspace_dependencies_only(
    folder: str,
) -> None:
    builder = stages(REPO / folder / "Dockerfile")[-2]
    copied = {
        i.arguments.split()[0].rstrip("/")
        for i in builder
        if i.keyword == "COPY" and "/src" in i.arguments and "--from" not in i.arguments
    }
    dependencies = {d.split(">")[0].split("=")[0].strip() for d in project(folder)["dependencies"]}
    libraries = {"spotify-etl-common": "libs/common/src", "spotify-etl-views": "libs/views/src"}
    expected = {f"{folder}/src"} | {libraries[d] for d in dependencies if d in libraries}
    assert copied == expected


@pytest.mark.parametrize("folder", sorted(IMAGES))
def test_runtime_is_slim_non_root_and_gets_only_the_venv(folder: str) -> None:
    dockerfile = REPO / folder / "Dockerfile"
    runtime = stages(dockerfile)[-1]
    base = runtime[0].arguments.split()[0]
    for name, value in build_args(dockerfile).items():
        base = base.replace(f"${{{name}}}", value)
    assert base == RUNTIME_BASE
    copies = [i.arguments for i in runtime if i.keyword == "COPY"]
    assert copies == ["--from=builder /app/.venv /app/.venv"]
    [user] = [i.arguments for i in runtime if i.keyword == "USER"]
    assert user.split(":")[0] not in {"root", "0"}
    assert user.split(":")[0].isdigit()


@pytest.mark.parametrize("folder", sorted(IMAGES))
def test_entry_point_is_the_packages_console_script(folder: str) -> None:
    runtime = stages(REPO / folder / "Dockerfile")[-1]
    entry, command = IMAGES[folder]
    [entrypoint] = [json.loads(i.arguments) for i in runtime if i.keyword == "ENTRYPOINT"]
    [cmd] = [json.loads(i.arguments) for i in runtime if i.keyword == "CMD"]
    assert entrypoint == [entry]
    assert entry in project(folder)["scripts"]
    assert cmd == command


def _lock_closure(lock: dict[str, Any], root: str) -> set[str]:
    packages = {p["name"]: p for p in lock["package"]}
    seen: set[str] = set()
    pending = [root]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        pending += [d["name"] for d in packages[name].get("dependencies", [])]
    return seen


def test_no_service_image_carries_another_services_dependencies() -> None:
    """What `uv sync --package X` installs, computed from uv.lock."""
    with (REPO / "uv.lock").open("rb") as handle:
        lock = tomllib.load(handle)
    images = {project(folder)["name"] for folder in IMAGES}
    closures = {name: _lock_closure(lock, name) for name in images}
    for name, closure in closures.items():
        assert closure & images == {name}, f"{name} depends on another image's package"
    assert "polars" in closures["spotify-etl-transformer"]
    assert "httpx" in closures["spotify-etl-extractor"]
    everything_else = closures.keys() - {"spotify-etl-transformer"}
    assert all("polars" not in closures[name] for name in everything_else)
    # sqlglot is the cataloger's own (it orders the views by their dependencies)
    operator_only = {"moto", "duckdb", "boto3", "s3fs"}
    assert all(
        "sqlglot" not in closures[name] for name in closures.keys() - {"spotify-etl-cataloger"}
    )
    assert all(not closure & operator_only for closure in closures.values())
