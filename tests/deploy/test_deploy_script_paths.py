"""deploy/deploy.sh on the paths a real account reaches and moto does not.

The script runs for real; ``aws`` is :mod:`tests.deploy.fake_aws`, which answers
from a scenario with the real CLI's texts and records every call. Covered: a
stack left ROLLBACK_COMPLETE or UPDATE_ROLLBACK_FAILED, a DescribeStacks that
fails for another reason than "does not exist", a change set that FAILED (it is
deleted, and so is the empty stack a failed first create leaves), previous
parameters that cannot be read, an artifacts bucket in another region, and the
CLI v2 pager being off for every call.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.cfn_template import DEPLOY_SCRIPT

FAKE = Path(__file__).with_name("fake_aws.py")
STACK_STATUS = "--query Stacks[0].StackStatus"
NO_STACK = (
    "\nAn error occurred (ValidationError) when calling the DescribeStacks operation: "
    "Stack with id spotify-etl does not exist\n"
)
OPERATOR = "arn:aws:iam::123456789012:role/ops/Operator"
BASE = [
    {
        "match": "sts get-caller-identity",
        "stdout": "123456789012\tarn:aws:sts::123456789012:assumed-role/Operator/alice\n",
    },
    {"match": "iam get-role --role-name Operator", "stdout": f"{OPERATOR}\n"},
    {"match": "s3api get-bucket-location", "stdout": "eu-west-1\n"},
    {
        "match": "list-stack-resources",
        "stdout": "ExtractorTaskRole\tspotify-etl-ExtractorTaskRole-AbC\n"
        "GrantKey\t1234abcd-0000-1111-2222-333344445555\n",
    },
    {
        "match": "Stacks[].Parameters[]",
        "stdout": f"OperatorRoleArn\t{OPERATOR}\nSpotifyUserSecretPrefix\tspotify-etl/users/\n",
    },
]


@dataclass(frozen=True)
class Run:
    rc: int
    stderr: str
    calls: list[dict[str, Any]]

    def called(self, *words: str) -> bool:
        return any(all(w in c["argv"] for w in words) for c in self.calls)


def _deploy(tmp_path: Path, rules: list[dict[str, Any]], **env: str) -> Run:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    aws = bin_dir / "aws"
    aws.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE}" "$@"\n')
    aws.chmod(0o755)
    scenario, log = tmp_path / "scenario.json", tmp_path / "calls.jsonl"
    scenario.write_text(json.dumps(rules + BASE))
    log.touch()
    result = subprocess.run(
        ["bash", str(DEPLOY_SCRIPT), "--skip-build", "--region", "eu-west-1", "--tag", "abc123"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "HOME": str(tmp_path),
            "VPC_ID": "vpc-1",
            "SUBNET_IDS": "subnet-a,subnet-b",
            "FAKE_AWS_SCENARIO": str(scenario),
            "FAKE_AWS_LOG": str(log),
            **env,
        },
    )
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    return Run(result.returncode, result.stderr, calls)


@pytest.mark.parametrize("status", ["ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "DELETE_FAILED"])
def test_a_stack_whose_create_failed_is_not_touched_and_the_way_out_is_said(
    tmp_path: Path, status: str
) -> None:
    run = _deploy(tmp_path, [{"match": STACK_STATUS, "stdout": f"{status}\n"}])
    assert run.rc == 2
    assert f"stack spotify-etl is {status}" in run.stderr
    assert "aws cloudformation delete-stack --stack-name spotify-etl" in run.stderr
    assert not run.called("create-change-set")


def test_a_stack_stuck_in_update_rollback_failed_points_to_continue_update_rollback(
    tmp_path: Path,
) -> None:
    run = _deploy(tmp_path, [{"match": STACK_STATUS, "stdout": "UPDATE_ROLLBACK_FAILED\n"}])
    assert run.rc == 2
    assert "continue-update-rollback --stack-name spotify-etl" in run.stderr
    assert not run.called("create-change-set")


def test_a_describe_stacks_error_is_not_taken_for_a_new_stack(tmp_path: Path) -> None:
    denied = (
        "\nAn error occurred (ExpiredToken) when calling the DescribeStacks operation: "
        "The security token included in the request is expired\n"
    )
    run = _deploy(tmp_path, [{"match": STACK_STATUS, "stderr": denied, "rc": 254}])
    assert run.rc == 2
    assert "cannot read stack spotify-etl" in run.stderr
    assert "ExpiredToken" in run.stderr
    assert not run.called("create-change-set")


@pytest.mark.parametrize(
    "status",
    [
        {"match": STACK_STATUS, "stderr": NO_STACK, "rc": 254},
        {"match": STACK_STATUS, "stdout": "REVIEW_IN_PROGRESS\n"},  # an earlier failed first
    ],
)
def test_a_failed_change_set_of_a_first_deploy_is_removed_with_its_empty_stack(
    tmp_path: Path, status: dict[str, Any]
) -> None:
    reason = "Parameters: [Typo] do not exist in the template"
    run = _deploy(
        tmp_path,
        [
            status,
            {"match": "wait change-set-create-complete", "stderr": "Waiter failed", "rc": 255},
            {"match": "describe-change-set", "stdout": f"{reason}\n"},
        ],
    )
    assert run.rc == 2
    assert reason in run.stderr
    assert run.called("create-change-set", "CREATE")
    assert run.called("delete-change-set")
    assert run.called("delete-stack")
    assert not run.called("execute-change-set")


def test_a_failed_change_set_of_an_update_is_removed_and_the_stack_kept(tmp_path: Path) -> None:
    run = _deploy(
        tmp_path,
        [
            {"match": STACK_STATUS, "stdout": "UPDATE_COMPLETE\n"},
            {"match": "get-template-summary", "stdout": "AlarmEmail\t\n"},
            {"match": "Stacks[0].Parameters", "stdout": "AlarmEmail\tops@example.com\n"},
            {"match": "wait change-set-create-complete", "rc": 255},
            {"match": "describe-change-set", "stdout": "Template error: unresolved\n"},
        ],
    )
    assert run.rc == 2
    assert run.called("create-change-set", "UPDATE")
    assert run.called("delete-change-set")
    assert not run.called("delete-stack")
    [change_set] = [c["argv"] for c in run.calls if "create-change-set" in c["argv"]]
    parameters = json.loads(change_set[change_set.index("--parameters") + 1])
    assert {"ParameterKey": "AlarmEmail", "UsePreviousValue": True} in parameters


def test_previous_parameters_that_cannot_be_read_stop_the_update(tmp_path: Path) -> None:
    """Else every parameter not given would silently go back to its default."""
    run = _deploy(
        tmp_path,
        [
            {"match": STACK_STATUS, "stdout": "UPDATE_COMPLETE\n"},
            {"match": "Stacks[0].Parameters", "stderr": "Throttling", "rc": 254},
        ],
    )
    assert run.rc != 0
    assert not run.called("create-change-set")


def test_an_artifacts_bucket_in_another_region_is_refused(tmp_path: Path) -> None:
    run = _deploy(tmp_path, [{"match": "s3api get-bucket-location", "stdout": "us-west-2\n"}])
    assert run.rc == 2
    assert "is in us-west-2, the stack in eu-west-1" in run.stderr
    assert not run.called("put-object")


def test_every_aws_call_runs_without_the_cli_v2_pager(tmp_path: Path) -> None:
    run = _deploy(tmp_path, [{"match": STACK_STATUS, "stderr": NO_STACK, "rc": 254}])
    assert run.rc == 0, run.stderr
    assert run.called("execute-change-set")
    assert {c["pager"] for c in run.calls} == {""}


def _parameters(run: Run) -> list[dict[str, Any]]:
    [change_set] = [c["argv"] for c in run.calls if "create-change-set" in c["argv"]]
    parameters: list[dict[str, Any]] = json.loads(change_set[change_set.index("--parameters") + 1])
    return parameters


def test_a_first_deploy_makes_the_role_it_runs_as_the_operator(tmp_path: Path) -> None:
    """The role's full ARN (its path included: aws:PrincipalArn carries it) from iam get-role."""
    run = _deploy(tmp_path, [{"match": STACK_STATUS, "stderr": NO_STACK, "rc": 254}])
    assert run.rc == 0, run.stderr
    assert {"ParameterKey": "OperatorRoleArn", "ParameterValue": OPERATOR} in _parameters(run)
    assert f"OperatorRoleArn: {OPERATOR} (the role this runs as)" in run.stderr


