"""Every policy of the template: parliament-clean and least privilege per service."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import types
from typing import Any

import pytest
from spotify_etl_common.keys import source_prefix
from spotify_etl_common.sources import Source

from tests.deploy.cfn_template import (
    ACCOUNT,
    SAMPLE_PARAMETERS,
    Resolver,
    as_list,
    policies,
    resources_of_type,
    role_allows,
    statement_actions,
)

RESOURCE_STAR_ALLOWED = {"ecr:GetAuthorizationToken"}
"""Actions that support no resource-level permission, so "Resource": "*" is unavoidable."""

KEY_ADMINISTRATION_SID = "AccountAdministersTheKey"
"""The one statement allowed a service wildcard: each key policy's root statement.

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
        "MaintenanceTaskRole",
        "MaintenanceSchedulerRole",
        "CrawlerRole",
        "DataBucketPolicy",
        "AccessLogBucketPolicy",
        "SpotifySecretPolicy",
        "SpotifyRefreshTokenSecretPolicy",
        "GrantKey",
        "DataKey",
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
            for action in statement_actions(statement):
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


def test_the_only_wildcards_are_the_account_root_statements_of_the_keys(
    template: dict[str, Any],
) -> None:
    wildcards = [
        (policy.owner, statement.get("Sid"))
        for policy in policies(template)
        for statement in policy.statements
        if any("*" in action for action in statement_actions(statement))
        and statement["Effect"] == "Allow"
        and not _is_service_publish_grant(policy, statement)
    ]
    keys = sorted(resources_of_type(template, "AWS::KMS::Key"))
    assert keys == ["AlarmTopicKey", "DataKey", "GrantKey"]
    assert sorted(wildcards) == [(key, KEY_ADMINISTRATION_SID) for key in keys]


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
                assert set(statement_actions(statement)) <= RESOURCE_STAR_ALLOWED, policy.owner


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
        # Iceberg: the cataloger writes table metadata (and reads data files) under curated/
        (
            "CatalogerTaskRole",
            "s3:PutObject",
            "curated/tracks/metadata/00001-a.metadata.json",
            True,
        ),
        ("CatalogerTaskRole", "s3:GetObject", "curated/tracks/data/a.parquet", True),
        (
            "CatalogerTaskRole",
            "s3:DeleteObject",
            "curated/tracks/metadata/00001-a.metadata.json",
            False,
        ),
        ("CatalogerTaskRole", "s3:PutObject", "raw/source=playlists/p.json", False),
        ("CatalogerTaskRole", "s3:GetObject", "raw/source=playlists/p.json", False),
        # the extractor writes the API sources, not the imported history
        (
            "ExtractorTaskRole",
            "s3:PutObject",
            "raw/source=streaming_history/kind=x/month=2026-01/a.json",
            False,
        ),
        (
            "ExtractorTaskRole",
            "s3:GetObject",
            "raw/source=streaming_history/kind=x/month=2026-01/a.json",
            False,
        ),
        ("ExtractorTaskRole", "s3:PutObject", "raw/other/p.json", False),
        (
            "ExtractorTaskRole",
            "s3:PutObject",
            "raw/source=recently_played/dt=2026-01-01/after=1.json",
            True,
        ),
        # maintenance rewrites and deletes under curated/, nowhere else
        ("MaintenanceTaskRole", "s3:DeleteObject", "curated/tracks/data/a.parquet", True),
        ("MaintenanceTaskRole", "s3:PutObject", "curated/tracks/data/compacted.parquet", True),
        ("MaintenanceTaskRole", "s3:DeleteObject", "raw/source=playlists/p.json", False),
        ("MaintenanceTaskRole", "s3:DeleteObject", "state/extractor/cursor.json", False),
        ("MaintenanceTaskRole", "s3:GetObject", "raw/source=playlists/p.json", False),
        ("CrawlerRole", "s3:GetObject", "raw/source=playlists/p.json", True),
        ("CrawlerRole", "s3:GetObject", "curated/tracks/data/a.parquet", False),
    ],
)
def test_task_roles_reach_only_their_prefixes(
    template: dict[str, Any], bucket_arn: str, role: str, action: str, key: str, allowed: bool
) -> None:
    assert role_allows(template, role, action, f"{bucket_arn}/{key}") is allowed


API_SOURCES = frozenset(Source) - {Source.STREAMING_HISTORY}
"""What the extractor fetches from the Web API; the history comes from `import-history`."""


