"""deploy/deploy.sh, run with --dry-run: the commands it would run, no AWS or Docker needed."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.deploy.cfn_template import REPO, load_template

SCRIPT = REPO / "deploy" / "deploy.sh"


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **env},
    )


@pytest.fixture(scope="module")
def dry_run() -> list[str]:
    result = _run(
        "--dry-run",
        "--region",
        "eu-west-1",
        "--tag",
        "abc123",
        "TransformerMaxTasks=20",
        VPC_ID="vpc-1",
        SUBNET_IDS="subnet-a,subnet-b",
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_builds_and_pushes_each_service_image_to_ecr(dry_run: list[str]) -> None:
    registry = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/spotify-etl"
    for service in ("extractor", "transformer", "cataloger"):
        dockerfile = f"{REPO}/services/{service}/Dockerfile"
        assert any(
            line.startswith("+ docker build")
            and f"--file {dockerfile}" in line
            and f"--tag {registry}/{service}:abc123" in line
            for line in dry_run
        )
        assert f"+ docker push {registry}/{service}:abc123" in dry_run


def test_deploys_the_template_with_the_image_tags_and_overrides(dry_run: list[str]) -> None:
    [deploy] = [line for line in dry_run if line.startswith("+ aws cloudformation deploy")]
    arguments = deploy.split()
    assert f"{REPO}/deploy/template.yaml" in arguments
    assert "CAPABILITY_IAM" in arguments
    overrides = {a.split("=", 1)[0] for a in arguments if "=" in a and not a.startswith("--")}
    overrides -= {"project", "image-tag"}
    assert {"ExtractorImageTag=abc123", "TransformerMaxTasks=20"} <= set(arguments)
    assert overrides <= set(load_template()["Parameters"])


def test_pushes_happen_before_the_stack_deploy(dry_run: list[str]) -> None:
    pushes = [i for i, line in enumerate(dry_run) if line.startswith("+ docker push")]
    [deploy] = [i for i, line in enumerate(dry_run) if "cloudformation deploy" in line]
    assert max(pushes) < deploy


def test_refuses_to_deploy_without_a_vpc() -> None:
    result = _run("--dry-run", "--region", "eu-west-1", "--tag", "t", SUBNET_IDS="subnet-a")
    assert result.returncode == 2
    assert "VPC_ID" in result.stderr


@pytest.mark.parametrize("script", ["deploy/deploy.sh", "deploy/local/init-aws.sh"])
def test_shell_scripts_parse(script: str) -> None:
    result = subprocess.run(
        ["bash", "-n", str(REPO / script)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
