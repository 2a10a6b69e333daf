"""Choosing between DuckDB on a local stack and Athena on AWS."""

from __future__ import annotations

import pytest
from spotify_etl.query.target import AthenaTarget, LocalTarget, TargetError, choose_target

STACK = {
    "AWS_ENDPOINT_URL": "http://127.0.0.1:5000",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "SPOTIFY_ETL_BUCKET": "spotify-etl-local",
}


def test_a_running_local_stack_is_used_with_no_variable_set() -> None:
    assert choose_target({}, STACK, athena=False) == LocalTarget(
        "http://127.0.0.1:5000",
        "spotify-etl-local",
        "testing",
        "testing",
        "local stack",
        glue_endpoint="http://127.0.0.1:5000",
    )


def test_on_the_local_stack_glue_is_motos_and_s3_the_lake_on_disk() -> None:
    """S3 on SeaweedFS, Glue (the Iceberg catalog) on moto: each its own endpoint."""
    target = choose_target({}, {**STACK, "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:8333"}, False)
    assert isinstance(target, LocalTarget)
    assert target.endpoint_for("s3") == "http://127.0.0.1:8333"
    assert target.endpoint_for("glue") == "http://127.0.0.1:5000"


def test_aws_endpoint_url_without_a_local_stack_means_duckdb_on_that_endpoint() -> None:
    target = choose_target(STACK, None, athena=False)
    assert isinstance(target, LocalTarget)
    assert target.origin == "AWS_ENDPOINT_URL"


def test_duckdb_reads_from_the_s3_endpoint_when_s3_has_its_own() -> None:
    target = choose_target({**STACK, "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:5001"}, None, False)
    assert isinstance(target, LocalTarget)
    assert target.endpoint == "http://127.0.0.1:5001"


def test_no_local_stack_and_no_endpoint_means_athena_with_defaults() -> None:
    assert choose_target({"SPOTIFY_ETL_BUCKET": "prod"}, None, athena=False) == AthenaTarget(
        bucket="prod", database="spotify", workgroup="primary", region="us-east-1", endpoint=None
    )


def test_athena_flag_wins_over_a_local_stack() -> None:
    env = {
        "SPOTIFY_ETL_BUCKET": "prod",
        "CATALOGER_ATHENA_WORKGROUP": "etl",
        "AWS_REGION": "eu-west-1",
    }
    target = choose_target(env, STACK, athena=True)
    assert target == AthenaTarget("prod", "spotify", "etl", "eu-west-1", None)
    assert target.output_location == "s3://prod/athena-results/"


def test_athena_without_a_bucket_says_what_to_set() -> None:
    with pytest.raises(TargetError, match="SPOTIFY_ETL_BUCKET is not set"):
        choose_target({}, None, athena=False)


def test_the_athena_target_gives_the_common_client_factory_its_region_and_endpoint() -> None:
    env = {
        "SPOTIFY_ETL_BUCKET": "b",
        "AWS_REGION": "eu-west-1",
        "AWS_ENDPOINT_URL_ATHENA": "http://127.0.0.1:5000",
    }
    target = choose_target(env, None, athena=True)
    assert isinstance(target, AthenaTarget)
    assert target.aws_region == "eu-west-1"
    assert target.endpoint_for("athena") == "http://127.0.0.1:5000"
    assert target.endpoint_for("s3") is None