def _allowed_resources(template: dict[str, Any], role: str, action: str) -> set[str]:
    return {
        resource
        for policy in policies(template)
        if policy.owner == role
        for statement in policy.statements
        if statement["Effect"] == "Allow" and action in statement_actions(statement)
        for resource in as_list(statement["Resource"])
    }


def test_the_extractor_writes_exactly_the_prefixes_of_the_api_sources(
    template: dict[str, Any], bucket_arn: str
) -> None:
    """A source added to the enum needs its prefix here (and nothing else does)."""
    written = {
        r.removeprefix(f"{bucket_arn}/").removesuffix("*")
        for r in _allowed_resources(template, "ExtractorTaskRole", "s3:PutObject")
    }
    assert written == {source_prefix(s) for s in API_SOURCES} | {"state/extractor/"}


def test_only_the_maintenance_task_deletes_and_only_under_curated(
    template: dict[str, Any], bucket_arn: str
) -> None:
    deleters = {
        role: _allowed_resources(template, role, "s3:DeleteObject")
        for role in resources_of_type(template, "AWS::IAM::Role")
    }
    assert {role: found for role, found in deleters.items() if found} == {
        "MaintenanceTaskRole": {f"{bucket_arn}/curated/*"}
    }


GLUE_TABLE_WRITES = {
    "glue:CreateTable",
    "glue:UpdateTable",
    "glue:DeleteTable",
    "glue:CreatePartition",
    "glue:BatchCreatePartition",
    "glue:UpdatePartition",
    "glue:BatchUpdatePartition",
    "glue:DeletePartition",
}


def _glue_actions(template: dict[str, Any], role: str) -> set[str]:
    return {
        action
        for policy in policies(template)
        if policy.owner == role
        for statement in policy.statements
        if statement["Effect"] == "Allow"
        for action in statement_actions(statement)
        if action.startswith("glue:") and "Crawler" not in action
    }


def test_the_cataloger_keeps_only_the_glue_actions_of_iceberg_commits_and_views(
    template: dict[str, Any],
) -> None:
    """pyiceberg's GlueCatalog (load, create, commit by UpdateTable) and Athena's
    CREATE OR REPLACE VIEW (GetTable, then CreateTable or UpdateTable): no partitions, no
    deletes (deploy/README.md, "Roles")."""
    assert _glue_actions(template, "CatalogerTaskRole") == {
        "glue:GetDatabase",
        "glue:GetDatabases",
        "glue:CreateDatabase",
        "glue:GetTable",
        "glue:GetTables",
        "glue:CreateTable",
        "glue:UpdateTable",
    }
    assert _glue_actions(template, "MaintenanceTaskRole") == {
        "glue:GetDatabase",
        "glue:GetTable",
        "glue:GetTables",
        "glue:UpdateTable",
    }


def test_the_crawler_changes_only_its_raw_tables(template: dict[str, Any]) -> None:
    resolver = Resolver(template)
    database = resolver.parameter("GlueDatabaseName")
    iceberg = f"arn:aws:glue:us-east-1:{ACCOUNT}:table/{database}/tracks"
    crawled = f"arn:aws:glue:us-east-1:{ACCOUNT}:table/{database}/raw_source_playlists"
    for action in sorted(GLUE_TABLE_WRITES):
        assert not role_allows(template, "CrawlerRole", action, iceberg), action
    assert role_allows(template, "CrawlerRole", "glue:CreateTable", crawled)
    crawler = template["Resources"]["RawCrawler"]["Properties"]
    assert crawler["TablePrefix"] == "raw_"


def test_every_trust_policy_names_the_account_and_where_sent_the_source(
    template: dict[str, Any],
) -> None:
    """ECS tasks and EventBridge Scheduler send aws:SourceArn; Glue is held by the account."""
    resolver = Resolver(template)
    for logical_id, role in resources_of_type(template, "AWS::IAM::Role").items():
        document = resolver.resolve(role["Properties"]["AssumeRolePolicyDocument"])
        for statement in as_list(document["Statement"]):
            conditions = {k: v for c in statement["Condition"].values() for k, v in c.items()}
            assert conditions["aws:SourceAccount"] == ACCOUNT, logical_id
            service = statement["Principal"]["Service"]
            if service == "ecs-tasks.amazonaws.com":
                assert conditions["aws:SourceArn"] == f"arn:aws:ecs:us-east-1:{ACCOUNT}:*"
            elif service == "scheduler.amazonaws.com":
                assert conditions["aws:SourceArn"] == (
                    f"arn:aws:scheduler:us-east-1:{ACCOUNT}:schedule-group/default"
                )
            else:
                assert service == "glue.amazonaws.com", logical_id


