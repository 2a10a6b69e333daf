"""docker-compose.yml: valid for Compose v2, a scalable pipeline on LocalStack and moto."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.deploy.cfn_template import SERVICES
from tests.deploy.compose_config import COMPOSE_FILE, load_config, run_config

WORKERS = ("transformer", "cataloger")


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    return load_config()


def test_compose_config_accepts_the_file_with_every_profile() -> None:
    result = run_config(COMPOSE_FILE, "--quiet")
    assert result.returncode == 0, result.stderr


def test_compose_config_rejects_an_invalid_file(tmp_path: Path) -> None:
    """The check is live: the real binary exits non-zero on a bad file."""
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(
        "services:\n  worker:\n    image: x\n    depends_on:\n      missing:\n"
        "        condition: service_healthy\n"
    )
    result = run_config(broken, "--quiet")
    assert result.returncode != 0


def test_emulators_are_pinned(config: dict[str, Any]) -> None:
    services = config["services"]
    assert services["localstack"]["image"] == "localstack/localstack:4.14.0"
    assert services["moto"]["image"].startswith("motoserver/moto:5.")
    assert services["localstack"]["environment"]["SERVICES"] == "s3,sqs"


def test_glue_and_athena_go_to_moto_and_the_rest_to_localstack(config: dict[str, Any]) -> None:
    for name in SERVICES:
        env = config["services"][name]["environment"]
        assert env["AWS_ENDPOINT_URL"] == "http://localstack:4566"
        assert env["AWS_ENDPOINT_URL_GLUE"] == "http://moto:5000"
        assert env["AWS_ENDPOINT_URL_ATHENA"] == "http://moto:5000"


@pytest.mark.parametrize("name", WORKERS)
def test_workers_can_be_scaled(config: dict[str, Any], name: str) -> None:
    """`--scale worker=3` needs no fixed container name and no host port."""
    service = config["services"][name]
    assert "container_name" not in service
    assert "ports" not in service


@pytest.mark.parametrize("name", SERVICES)
def test_services_have_health_checks(config: dict[str, Any], name: str) -> None:
    test = config["services"][name]["healthcheck"]["test"]
    assert test[0] == "CMD"
    assert len(test) > 1


@pytest.mark.parametrize("name", SERVICES)
def test_services_wait_for_the_init_step(config: dict[str, Any], name: str) -> None:
    depends = config["services"][name]["depends_on"]
    assert depends["init"]["condition"] == "service_completed_successfully"


def test_init_waits_for_healthy_emulators(config: dict[str, Any]) -> None:
    depends = config["services"]["init"]["depends_on"]
    assert depends["localstack"]["condition"] == "service_healthy"
    assert depends["moto"]["condition"] == "service_healthy"
    volumes = config["services"]["init"]["volumes"]
    assert any(v["source"].endswith("deploy/local/init-aws.sh") for v in volumes)


def test_fake_spotify_is_a_profile_the_extractor_uses_when_enabled(
    config: dict[str, Any],
) -> None:
    assert config["services"]["fake-spotify"]["profiles"] == ["fake"]
    depends = config["services"]["extractor"]["depends_on"]["fake-spotify"]
    assert depends["condition"] == "service_healthy"
    assert depends["required"] is False
    env = config["services"]["extractor"]["environment"]
    assert env["SPOTIFY_API_URL"] == "http://fake-spotify:8080/v1"
    assert env["SPOTIFY_ACCOUNTS_URL"] == "http://fake-spotify:8080"
    assert env["SPOTIFY_PLAIN_HTTP_HOSTS"] == "fake-spotify"  # else plain http is refused


@pytest.mark.parametrize(
    ("name", "dockerfile"),
    [
        ("extractor", "services/extractor/Dockerfile"),
        ("transformer", "services/transformer/Dockerfile"),
        ("cataloger", "services/cataloger/Dockerfile"),
        ("fake-spotify", "tools/fake_spotify/Dockerfile"),
    ],
)
def test_images_build_from_the_repository_root(
    config: dict[str, Any], name: str, dockerfile: str
) -> None:
    build = config["services"][name]["build"]
    assert Path(build["context"]) == COMPOSE_FILE.parent
    assert build["dockerfile"] == dockerfile
    assert (COMPOSE_FILE.parent / dockerfile).is_file()


def test_every_service_shares_one_bucket_and_queue_names(config: dict[str, Any]) -> None:
    names = {"SPOTIFY_ETL_BUCKET", "SPOTIFY_ETL_TRANSFORM_QUEUE", "SPOTIFY_ETL_CATALOG_QUEUE"}
    values = [
        {k: config["services"][s]["environment"][k] for k in names} for s in (*SERVICES, "init")
    ]
    assert all(v == values[0] for v in values)


def test_extractor_defaults_are_the_fake_spotify_credentials(config: dict[str, Any]) -> None:
    """`--profile fake` works without any variable: the defaults are what the fake accepts."""
    from fake_spotify.tokens import Credentials

    env = config["services"]["extractor"]["environment"]
    assert env["SPOTIFY_CLIENT_ID"] == Credentials.client_id
    assert env["SPOTIFY_CLIENT_SECRET"] == Credentials.client_secret
    assert env["SPOTIFY_REFRESH_TOKEN"] == Credentials.refresh_token


def test_python_health_checks_compile(config: dict[str, Any]) -> None:
    """The `python -c` probes never run here, so at least they must be valid Python."""
    probes = [
        service["healthcheck"]["test"]
        for service in config["services"].values()
        if "healthcheck" in service and service["healthcheck"]["test"][1:3] == ["python", "-c"]
    ]
    assert len(probes) >= 4
    for probe in probes:
        compile(probe[3], "<healthcheck>", "exec")


@pytest.mark.parametrize("name", [*SERVICES, "fake-spotify"])
def test_service_containers_run_under_an_init(config: dict[str, Any], name: str) -> None:
    """PID 1 is an init that forwards SIGTERM and reaps, not the Python service."""
    assert config["services"][name]["init"] is True


@pytest.mark.parametrize("name", WORKERS)
def test_workers_get_their_grace_before_docker_kills_them(
    config: dict[str, Any], name: str
) -> None:
    service = config["services"][name]
    env = service["environment"]
    grace = float(env["SPOTIFY_ETL_SHUTDOWN_GRACE"])
    # the worker's bound: max(grace, wait + 1) plus one give-back and one delete call
    exit_within = max(grace, int(env["SPOTIFY_ETL_WAIT_SECONDS"]) + 1) + 5
    stop_grace = service["stop_grace_period"]
    seconds = float(stop_grace.removesuffix("s")) if isinstance(stop_grace, str) else stop_grace
    assert exit_within < seconds
