"""Every policy of the template: parliament-clean and least privilege per service."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import types
from typing import Any

import pytest

from tests.deploy.cfn_template import (
    Resolver,
    as_list,
    policies,
    resources_of_type,
    role_allows,
)

RESOURCE_STAR_ALLOWED = {"ecr:GetAuthorizationToken"}
"""Actions that support no resource-level permission, so "Resource": "*" is unavoidable."""

KEY_ADMINISTRATION_SID = "AccountAdministersTheKey"
"""The one statement allowed a service wildcard: a key policy's root statement.

``kms:*`` for the account root hands the key's administration to the account's
IAM policies (without it the key could never be changed or deleted). In a key
policy ``"Resource": "*"`` means the key itself, so parliament's RESOURCE_STAR
(written for identity policies) does not apply to key policies.
"""

SERVICE_PUBLISH_WILDCARD = "kms:GenerateDataKey*"
"""The one narrower wildcard: what SNS documents for AWS services publishing to an encrypted topic.

Amazon SNS Developer Guide, Key management, "Enable compatibility between event
sources from AWS services and encrypted topics": grant the service principal
``kms:GenerateDataKey*`` and ``kms:Decrypt`` in the key policy. Allowed only in the
alarm key's policy, only to a service principal.
"""

pytestmark = pytest.mark.filterwarnings("ignore:invalid escape sequence:DeprecationWarning")


def _parliament() -> types.ModuleType:
    """parliament, importable without setuptools.

    parliament 1.6 imports ``pkg_resources`` only for ``resource_filename`` of
    its own data files; setuptools (which provides it) is not a dependency here,
    so a minimal stand-in is registered when the real one is missing.
    """
    if "pkg_resources" not in sys.modules and importlib.util.find_spec("pkg_resources") is None:
        spec = importlib.util.find_spec("parliament")
        assert spec is not None, "parliament is not installed: run `uv sync`"
        assert spec.submodule_search_locations
        base = next(iter(spec.submodule_search_locations))
        shim = types.ModuleType("pkg_resources")
        shim.resource_filename = lambda _package, name: os.path.join(base, name)  # type: ignore[attr-defined]
        sys.modules["pkg_resources"] = shim
    return importlib.import_module("parliament")


def test_template_has_policies_to_check(template: dict[str, Any]) -> None:
    owners = {p.owner for p in policies(template)}
    assert {
        "ExtractorTaskRole",
        "TransformerTaskRole",
        "CatalogerTaskRole",
        "TaskExecutionRole",
        "ExtractorExecutionRole",
        "SchedulerRole",
        "DataBucketPolicy",
    } <= owners


def test_parliament_finds_nothing_in_any_policy(template: dict[str, Any]) -> None:
    parliament = _parliament()
    findings = []
    for policy in policies(template):
        analysed = parliament.analyze_policy_string(json.dumps(policy.document))
        findings += [
            f"{policy.owner}/{policy.name}: {f.issue} {f.detail}"
            for f in analysed.findings
            if not (policy.name == "key-policy" and f.issue == "RESOURCE_STAR")
        ]
    assert findings == []


def test_parliament_reports_a_bad_action() -> None:
    """The IAM check is live: a misspelt action is a finding."""
    parliament = _parliament()
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sqs:ReceiveMesage", "Resource": "*"}],
    }
    issues = {f.issue for f in parliament.analyze_policy_string(json.dumps(document)).findings}
    assert "UNKNOWN_ACTION" in issues


def _is_key_administration(policy: Any, statement: dict[str, Any]) -> bool:
    return (
        policy.name == "key-policy"
        and statement.get("Sid") == KEY_ADMINISTRATION_SID
        and statement["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    )


def test_no_policy_allows_every_action_or_a_service_wildcard(template: dict[str, Any]) -> None:
    for policy in policies(template):
        for statement in policy.statements:
            if statement["Effect"] != "Allow" or _is_key_administration(policy, statement):
                continue
            for action in as_list(statement["Action"]):
                if action == SERVICE_PUBLISH_WILDCARD and _is_service_publish_grant(
                    policy, statement
                ):
                    continue
                assert "*" not in action, f"{policy.owner}: wildcard action {action}"


def _is_service_publish_grant(policy: Any, statement: dict[str, Any]) -> bool:
    return (
        policy.owner == "AlarmTopicKey"
        and set(statement["Principal"]) == {"Service"}
        and set(as_list(statement["Action"])) == {"kms:Decrypt", SERVICE_PUBLISH_WILDCARD}
    )


def test_the_only_wildcard_is_the_account_root_statement_of_the_alarm_key(
    template: dict[str, Any],
) -> None:
    wildcards = [
        (policy.owner, statement.get("Sid"))
        for policy in policies(template)
        for statement in policy.statements
        if any("*" in action for action in as_list(statement["Action"]))
        and statement["Effect"] == "Allow"
        and not _is_service_publish_grant(policy, statement)
    ]
    assert wildcards == [("AlarmTopicKey", KEY_ADMINISTRATION_SID)]


def test_the_service_publish_wildcard_is_only_granted_to_services_on_the_alarm_key() -> None:
    """The exception has teeth: the same wildcard for a role, or with more actions, is not it."""

    class Owner:
        owner = "AlarmTopicKey"

    class Role:
        owner = "ExtractorTaskRole"

    grant = {
        "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Action": ["kms:Decrypt", SERVICE_PUBLISH_WILDCARD],
        "Resource": "*",
    }
    assert _is_service_publish_grant(Owner(), grant)
    assert not _is_service_publish_grant(Role(), grant)
    assert not _is_service_publish_grant(Owner(), {**grant, "Principal": {"AWS": "arn:x"}})
    assert not _is_service_publish_grant(
        Owner(), {**grant, "Action": ["kms:Decrypt", "kms:Encrypt", SERVICE_PUBLISH_WILDCARD]}
    )


def test_resource_star_only_where_the_action_has_no_resource_level_permission(
    template: dict[str, Any],
) -> None:
    for policy in policies(template):
        if policy.name == "key-policy":
            continue  # "*" is the key itself
        for statement in policy.statements:
            if statement["Effect"] == "Allow" and "*" in as_list(statement["Resource"]):
                assert set(as_list(statement["Action"])) <= RESOURCE_STAR_ALLOWED, policy.owner


@pytest.fixture(scope="module")
def bucket_arn(template: dict[str, Any]) -> str:
    return Resolver(template).arn("DataBucket")


@pytest.mark.parametrize(
    ("role", "action", "key", "allowed"),
    [
        ("ExtractorTaskRole", "s3:PutObject", "raw/source=playlists/p.json", True),
        ("ExtractorTaskRole", "s3:PutObject", "state/extractor/cursor.json", True),
        ("ExtractorTaskRole", "s3:GetObject", "curated/tracks/dt=2026-01-01/a.parquet", False),
        ("ExtractorTaskRole", "s3:PutObject", "curated/tracks/dt=2026-01-01/a.parquet", False),
        ("TransformerTaskRole", "s3:GetObject", "raw/source=playlists/p.json", True),
        ("TransformerTaskRole", "s3:PutObject", "raw/source=playlists/p.json", False),
        ("TransformerTaskRole", "s3:DeleteObject", "raw/source=playlists/p.json", False),
        ("TransformerTaskRole", "s3:PutObject", "curated/tracks/dt=2026-01-01/a.parquet", True),
        ("TransformerTaskRole", "s3:PutObject", "state/extractor/cursor.json", False),
        ("CatalogerTaskRole", "s3:PutObject", "athena-results/q.csv", True),
        ("CatalogerTaskRole", "s3:PutObject", "curated/tracks/dt=2026-01-01/a.parquet", False),
        ("CatalogerTaskRole", "s3:PutObject", "raw/source=playlists/p.json", False),
        ("CatalogerTaskRole", "s3:GetObject", "raw/source=playlists/p.json", False),
    ],
)
def test_task_roles_reach_only_their_prefixes(
    template: dict[str, Any], bucket_arn: str, role: str, action: str, key: str, allowed: bool
) -> None:
    assert role_allows(template, role, action, f"{bucket_arn}/{key}") is allowed


@pytest.mark.parametrize(
    ("role", "action", "queue", "allowed"),
    [
        ("ExtractorTaskRole", "sqs:SendMessage", "TransformQueue", True),
        ("ExtractorTaskRole", "sqs:ReceiveMessage", "TransformQueue", False),
        ("ExtractorTaskRole", "sqs:SendMessage", "CatalogQueue", False),
        ("TransformerTaskRole", "sqs:ReceiveMessage", "TransformQueue", True),
        ("TransformerTaskRole", "sqs:SendMessage", "CatalogQueue", True),
        ("TransformerTaskRole", "sqs:ReceiveMessage", "CatalogQueue", False),
        ("CatalogerTaskRole", "sqs:ReceiveMessage", "CatalogQueue", True),
        ("CatalogerTaskRole", "sqs:SendMessage", "TransformQueue", False),
        ("CatalogerTaskRole", "sqs:SendMessage", "CatalogDeadLetterQueue", True),
    ],
)
def test_task_roles_reach_only_their_queues(
    template: dict[str, Any], role: str, action: str, queue: str, allowed: bool
) -> None:
    arn = Resolver(template).arn(queue)
    assert role_allows(template, role, action, arn) is allowed


def test_only_the_extractor_execution_role_reads_the_spotify_secret(
    template: dict[str, Any],
) -> None:
    secret = Resolver(template).arn("SpotifySecret")
    readers = {
        role
        for role in resources_of_type(template, "AWS::IAM::Role")
        if role_allows(template, role, "secretsmanager:GetSecretValue", secret)
    }
    assert readers == {"ExtractorExecutionRole"}


def test_spotify_credentials_come_from_secrets_never_plain_environment(
    template: dict[str, Any],
) -> None:
    container = Resolver(template).resolve(
        template["Resources"]["ExtractorTaskDefinition"]["Properties"]["ContainerDefinitions"][0]
    )
    plain = {e["Name"]: e["Value"] for e in container["Environment"]}
    secret = {s["Name"]: s["ValueFrom"] for s in container["Secrets"]}
    credentials = {"SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET"}
    assert set(secret) == credentials
    assert not credentials & set(plain)
    assert all(":secret:" in value for value in secret.values())
    # The refresh token is read through the API: the environment names the secret only.
    assert "SPOTIFY_REFRESH_TOKEN" not in plain
    assert plain["SPOTIFY_REFRESH_TOKEN_SECRET"] == Resolver(template).arn(
        "SpotifyRefreshTokenSecret"
    )


@pytest.mark.parametrize(
    ("secret", "action", "roles"),
    [
        ("SpotifyRefreshTokenSecret", "secretsmanager:GetSecretValue", {"ExtractorTaskRole"}),
        ("SpotifyRefreshTokenSecret", "secretsmanager:PutSecretValue", {"ExtractorTaskRole"}),
        ("SpotifySecret", "secretsmanager:PutSecretValue", set()),
        ("SpotifyRefreshTokenSecret", "secretsmanager:DeleteSecret", set()),
    ],
)
def test_only_the_extractor_task_reads_and_rotates_the_refresh_token(
    template: dict[str, Any], secret: str, action: str, roles: set[str]
) -> None:
    """Client id and secret stay read-only (ECS reads them); the grant is the task's own."""
    arn = Resolver(template).arn(secret)
    allowed = {
        role
        for role in resources_of_type(template, "AWS::IAM::Role")
        if role_allows(template, role, action, arn)
    }
    assert allowed == roles


def test_the_extractor_task_role_reaches_no_other_secret(template: dict[str, Any]) -> None:
    other = "arn:aws:secretsmanager:us-east-1:123456789012:secret:another-AbCdEf"
    for action in ("secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"):
        assert not role_allows(template, "ExtractorTaskRole", action, other)


def test_scheduler_role_runs_only_the_extractor_task_and_passes_only_its_roles(
    template: dict[str, Any],
) -> None:
    resolver = Resolver(template)
    extractor = resolver.arn("ExtractorTaskDefinition")
    transformer = resolver.arn("TransformerTaskDefinition")
    assert role_allows(template, "SchedulerRole", "ecs:RunTask", extractor)
    assert not role_allows(template, "SchedulerRole", "ecs:RunTask", transformer)
    assert role_allows(template, "SchedulerRole", "iam:PassRole", resolver.arn("ExtractorTaskRole"))
    assert not role_allows(
        template, "SchedulerRole", "iam:PassRole", resolver.arn("TransformerTaskRole")
    )