QUEUE_USERS = {
    "ExtractorTaskRole",
    "TransformerTaskRole",
    "CatalogerTaskRole",
    "SchedulerRole",
    "MaintenanceSchedulerRole",
}
"""Every role that sends to or receives from an (encrypted) queue."""


def test_queue_key_use_goes_through_sqs_only(template: dict[str, Any]) -> None:
    """SQS asks producers and consumers alike for kms:GenerateDataKey and kms:Decrypt."""
    data_key = Resolver(template).arn("DataKey")
    users = set()
    for policy in policies(template):
        for statement in policy.statements:
            if data_key in as_list(statement.get("Resource", [])) and policy.owner != "CrawlerRole":
                users.add(policy.owner)
                assert set(statement_actions(statement)) == {"kms:GenerateDataKey", "kms:Decrypt"}
                assert statement["Condition"] == {
                    "StringEquals": {"kms:ViaService": "sqs.us-east-1.amazonaws.com"}
                }, policy.owner
    assert users == QUEUE_USERS


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


USER_SECRET = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:spotify-etl/users/alice-AbCdEf"


@pytest.mark.parametrize(
    "action", ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"]
)
def test_the_extractor_task_reads_and_rotates_the_households_grants(
    template: dict[str, Any], action: str
) -> None:
    readers = {
        role
        for role in resources_of_type(template, "AWS::IAM::Role")
        if role_allows(template, role, action, USER_SECRET)
    }
    assert readers == {"ExtractorTaskRole"}
    outside = USER_SECRET.replace("spotify-etl/users/", "spotify-etl/other/")
    assert not role_allows(template, "ExtractorTaskRole", action, outside)


def _deny_statement(template: dict[str, Any], owner: str) -> dict[str, Any]:
    [policy] = [p for p in policies(template) if p.owner == owner]
    [deny] = [s for s in policy.statements if s["Effect"] == "Deny"]
    return deny


OPERATOR = SAMPLE_PARAMETERS["OperatorRoleArn"]


@pytest.mark.parametrize(
    ("policy", "secret", "excepted"),
    [
        ("SpotifyRefreshTokenSecretPolicy", "SpotifyRefreshTokenSecret", "ExtractorTaskRole"),
        ("SpotifySecretPolicy", "SpotifySecret", "ExtractorExecutionRole"),
    ],
)
def test_each_spotify_secret_denies_its_value_to_all_but_its_reader_and_the_operator(
    template: dict[str, Any], policy: str, secret: str, excepted: str
) -> None:
    resolver = Resolver(template)
    deny = _deny_statement(template, policy)
    assert deny["Principal"] == "*"
    assert deny["Resource"] == resolver.arn(secret)
    assert {"secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"} <= set(
        statement_actions(deny)
    )
    assert deny["Condition"] == {
        "ArnNotEquals": {"aws:PrincipalArn": [resolver.arn(excepted), OPERATOR]}
    }
    props = template["Resources"][secret]["Properties"]
    assert props["KmsKeyId"] == {"Ref": "GrantKey"}


def test_the_grant_key_serves_the_extractor_and_the_operator_only(
    template: dict[str, Any],
) -> None:
    resolver = Resolver(template)
    allowed = [resolver.arn("ExtractorTaskRole"), resolver.arn("ExtractorExecutionRole"), OPERATOR]
    deny = _deny_statement(template, "GrantKey")
    assert deny["Principal"] == "*"
    assert {"kms:Decrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:CreateGrant"} <= set(
        statement_actions(deny)
    )
    assert deny["Condition"] == {"ArnNotEquals": {"aws:PrincipalArn": allowed}}
    [policy] = [p for p in policies(template) if p.owner == "GrantKey"]
    uses = [
        s
        for s in policy.statements
        if s["Effect"] == "Allow" and s["Sid"] != KEY_ADMINISTRATION_SID
    ]
    assert [u["Principal"] for u in uses] == [{"AWS": allowed}]
    assert uses[0]["Condition"] == {
        "StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}
    }


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