def test_operator_role_arn_names_another_operator(tmp_path: Path) -> None:
    other = "arn:aws:iam::123456789012:role/grants-admin"
    run = _deploy(
        tmp_path, [{"match": STACK_STATUS, "stderr": NO_STACK, "rc": 254}], OPERATOR_ROLE_ARN=other
    )
    assert run.rc == 0, run.stderr
    assert {"ParameterKey": "OperatorRoleArn", "ParameterValue": other} in _parameters(run)
    assert not run.called("iam", "get-role")


def test_a_first_deploy_as_a_user_says_how_to_name_the_operator(tmp_path: Path) -> None:
    as_user = {
        "match": "sts get-caller-identity",
        "stdout": "123456789012\tarn:aws:iam::123456789012:user/alice\n",
    }
    run = _deploy(tmp_path, [as_user, {"match": STACK_STATUS, "stderr": NO_STACK, "rc": 254}])
    assert run.rc == 2
    assert "set OPERATOR_ROLE_ARN=arn:aws:iam::123456789012:role/<name>" in run.stderr
    assert not run.called("create-change-set")


def test_an_update_keeps_the_stacks_operator(tmp_path: Path) -> None:
    run = _deploy(
        tmp_path,
        [
            {"match": STACK_STATUS, "stdout": "UPDATE_COMPLETE\n"},
            {"match": "get-template-summary", "stdout": "OperatorRoleArn\tNone\n"},
            {"match": "Stacks[0].Parameters", "stdout": "OperatorRoleArn\tarn:aws:iam::1:role/x\n"},
        ],
    )
    assert run.rc == 0, run.stderr
    assert {"ParameterKey": "OperatorRoleArn", "UsePreviousValue": True} in _parameters(run)
    assert not any(
        p.get("ParameterValue") for p in _parameters(run) if p["ParameterKey"] == "OperatorRoleArn"
    )


