"""deploy/local/init-aws.sh (the compose `init` step) against a moto server.

Runs with this venv's ``aws`` (the ``awscli`` dev dependency; the compose step runs
in the amazon/aws-cli image). moto stands in for both LocalStack and the Glue/Athena moto.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import LocalAws
from tests.deploy.cfn_template import REPO
from tests.deploy.venv_tools import venv_tool

pytestmark = pytest.mark.integration

SCRIPT = REPO / "deploy" / "local" / "init-aws.sh"


def _run(moto_server: LocalAws, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    venv_tool("aws")  # fails with the fix when the dev dependency is missing
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return subprocess.run(
        ["bash", str(SCRIPT)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": path, "HOME": os.environ.get("HOME", "/tmp"), **env},
    )


def test_init_script_creates_bucket_queues_with_redrive_database_and_workgroup(
    moto_server: LocalAws,
) -> None:
    tag = uuid.uuid4().hex[:8]
    env = moto_server.env() | {
        "AWS_ENDPOINT_URL_GLUE": moto_server.endpoint,
        "AWS_ENDPOINT_URL_ATHENA": moto_server.endpoint,
        "SPOTIFY_ETL_BUCKET": f"init-{tag}",
        "SPOTIFY_ETL_TRANSFORM_QUEUE": f"init-{tag}-transform",
        "SPOTIFY_ETL_CATALOG_QUEUE": f"init-{tag}-catalog",
        "GLUE_DATABASE": f"init_{tag}",
        "ATHENA_WORKGROUP": f"init-{tag}",
    }
    result = _run(moto_server, env)
    assert result.returncode == 0, result.stderr

    moto_server.client("s3").head_bucket(Bucket=env["SPOTIFY_ETL_BUCKET"])
    sqs = moto_server.client("sqs")
    for queue in (env["SPOTIFY_ETL_TRANSFORM_QUEUE"], env["SPOTIFY_ETL_CATALOG_QUEUE"]):
        url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        redrive = json.loads(attributes["RedrivePolicy"])
        assert redrive["deadLetterTargetArn"].endswith(f":{queue}-dlq")
        assert int(redrive["maxReceiveCount"]) == 10
        assert attributes["VisibilityTimeout"] == "60"
        assert attributes["MessageRetentionPeriod"] == "1209600"
    glue = moto_server.client("glue")
    assert glue.get_database(Name=env["GLUE_DATABASE"])["Database"]["Name"] == env["GLUE_DATABASE"]
    athena = moto_server.client("athena")
    assert athena.get_work_group(WorkGroup=env["ATHENA_WORKGROUP"])["WorkGroup"]["State"] == (
        "ENABLED"
    )


def test_init_script_refuses_to_run_without_endpoints(moto_server: LocalAws) -> None:
    result = _run(moto_server, {"SPOTIFY_ETL_BUCKET": "x"})
    assert result.returncode != 0
    assert "AWS_ENDPOINT_URL" in result.stderr
