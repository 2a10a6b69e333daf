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
BASE = [
    {"match": "sts get-caller-identity", "stdout": "123456789012\n"},
    {"match": "s3api get-bucket-location", "stdout": "eu-west-1\n"},
]


@dataclass(frozen=True)
class Run:
    rc: int
    stderr: str
    calls: list[dict[str, Any]]

    def called(self, *words: str) -> bool:
        return any(all(w in c["argv"] for w in words) for c in self.calls)


def _deploy(tmp_path: Path, rules: list[dict[str, Any]]) -> Run:
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
