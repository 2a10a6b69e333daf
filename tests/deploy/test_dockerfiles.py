"""Service Dockerfiles: hadolint-clean, one package per image, slim non-root runtime."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.cfn_template import REPO
from tests.deploy.dockerfile_model import (
    DOCKERFILES,
    IMAGES,
    PINNED_IMAGE,
    RUNTIME_BASE,
    base_images,
    build_args,
    project,
    stages,
    syntax_directive,
    workspace_members,
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
    libraries = {
        project(m)["name"]: f"{m}/src" for m in workspace_members() if m.startswith("libs/")
    }
    assert {"spotify-etl-common", "spotify-etl-views", "spotify-etl-lake"} <= set(libraries)
    expected = {f"{folder}/src"} | {libraries[d] for d in dependencies if d in libraries}
    assert copied == expected


@pytest.mark.parametrize("folder", sorted(IMAGES))
def test_builder_copies_every_workspace_manifest(folder: str) -> None:
    """`uv sync --frozen` resolves the whole workspace: a member left out fails the build."""
    builder = stages(REPO / folder / "Dockerfile")[-2]
    manifests = {
        i.arguments.split()[0].removesuffix("/pyproject.toml")
        for i in builder
        if i.keyword == "COPY" and i.arguments.split()[0].endswith("pyproject.toml")
    }
    assert manifests == {"pyproject.toml", *workspace_members()}


@pytest.mark.parametrize("folder", sorted(IMAGES))
def test_runtime_is_slim_non_root_and_gets_only_the_venv(folder: str) -> None:
    dockerfile = REPO / folder / "Dockerfile"
    runtime = stages(dockerfile)[-1]
    base = runtime[0].arguments.split()[0]
    for name, value in build_args(dockerfile).items():
        base = base.replace(f"${{{name}}}", value)
    assert base.split("@")[0] == RUNTIME_BASE
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


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.parent.name)
def test_every_image_a_build_pulls_is_pinned_by_digest(dockerfile: Path) -> None:
    pulled = [*base_images(dockerfile), syntax_directive(dockerfile)]
    assert None not in pulled, "no # syntax= directive on the first line"
    assert pulled
    for image in pulled:
        assert PINNED_IMAGE.match(str(image)), f"{image} is not name:tag@sha256:<64 hex>"


def test_every_dockerfile_pins_the_same_images() -> None:
    """One pin per image (what `make pin-images` rewrites): no Dockerfile left behind."""
    pins = {(syntax_directive(d), *base_images(d)) for d in DOCKERFILES}
    assert len(pins) == 1


UV_PIN = re.compile(r'"uv==(\d+\.\d+\.\d+)((?: --hash=sha256:[0-9a-f]{64})+)"')


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.parent.name)
def test_uv_is_installed_by_version_and_wheel_hashes(dockerfile: Path) -> None:
    """pip --require-hashes refuses any other file: one hash per platform built (x86_64, arm64)."""
    builder = stages(dockerfile)[-2]
    installs = [
        i.arguments for i in builder if i.keyword == "RUN" and "uv-requirements" in i.arguments
    ]
    assert len(installs) == 1
    assert "--require-hashes" in installs[0]
    match = UV_PIN.search(installs[0])
    assert match, installs[0]
    assert len(match.group(2).split()) == 2
    assert not [i for i in builder if i.keyword == "COPY" and "--from=uv" in i.arguments]


def test_pin_images_rewrites_every_pin_from_the_registry_and_the_index(tmp_path: Path) -> None:
    """deploy/pin-images.sh with stand-ins for docker and pip: the lines it rewrites, and how."""
    root = tmp_path / "repo"
    for dockerfile in DOCKERFILES:
        target = root / dockerfile.relative_to(REPO)
        target.parent.mkdir(parents=True)
        target.write_text(dockerfile.read_text())
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    docker = bin_dir / "docker"
    docker.write_text(
        "#!/bin/bash\n"
        'case "$4" in python:*) d=1111 ;; docker/dockerfile:*) d=2222 ;; *) exit 1 ;; esac\n'
        'digest="$(printf "$d%.0s" {1..16})"\n'
        'echo "{\\"mediaType\\": \\"x\\", \\"digest\\": \\"sha256:$digest\\", \\"size\\": 1}"\n'
    )
    python = bin_dir / "python3"
    python.write_text(
        "#!/bin/bash\n"
        'for a; do case "$prev" in --dest) dest=$a ;; --platform) p=$a ;; esac; prev=$a; done\n'
        'echo "wheel for $p" > "$dest/uv-0.99.0-py3-none-$p.whl"\n'
    )
    for script in (docker, python):
        script.chmod(0o755)
    result = subprocess.run(
        ["bash", str(REPO / "deploy" / "pin-images.sh"), "--uv-version", "0.99.0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={
            **os.environ,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "PIN_ROOT": str(root),
        },
    )
    assert result.returncode == 0, result.stderr
    hashes = [
        hashlib.sha256(f"wheel for {p}\n".encode()).hexdigest()
        for p in ("manylinux_2_17_x86_64", "manylinux_2_17_aarch64")
    ]
    for dockerfile in DOCKERFILES:
        text = (root / dockerfile.relative_to(REPO)).read_text()
        lines = text.splitlines()
        assert lines[0] == "# syntax=docker/dockerfile:1.7@sha256:" + "2222" * 16
        assert "ARG PYTHON_IMAGE=python:3.11-slim@sha256:" + "1111" * 16 in lines
        assert f'"uv==0.99.0 --hash=sha256:{hashes[0]} --hash=sha256:{hashes[1]}"' in text
        # nothing else moved
        assert len(lines) == len(dockerfile.read_text().splitlines())


def test_make_pin_images_runs_the_script() -> None:
    makefile = (REPO / "Makefile").read_text()
    assert "pin-images: ## " in makefile
    assert "\tdeploy/pin-images.sh" in makefile


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
