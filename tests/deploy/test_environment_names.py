"""Every variable given to a service exists in its settings class, and every required one is given.

Both places that configure the services are read: docker-compose.yml (as
Compose resolves it) and the CloudFormation task definitions (environment and
secrets). A misspelt name would be silently ignored by pydantic-settings
(``extra="ignore"``), so this is the only check that catches it before a run.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from tests.deploy.cfn_template import Resolver
from tests.deploy.compose_config import load_config

SETTINGS = {
    "extractor": ("extractor.settings", "ExtractorSettings", "ExtractorTaskDefinition"),
    "transformer": ("transformer.settings", "TransformerSettings", "TransformerTaskDefinition"),
    "cataloger": ("cataloger.settings", "CatalogerSettings", "CatalogerTaskDefinition"),
}
"""Service: settings module, settings class, task definition logical id."""

SDK_VARIABLES = {"AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
"""Read by botocore itself (credentials, default region), not by the settings classes."""


def _settings_class(service: str) -> Any:
    module_name, class_name, _ = SETTINGS[service]
    return getattr(importlib.import_module(module_name), class_name)


def _aliases(settings_class: Any) -> tuple[set[str], set[str]]:
    """(every variable name, the required ones) of a settings class."""
    fields = settings_class.model_fields.values()
    names = {f.alias for f in fields if f.alias}
    required = {f.alias for f in fields if f.alias and f.is_required()}
    return names, required


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load_config()


def _compose_names(compose: dict[str, Any], service: str) -> set[str]:
    return set(compose["services"][service].get("environment", {}))


def _task_names(template: dict[str, Any], service: str) -> set[str]:
    logical_id = SETTINGS[service][2]
    container = Resolver(template).resolve(
        template["Resources"][logical_id]["Properties"]["ContainerDefinitions"][0]
    )
    return {e["Name"] for e in container.get("Environment", [])} | {
        s["Name"] for s in container.get("Secrets", [])
    }


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_compose_sets_only_variables_the_settings_declare(
    compose: dict[str, Any], service: str
) -> None:
    names, _ = _aliases(_settings_class(service))
    unknown = _compose_names(compose, service) - names - SDK_VARIABLES
    assert unknown == set(), f"docker-compose.yml gives the {service} unknown variables"


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_compose_sets_every_required_variable(compose: dict[str, Any], service: str) -> None:
    _, required = _aliases(_settings_class(service))
    assert required - _compose_names(compose, service) == set()


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_task_definition_sets_only_variables_the_settings_declare(
    template: dict[str, Any], service: str
) -> None:
    names, _ = _aliases(_settings_class(service))
    unknown = _task_names(template, service) - names
    assert unknown == set(), f"the {service} task definition gives unknown variables"
