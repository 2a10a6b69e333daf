"""The environment a local stack gives the services: S3 on SeaweedFS, the rest on moto."""

from __future__ import annotations

import json
from pathlib import Path

from spotify_etl.local.provision import StackNames
from spotify_etl.local.state import LocalStack
from spotify_etl.pipeline.processes import service_environment
from spotify_etl.query.target import LocalTarget, choose_target

STACK = LocalStack(
    pid=1,
    endpoint="http://127.0.0.1:5000",
    names=StackNames(),
    log_file="moto.log",
    s3_pid=2,
    s3_endpoint="http://127.0.0.1:8333",
)


def test_s3_goes_to_the_s3_server_and_the_rest_to_moto() -> None:
    env = STACK.env()
    assert env["AWS_ENDPOINT_URL_S3"] == "http://127.0.0.1:8333"
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:5000"


def test_the_local_query_reads_from_the_s3_server() -> None:
    target = choose_target({}, STACK.env(), athena=False)
    assert isinstance(target, LocalTarget)
    assert target.endpoint == "http://127.0.0.1:8333"


def test_services_reach_the_stack_and_no_endpoint_left_in_the_shell() -> None:
    inherited = {
        "HOME": "/home/me",
        "AWS_ENDPOINT_URL_SQS": "http://localhost:4566",
        "AWS_ENDPOINT_URL_GLUE": "http://localhost:5001",
    }
    env = service_environment(inherited, STACK.env())
    assert env["HOME"] == "/home/me"
    assert "AWS_ENDPOINT_URL_SQS" not in env
    assert "AWS_ENDPOINT_URL_GLUE" not in env
    assert env["AWS_ENDPOINT_URL_S3"] == "http://127.0.0.1:8333"


def test_without_a_stack_endpoint_the_shell_endpoints_stay() -> None:
    inherited = {"AWS_ENDPOINT_URL_SQS": "http://localhost:4566"}
    assert service_environment(inherited, {"SPOTIFY_ETL_LOG_LEVEL": "INFO"}) == {
        **inherited,
        "SPOTIFY_ETL_LOG_LEVEL": "INFO",
    }


def test_a_stack_recorded_before_the_lake_loads_without_an_s3_server(tmp_path: Path) -> None:
    (tmp_path / "local.json").write_text(
        json.dumps(
            {"pid": 1, "endpoint": "http://x", "names": StackNames().__dict__, "log_file": "l"}
        )
    )
    old = LocalStack.load(tmp_path)
    assert old is not None
    assert (old.s3_endpoint, old.reopened) == ("", False)
    assert "AWS_ENDPOINT_URL_S3" not in old.env()


def test_a_recorded_stack_reads_back_the_same(tmp_path: Path) -> None:
    STACK.save(tmp_path)
    assert LocalStack.load(tmp_path) == STACK