def test_the_households_grant_secrets_get_the_grant_key_and_policy(tmp_path: Path) -> None:
    alice = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:spotify-etl/users/alice-AbCdEf"
    bob = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:spotify-etl/users/bob-GhIjKl"
    key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-0000-1111-2222-333344445555"
    listed = f"{alice}\tNone\tspotify-etl/users/alice\n{bob}\t{key}\tspotify-etl/users/bob\n"
    run = _deploy(
        tmp_path,
        [
            {"match": STACK_STATUS, "stderr": NO_STACK, "rc": 254},
            {"match": "secretsmanager list-secrets", "stdout": listed},
        ],
    )
    assert run.rc == 0, run.stderr
    updates = [c["argv"] for c in run.calls if "update-secret" in c["argv"]]
    assert updates == [
        ["secretsmanager", "update-secret", "--secret-id", alice, "--kms-key-id", key]
    ]  # bob's already has it
    puts = [c["argv"] for c in run.calls if "put-resource-policy" in c["argv"]]
    assert [p[p.index("--secret-id") + 1] for p in puts] == [alice, bob]
    policy = json.loads(puts[0][puts[0].index("--resource-policy") + 1])
    [deny] = policy["Statement"]
    assert deny["Condition"]["ArnNotEquals"]["aws:PrincipalArn"] == [
        "arn:aws:iam::123456789012:role/spotify-etl-ExtractorTaskRole-AbC",
        OPERATOR,
    ]
    [listing] = [c["argv"] for c in run.calls if "list-secrets" in c["argv"]]
    assert "Key=name,Values=spotify-etl/users/" in listing
