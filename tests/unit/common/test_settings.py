"""A missing or invalid variable stops a service with one clear line and exit code 2."""

from __future__ import annotations

import pytest
from spotify_etl_common.settings import CommonSettings, load_settings
from spotify_etl_common.worker import WorkerSettings

REQUIRED = {
    "SPOTIFY_ETL_BUCKET": "my-bucket",
    "SPOTIFY_ETL_TRANSFORM_QUEUE": "t",
    "SPOTIFY_ETL_CATALOG_QUEUE": "c",
}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [*REQUIRED, "AWS_ENDPOINT_URL", "SPOTIFY_ETL_MAX_IN_FLIGHT"]:
        monkeypatch.delenv(name, raising=False)


def test_missing_variable_exits_2_naming_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SPOTIFY_ETL_TRANSFORM_QUEUE", "t")
    monkeypatch.setenv("SPOTIFY_ETL_CATALOG_QUEUE", "c")
    with pytest.raises(SystemExit) as caught:
        load_settings(CommonSettings)
    assert caught.value.code == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert err == (
        "configuration error: SPOTIFY_ETL_BUCKET is missing: expected S3 bucket that holds "
        "raw/, curated/, state/ and athena-results/"
    )


def test_invalid_variable_says_what_is_expected(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for k, v in REQUIRED.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("SPOTIFY_ETL_MAX_IN_FLIGHT", "many")
    with pytest.raises(SystemExit) as caught:
        load_settings(WorkerSettings)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "SPOTIFY_ETL_MAX_IN_FLIGHT is invalid" in err
    assert "Most messages handled at once" in err


def test_valid_environment_builds_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in REQUIRED.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5000")
    monkeypatch.setenv("AWS_ENDPOINT_URL_GLUE", "http://127.0.0.1:5001")
    settings = load_settings(WorkerSettings)
    assert settings.bucket == "my-bucket"
    assert settings.endpoint_for("s3") == "http://127.0.0.1:5000"
    assert settings.endpoint_for("glue") == "http://127.0.0.1:5001"
    assert settings.endpoint_for("athena") == "http://127.0.0.1:5000"


def test_each_service_can_have_its_own_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in REQUIRED.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://shared:4566")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://s3:5001")
    monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", "http://sqs:5002")
    monkeypatch.setenv("AWS_ENDPOINT_URL_ATHENA", "http://athena:5003")
    settings = load_settings(WorkerSettings)
    assert [settings.endpoint_for(s) for s in ("s3", "sqs", "glue", "athena")] == [
        "http://s3:5001",
        "http://sqs:5002",
        "http://shared:4566",
        "http://athena:5003",
    ]
    assert settings.worker_config().max_in_flight == 10
