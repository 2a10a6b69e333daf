"""deploy/deploy.sh, run with --dry-run: the commands it would run, no AWS or Docker needed."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.cfn_template import DEPLOY_SCRIPT, REPO, SERVICES, TEMPLATE_PATH, load_template


def _run(*args: str, script: Path = DEPLOY_SCRIPT, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(script), *args],
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
    for service in SERVICES:
        dockerfile = f"{REPO}/services/{service}/Dockerfile"
        assert any(
            line.startswith("+ docker build")
            and f"--file {dockerfile}" in line
            and f"--tag {registry}/{service}:abc123" in line
            for line in dry_run
        )
        assert f"+ docker push {registry}/{service}:abc123" in dry_run


def _command(dry_run: list[str], prefix: str) -> list[str]:
    [line] = [line for line in dry_run if line.startswith(f"+ {prefix}")]
    return shlex.split(line[2:])


def _option(arguments: list[str], name: str) -> str:
    return arguments[arguments.index(name) + 1]


def test_uploads_the_template_and_deploys_it_by_its_s3_url(dry_run: list[str]) -> None:
    upload = _command(dry_run, "aws s3api put-object")
    bucket, key = _option(upload, "--bucket"), _option(upload, "--key")
    assert _option(upload, "--body") == str(TEMPLATE_PATH)
    assert bucket == "spotify-etl-artifacts-123456789012-eu-west-1"
    change_set = _command(dry_run, "aws cloudformation create-change-set")
    assert _option(change_set, "--template-url") == (
        f"https://{bucket}.s3.eu-west-1.amazonaws.com/{key}"
    )
    assert "--template-body" not in change_set


def test_deploys_the_image_tags_and_overrides_as_template_parameters(dry_run: list[str]) -> None:
    change_set = _command(dry_run, "aws cloudformation create-change-set")
    assert _option(change_set, "--capabilities") == "CAPABILITY_IAM"
    parameters = {
        p["ParameterKey"]: p["ParameterValue"]
        for p in json.loads(_option(change_set, "--parameters"))
    }
    assert parameters["ExtractorImageTag"] == "abc123"
    assert parameters["TransformerMaxTasks"] == "20"
    assert parameters["SubnetIds"] == "subnet-a,subnet-b"
    assert set(parameters) <= set(load_template()["Parameters"])


def test_the_change_set_is_executed_and_awaited(dry_run: list[str]) -> None:
    commands = [line.split()[1:4] for line in dry_run if line.startswith("+ aws cloudformation")]
    assert commands[:4] == [
        ["aws", "cloudformation", "create-change-set"],
        ["aws", "cloudformation", "wait"],
        ["aws", "cloudformation", "execute-change-set"],
        ["aws", "cloudformation", "wait"],
    ]


def test_the_artifacts_bucket_is_locked_down_before_the_template_goes_in(
    dry_run: list[str],
) -> None:
    s3 = [line.split()[3] for line in dry_run if line.startswith("+ aws s3api")]
    assert s3.index("create-bucket") < s3.index("put-public-access-block") < s3.index("put-object")
    assert s3.index("put-bucket-encryption") < s3.index("put-object")
    assert "put-bucket-policy" in s3
    [policy_line] = [line for line in dry_run if "put-bucket-policy" in line]
    policy = json.loads(_option(shlex.split(policy_line[2:]), "--policy"))
    [statement] = policy["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


TEMPLATE_BODY_LIMIT = 51_200
"""Bytes CloudFormation accepts as an inline TemplateBody."""
TEMPLATE_URL_LIMIT = 1_000_000
"""Bytes CloudFormation reads from an S3 TemplateURL (1 MB)."""


def test_the_template_fits_the_way_deploy_sh_ships_it(dry_run: list[str]) -> None:
    """Inline, 51,200 bytes; by S3 URL, 1 MB: outgrowing the chosen way fails here."""
    change_set = _command(dry_run, "aws cloudformation create-change-set")
    limit = TEMPLATE_URL_LIMIT if "--template-url" in change_set else TEMPLATE_BODY_LIMIT
    assert TEMPLATE_PATH.stat().st_size <= limit


def test_the_template_stays_within_cloudformation_quotas(template: dict[str, Any]) -> None:
    assert len(template["Resources"]) <= 500
    assert len(template["Parameters"]) <= 200
    assert len(template.get("Outputs", {})) <= 200


def test_refuses_a_template_over_the_s3_limit(tmp_path: Path) -> None:
    """deploy.sh checks the size itself before it touches AWS."""
    copy = tmp_path / "repo"
    (copy / "deploy").mkdir(parents=True)
    script = copy / "deploy" / "deploy.sh"
    script.write_text(DEPLOY_SCRIPT.read_text())
    (copy / "deploy" / "template.yaml").write_text("#" * (TEMPLATE_URL_LIMIT + 1))
    result = _run(
        "--dry-run",
        "--region",
        "eu-west-1",
        "--tag",
        "t",
        script=script,
        VPC_ID="vpc-1",
        SUBNET_IDS="subnet-a",
    )
    assert result.returncode == 2
    assert "nested stacks" in result.stderr


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


@pytest.mark.parametrize(
    ("region", "configuration"),
    [("us-east-1", None), ("eu-west-1", "LocationConstraint=eu-west-1")],
)
def test_the_artifacts_bucket_is_created_in_the_stack_region(
    region: str, configuration: str | None
) -> None:
    """us-east-1 takes no LocationConstraint (CreateBucket rejects it); other regions need it."""
    result = _run("--dry-run", "--region", region, "--tag", "t", VPC_ID="vpc-1", SUBNET_IDS="s")
    assert result.returncode == 0, result.stderr
    create = _command(result.stdout.splitlines(), "aws s3api create-bucket")
    if configuration is None:
        assert "--create-bucket-configuration" not in create
    else:
        assert _option(create, "--create-bucket-configuration") == configuration


IAM_NAME_PROPERTIES = {
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
}


def test_capability_iam_is_enough_for_the_template(
    dry_run: list[str], template: dict[str, Any]
) -> None:
    """A custom-named IAM resource needs CAPABILITY_NAMED_IAM, else InsufficientCapabilities."""
    named = [
        logical_id
        for logical_id, r in template["Resources"].items()
        if IAM_NAME_PROPERTIES.get(r["Type"]) in r.get("Properties", {})
    ]
    change_set = _command(dry_run, "aws cloudformation create-change-set")
    capabilities = _option(change_set, "--capabilities")
    assert named == [] or capabilities == "CAPABILITY_NAMED_IAM"
    assert "Transform" not in template  # a macro would need CAPABILITY_AUTO_EXPAND


def test_the_grant_policy_deploy_sh_puts_is_the_templates_own(template: dict[str, Any]) -> None:
    """One document: the household's secrets get what SpotifyRefreshTokenSecret has."""
    from tests.deploy.cfn_template import SAMPLE_PARAMETERS, Resolver

    resolver = Resolver(template)
    task_role = resolver.arn("ExtractorTaskRole")
    operator = SAMPLE_PARAMETERS["OperatorRoleArn"]
    result = _run("--print-grant-policy", task_role, operator)
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    resource = template["Resources"]["SpotifyRefreshTokenSecretPolicy"]["Properties"]
    own = resolver.resolve(resource["ResourcePolicy"])
    for statement in own["Statement"]:
        statement["Resource"] = "*"
    assert printed == own
