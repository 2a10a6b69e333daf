"""The real ``deploy/deploy.sh --skip-build``, with the real AWS CLI, against a moto server.

No dry run: the script creates its artifacts bucket, uploads the template, builds
the TemplateURL and deploys through a change set; then it runs again with nothing
changed, and then as an update (a new image tag, the parameters of the first run
left out). The stack's resources are read back through each service's own API.

moto creates the resource types it implements and silently skips the others,
so CREATE_COMPLETE proves little: :data:`NOT_EMULATED` names the types moto 5.2
skips; those are checked by cfn-lint and the static tests only. More moto gaps
shape the fixture: a stack made from a change set has no Outputs (physical ids
come from ListStackResources after the first deploy; an update drops some from
that list), an update by change set stores the new parameters but re-creates
no resource whose ``Fn::Sub`` uses them and keeps the old stack tags, and moto
applies the artifacts bucket's TLS-only Deny as if it had no condition, so the
fixture removes that policy before the second run (the script puts it back,
which is asserted). What an update keeps on AWS (DesiredCount left to Application
Auto Scaling) is asserted on the template (test_template_static.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import LocalAws
from tests.deploy.cfn_template import DEPLOY_SCRIPT, SERVICES, TEMPLATE_PATH

pytestmark = [
    pytest.mark.integration,
    pytest.mark.filterwarnings("ignore:Tried to parse AWS:UserWarning"),
]

TEMPLATE_BYTES = TEMPLATE_PATH.stat().st_size
FIRST_TAG = "abc1234"
SECOND_TAG = "def5678"
OVERRIDES = ("ExtractorPlaylists=3cEYpjA9oz9GiPac4AsH4n", "LogRetentionDays=14")
"""Given to the first deploy (and its repetition), left out of the second."""

NOT_EMULATED = {
    "AWS::ApplicationAutoScaling::ScalableTarget": "moto's CloudFormation has no handler",
    "AWS::ApplicationAutoScaling::ScalingPolicy": "moto's CloudFormation has no handler",
    "AWS::Athena::WorkGroup": "moto's CloudFormation has no handler",
    "AWS::CloudWatch::Alarm": "moto's CloudFormation has no handler",
    "AWS::Glue::Crawler": "moto's CloudFormation has no handler",
    "AWS::Glue::Database": "moto's CloudFormation has no handler",
    "AWS::Glue::SecurityConfiguration": "moto's CloudFormation has no handler",
    "AWS::S3::BucketPolicy": "moto's CloudFormation has no handler",
    "AWS::SNS::Subscription": "moto's CloudFormation has no handler",
    "AWS::SNS::TopicPolicy": "moto's CloudFormation has no handler",
    "AWS::SQS::QueuePolicy": "moto's CloudFormation has no handler",
    "AWS::Scheduler::Schedule": "moto's CloudFormation has no handler",
    "AWS::SecretsManager::Secret": "moto's CloudFormation has no handler",
    "AWS::SecretsManager::ResourcePolicy": "moto's CloudFormation has no handler",
}
"""Resource types of the template that moto 5.2 skips when deploying a stack."""

NOT_EMULATED_PROPERTIES = {
    "AWS::S3::Bucket": [
        "PublicAccessBlockConfiguration",
        "VersioningConfiguration",
        "LifecycleConfiguration",
        "OwnershipControls",
    ],
    "AWS::ECS::Cluster": ["ClusterSettings", "CapacityProviders"],
    "AWS::ECS::TaskDefinition": [
        "RequiresCompatibilities",
        "NetworkMode",
        "Cpu",
        "TaskRoleArn",
        "ExecutionRoleArn",
        "RuntimePlatform",
    ],
    "AWS::ECS::Service": [
        "CapacityProviderStrategy",
        "NetworkConfiguration",
        "DeploymentConfiguration",
    ],
    "AWS::EC2::SecurityGroup": ["SecurityGroupEgress"],
}
"""Properties moto accepts but does not apply on resources it does create.

These, and the types above, are asserted on the template itself
(test_template_static.py) and checked by cfn-lint.
"""

_ASSUME_ANY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
            "Action": "sts:AssumeRole",
        }
    ],
}

_MANIFEST = json.dumps(
    {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": 1,
            "digest": "sha256:" + "a" * 64,
        },
        "layers": [],
    }
)


@dataclass(frozen=True)
class DeployedStack:
    """A stack of deploy/template.yaml deployed twice by deploy.sh on the moto server."""

    name: str
    prefix: str
    aws: LocalAws
    first: subprocess.CompletedProcess[str]
    second: subprocess.CompletedProcess[str]
    again: subprocess.CompletedProcess[str]
    """The first run repeated, nothing changed (between the first and the second)."""
    artifacts_bucket: str
    resources: dict[str, str]
    """Logical id to physical id, for the resources moto created (after the first deploy)."""
    created: dict[str, Any]
    """DescribeStacks after the first deploy."""
    updated: dict[str, Any]
    """DescribeStacks after the second deploy."""
    operator: str
    """OPERATOR_ROLE_ARN of every run (a role made in moto)."""
    grants: list[str]
    """ARNs of the household's grant secrets made before the first deploy."""

    def queue_url(self, logical_id: str) -> str:
        return self.resources[logical_id]

    def queue_name(self, logical_id: str) -> str:
        return self.resources[logical_id].rsplit("/", 1)[1]


def _deploy(aws: LocalAws, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """deploy/deploy.sh as an operator runs it, with this venv's real ``aws`` first on PATH."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return subprocess.run(
        ["bash", str(DEPLOY_SCRIPT), "--skip-build", *args],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        env={"PATH": path, "HOME": os.environ.get("HOME", "/tmp"), **aws.env(), **env},
    )


def _put_images(aws: LocalAws, prefix: str, tag: str) -> None:
    ecr = aws.client("ecr")
    for service in SERVICES:
        ecr.put_image(repositoryName=f"{prefix}/{service}", imageTag=tag, imageManifest=_MANIFEST)


@pytest.fixture(scope="module")
def deployed(moto_server: LocalAws) -> Iterator[DeployedStack]:
    ec2 = moto_server.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.40.{i}.0/24")["Subnet"]["SubnetId"]
        for i in (1, 2)
    ]
    suffix = uuid.uuid4().hex[:8]
    name, prefix = f"etl-{suffix}", f"etl-{suffix}-images"
    ecr = moto_server.client("ecr")
    for service in SERVICES:
        ecr.create_repository(repositoryName=f"{prefix}/{service}")
    _put_images(moto_server, prefix, FIRST_TAG)
    operator = moto_server.client("iam").create_role(
        RoleName=f"etl-{suffix}-operator", AssumeRolePolicyDocument=json.dumps(_ASSUME_ANY)
    )["Role"]["Arn"]
    # The household's grants, as `extractor auth --store --user NAME` leaves them: default key,
    # no policy (deploy.sh secures them after the stack).
    secrets = moto_server.client("secretsmanager")
    user_prefix = f"etl-{suffix}/users/"
    grants = [
        secrets.create_secret(Name=f"{user_prefix}{user}", SecretString='{"refresh_token": "x"}')[
            "ARN"
        ]
        for user in ("alice",)  # one: each secret costs two more CLI calls per deploy
    ]
    secrets.create_secret(Name=f"etl-{suffix}/other", SecretString="{}")
    env = {
        "VPC_ID": vpc,
        "SUBNET_IDS": ",".join(subnets),
        "IMAGE_REPOSITORY_PREFIX": prefix,
        "OPERATOR_ROLE_ARN": operator,
    }

    first = _deploy(
        moto_server,
        env,
        "--stack",
        name,
        "--tag",
        FIRST_TAG,
        *OVERRIDES,
        f"SpotifyUserSecretPrefix={user_prefix}",
    )
    assert first.returncode == 0, first.stderr
    artifacts = f"{name}-artifacts-123456789012-us-east-1"
    cfn = moto_server.client("cloudformation")
    created = cfn.describe_stacks(StackName=name)["Stacks"][0]
    summaries = cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]

    # moto applies the TLS-only Deny unconditionally (it sees no aws:SecureTransport).
    moto_server.client("s3").delete_bucket_policy(Bucket=artifacts)
    again = _deploy(
        moto_server,
        env,
        "--stack",
        name,
        "--tag",
        FIRST_TAG,
        *OVERRIDES,
        f"SpotifyUserSecretPrefix={user_prefix}",
    )
    moto_server.client("s3").delete_bucket_policy(Bucket=artifacts)
    _put_images(moto_server, prefix, SECOND_TAG)
    second = _deploy(moto_server, env, "--stack", name, "--tag", SECOND_TAG)
    assert second.returncode == 0, second.stderr
    updated = cfn.describe_stacks(StackName=name)["Stacks"][0]
    yield DeployedStack(
        name=name,
        prefix=prefix,
        aws=moto_server,
        first=first,
        second=second,
        again=again,
        artifacts_bucket=artifacts,
        resources={
            s["LogicalResourceId"]: s["PhysicalResourceId"]
            for s in summaries
            if s["LogicalResourceId"]
        },
        created=created,
        updated=updated,
        operator=operator,
        grants=grants,
    )
    cfn.delete_stack(StackName=name)


def test_not_emulated_types_are_in_the_template(template: dict[str, Any]) -> None:
    """The list of unchecked types stays true: each is used by the template."""
    used = {r["Type"] for r in template["Resources"].values()}
    assert set(NOT_EMULATED) <= used


def test_not_emulated_properties_are_in_the_template(template: dict[str, Any]) -> None:
    for kind, names in NOT_EMULATED_PROPERTIES.items():
        present = {
            name
            for r in template["Resources"].values()
            if r["Type"] == kind
            for name in r["Properties"]
        }
        assert set(names) <= present, kind


def test_moto_skips_exactly_the_not_emulated_types(
    template: dict[str, Any], deployed: DeployedStack
) -> None:
    """Every other type was really created (so the assertions below cover it)."""
    skipped = {
        r["Type"]
        for logical_id, r in template["Resources"].items()
        if logical_id not in deployed.resources and "Condition" not in r
    }
    conditional = {r["Type"] for r in template["Resources"].values() if "Condition" in r}
    assert skipped == set(NOT_EMULATED) - conditional


# ---------------------------------------------------------------- how the template travels


def test_the_stack_was_created_then_updated_by_change_sets(deployed: DeployedStack) -> None:
    assert deployed.created["StackStatus"] == "CREATE_COMPLETE"
    assert {t["Key"]: t["Value"] for t in deployed.created["Tags"]} == {
        "project": "spotify-etl",
        "image-tag": FIRST_TAG,
    }
    assert deployed.updated["StackStatus"] == "UPDATE_COMPLETE"
    assert "deploy.sh:" not in deployed.second.stderr
    cfn = deployed.aws.client("cloudformation")
    body = cfn.get_template(StackName=deployed.name)["TemplateBody"]
    assert body == TEMPLATE_PATH.read_text()


def test_a_deploy_without_changes_ends_0_and_deletes_its_empty_change_set(
    deployed: DeployedStack,
) -> None:
    assert deployed.again.returncode == 0, deployed.again.stderr
    assert "is up to date: nothing to deploy" in deployed.again.stderr
    assert "Waiter" not in deployed.again.stderr
    cfn = deployed.aws.client("cloudformation")
    summaries = cfn.list_change_sets(StackName=deployed.name)["Summaries"]
    assert all(c["Status"] != "FAILED" for c in summaries if c["StackName"] == deployed.name)


def test_the_template_was_uploaded_to_the_artifacts_bucket_and_deployed_by_url(
    deployed: DeployedStack,
) -> None:
    s3 = deployed.aws.client("s3")
    listed = s3.list_objects_v2(
        Bucket=deployed.artifacts_bucket, Prefix=f"templates/{deployed.name}/"
    )
    keys = sorted(o["Key"] for o in listed["Contents"])
    tags = [FIRST_TAG, FIRST_TAG, SECOND_TAG]
    assert [k.rsplit("-", 1)[1] for k in keys] == [f"{t}.yaml" for t in tags]
    assert {o["Size"] for o in listed["Contents"]} == {TEMPLATE_BYTES}
    url = f"https://{deployed.artifacts_bucket}.s3.us-east-1.amazonaws.com/{keys[-1]}"
    assert f"uploaded to {url}" in deployed.second.stderr


def test_the_artifacts_bucket_is_private_encrypted_and_tls_only(deployed: DeployedStack) -> None:
    s3 = deployed.aws.client("s3")
    bucket = deployed.artifacts_bucket
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block == dict.fromkeys(
        ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"),
        True,
    )
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    [statement] = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Principal"] == "*"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert sorted(statement["Resource"]) == [
        f"arn:aws:s3:::{bucket}",
        f"arn:aws:s3:::{bucket}/*",
    ]
    ownership = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]
    assert ownership["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]


def test_a_missing_image_stops_the_deploy_before_anything_is_changed(
    deployed: DeployedStack,
) -> None:
    env = {"VPC_ID": "vpc-1", "SUBNET_IDS": "subnet-a", "IMAGE_REPOSITORY_PREFIX": deployed.prefix}
    result = _deploy(deployed.aws, env, "--stack", deployed.name, "--tag", "never-pushed")
    assert result.returncode == 2
    assert f"{deployed.prefix}/extractor:never-pushed is not in ECR" in result.stderr


# ---------------------------------------------------------------- what an update keeps


def test_an_update_sets_the_new_tag_and_keeps_parameters_it_does_not_set(
    deployed: DeployedStack,
) -> None:
    """LogRetentionDays=14 and the playlists were given only to the first deploy."""
    before = {p["ParameterKey"]: p["ParameterValue"] for p in deployed.created["Parameters"]}
    after = {p["ParameterKey"]: p["ParameterValue"] for p in deployed.updated["Parameters"]}
    assert before["ExtractorImageTag"] == FIRST_TAG
    assert after["ExtractorImageTag"] == after["CatalogerImageTag"] == SECOND_TAG
    assert before["LogRetentionDays"] == after["LogRetentionDays"] == "14"
    assert after["ExtractorPlaylists"] == "3cEYpjA9oz9GiPac4AsH4n"


def test_log_groups_have_the_retention_parameter(deployed: DeployedStack) -> None:
    logs = deployed.aws.client("logs")
    groups = logs.describe_log_groups(logGroupNamePrefix=f"/spotify-etl/{deployed.name}/")
    retention = {
        g["logGroupName"].rsplit("/", 1)[1]: g.get("retentionInDays") for g in groups["logGroups"]
    }
    assert retention == {"extractor": 14, "transformer": 14, "cataloger": 14, "maintenance": 14}
    crawler = logs.describe_log_groups(logGroupNamePrefix="/aws-glue/crawlers-role/")["logGroups"]
    role = deployed.resources["CrawlerRole"]
    assert [g.get("retentionInDays") for g in crawler if role in g["logGroupName"]] == [14]


# ---------------------------------------------------------------- the resources


def test_bucket_is_encrypted(deployed: DeployedStack) -> None:
    s3 = deployed.aws.client("s3")
    bucket = deployed.resources["DataBucket"]
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"


def test_work_queues_redrive_to_their_dead_letter_queues(deployed: DeployedStack) -> None:
    sqs = deployed.aws.client("sqs")
    for queue, dlq in (
        ("TransformQueue", "TransformDeadLetterQueue"),
        ("CatalogQueue", "CatalogDeadLetterQueue"),
    ):
        attributes = sqs.get_queue_attributes(
            QueueUrl=deployed.queue_url(queue), AttributeNames=["All"]
        )["Attributes"]
        dlq_arn = sqs.get_queue_attributes(
            QueueUrl=deployed.queue_url(dlq), AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        redrive = json.loads(attributes["RedrivePolicy"])
        assert redrive["deadLetterTargetArn"] == dlq_arn
        assert int(redrive["maxReceiveCount"]) == 10
        assert attributes["VisibilityTimeout"] == "60"


def test_every_queue_keeps_messages_fourteen_days(deployed: DeployedStack) -> None:
    """Work nobody receives outlives a long outage, as dead letters do."""
    sqs = deployed.aws.client("sqs")
    for queue in (
        "TransformQueue",
        "CatalogQueue",
        "TransformDeadLetterQueue",
        "CatalogDeadLetterQueue",
        "ScheduleDeadLetterQueue",
    ):
        attributes = sqs.get_queue_attributes(
            QueueUrl=deployed.queue_url(queue), AttributeNames=["MessageRetentionPeriod"]
        )["Attributes"]
        assert attributes["MessageRetentionPeriod"] == "1209600"


def test_cluster_and_worker_services_exist(deployed: DeployedStack) -> None:
    ecs = deployed.aws.client("ecs")
    assert ecs.describe_clusters(clusters=[deployed.name])["clusters"][0]["status"] == "ACTIVE"
    services = ecs.describe_services(cluster=deployed.name, services=["transformer", "cataloger"])
    by_name = {s["serviceName"]: s for s in services["services"]}
    assert set(by_name) == {"transformer", "cataloger"}
    for service in by_name.values():
        family = service["taskDefinition"].split("/")[-1].split(":")[0]
        assert family == f"{deployed.name}-{service['serviceName']}"


def _container(deployed: DeployedStack, logical_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    ecs = deployed.aws.client("ecs")
    arn = deployed.resources[logical_id]
    definition = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
    return definition, definition["containerDefinitions"][0]


@pytest.mark.parametrize(
    ("logical_id", "command"),
    [
        ("ExtractorTaskDefinition", ["run-once"]),
        ("TransformerTaskDefinition", ["serve"]),
        ("CatalogerTaskDefinition", ["serve"]),
    ],
)
def test_task_definitions_run_each_service_image_with_its_command_and_log_group(
    deployed: DeployedStack, logical_id: str, command: list[str]
) -> None:
    definition, container = _container(deployed, logical_id)
    service = container["name"]
    assert definition["family"] == f"{deployed.name}-{service}"
    assert container["command"] == command
    assert container["image"].endswith(f"/{deployed.prefix}/{service}:{FIRST_TAG}")
    assert container["readonlyRootFilesystem"] is True
    logs = container["logConfiguration"]
    assert logs["logDriver"] == "awslogs"
    assert logs["options"]["awslogs-group"] == f"/spotify-etl/{deployed.name}/{service}"


def _refs_to_skipped_resources(template: dict[str, Any], logical_id: str) -> set[str]:
    """Environment names whose value is a Ref to a resource type moto does not create."""
    [container] = template["Resources"][logical_id]["Properties"]["ContainerDefinitions"]
    return {
        e["Name"]
        for e in container["Environment"]
        if isinstance(e["Value"], dict)
        and template["Resources"].get(e["Value"].get("Ref", ""), {}).get("Type") in NOT_EMULATED
    }


def test_task_definitions_point_at_the_stack_bucket_and_queues(
    deployed: DeployedStack, template: dict[str, Any]
) -> None:
    for logical_id in (
        "ExtractorTaskDefinition",
        "TransformerTaskDefinition",
        "CatalogerTaskDefinition",
    ):
        _, container = _container(deployed, logical_id)
        env = {e["name"]: e.get("value") for e in container["environment"]}
        skipped = _refs_to_skipped_resources(template, logical_id)
        assert None not in {k: v for k, v in env.items() if k not in skipped}.values(), env
        assert env["SPOTIFY_ETL_BUCKET"] == deployed.resources["DataBucket"]
        assert env["SPOTIFY_ETL_TRANSFORM_QUEUE"] == deployed.queue_name("TransformQueue")
        assert env["SPOTIFY_ETL_CATALOG_QUEUE"] == deployed.queue_name("CatalogQueue")


def test_extractor_reads_spotify_credentials_as_secrets(deployed: DeployedStack) -> None:
    _, container = _container(deployed, "ExtractorTaskDefinition")
    secrets = {s["name"] for s in container["secrets"]}
    env = {e["name"] for e in container["environment"]}
    assert secrets == {"SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET"}
    assert "SPOTIFY_REFRESH_TOKEN_SECRET" in env
    assert "SPOTIFY_REFRESH_TOKEN" not in secrets | env
    assert not secrets & env


@pytest.mark.parametrize(
    "logical_id",
    ["ExtractorTaskDefinition", "TransformerTaskDefinition", "CatalogerTaskDefinition"],
)
def test_every_container_runs_under_an_init_and_stops_within_two_minutes(
    deployed: DeployedStack, logical_id: str
) -> None:
    _, container = _container(deployed, logical_id)
    assert container["linuxParameters"]["initProcessEnabled"] is True
    assert container["stopTimeout"] == 120


def test_each_service_has_its_own_task_role_with_an_inline_policy(deployed: DeployedStack) -> None:
    iam = deployed.aws.client("iam")
    for logical_id, policy in (
        ("ExtractorTaskRole", "extractor"),
        ("TransformerTaskRole", "transformer"),
        ("CatalogerTaskRole", "cataloger"),
    ):
        role = deployed.resources[logical_id]
        trust = iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
        assert trust["Statement"][0]["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
        assert iam.list_role_policies(RoleName=role)["PolicyNames"] == [policy]
        assert iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"] == []


def test_scheduler_role_is_assumable_by_eventbridge_scheduler(deployed: DeployedStack) -> None:
    iam = deployed.aws.client("iam")
    trust = iam.get_role(RoleName=deployed.resources["SchedulerRole"])["Role"][
        "AssumeRolePolicyDocument"
    ]
    assert trust["Statement"][0]["Principal"] == {"Service": "scheduler.amazonaws.com"}


def test_each_service_has_a_security_group_that_admits_no_inbound_traffic(
    deployed: DeployedStack,
) -> None:
    ec2 = deployed.aws.client("ec2")
    ids = [
        deployed.resources[f"{service}SecurityGroup"]
        for service in ("Extractor", "Transformer", "Cataloger")
    ]
    groups = ec2.describe_security_groups(GroupIds=ids)["SecurityGroups"]
    assert len({g["GroupId"] for g in groups}) == 3
    assert all(g["IpPermissions"] == [] for g in groups)


@pytest.mark.parametrize(
    "logical_id",
    [
        "ExtractorTaskDefinition",
        "TransformerTaskDefinition",
        "CatalogerTaskDefinition",
        "MaintenanceTaskDefinition",
    ],
)
def test_every_container_drops_every_linux_capability(
    deployed: DeployedStack, logical_id: str
) -> None:
    _, container = _container(deployed, logical_id)
    assert container["linuxParameters"]["capabilities"]["drop"] == ["ALL"]


def test_the_maintenance_task_runs_cataloger_maintain_with_its_own_role(
    deployed: DeployedStack,
) -> None:
    definition, container = _container(deployed, "MaintenanceTaskDefinition")
    assert definition["family"] == f"{deployed.name}-maintenance"
    assert container["command"] == ["maintain"]
    assert container["image"].endswith(f"/{deployed.prefix}/cataloger:{FIRST_TAG}")
    assert container["logConfiguration"]["options"]["awslogs-group"] == (
        f"/spotify-etl/{deployed.name}/maintenance"
    )


def test_every_queue_is_encrypted_with_the_stacks_data_key(deployed: DeployedStack) -> None:
    sqs = deployed.aws.client("sqs")
    key = deployed.resources["DataKey"]
    for queue in (
        "TransformQueue",
        "CatalogQueue",
        "TransformDeadLetterQueue",
        "CatalogDeadLetterQueue",
        "ScheduleDeadLetterQueue",
    ):
        attributes = sqs.get_queue_attributes(
            QueueUrl=deployed.queue_url(queue), AttributeNames=["KmsMasterKeyId"]
        )["Attributes"]
        assert attributes["KmsMasterKeyId"] == key, queue


def test_the_households_grant_secrets_get_the_grant_key_and_the_grant_policy(
    deployed: DeployedStack,
) -> None:
    """deploy.sh, after the stack: the secrets under SpotifyUserSecretPrefix, no other."""
    secrets = deployed.aws.client("secretsmanager")
    key = deployed.resources["GrantKey"]
    task_role = f"arn:aws:iam::123456789012:role/{deployed.resources['ExtractorTaskRole']}"
    for grant in deployed.grants:
        described = secrets.describe_secret(SecretId=grant)
        assert described["KmsKeyId"] == f"arn:aws:kms:us-east-1:123456789012:key/{key}"
        policy = json.loads(secrets.get_resource_policy(SecretId=grant)["ResourcePolicy"])
        [deny] = policy["Statement"]
        assert deny["Effect"] == "Deny"
        assert deny["Condition"]["ArnNotEquals"]["aws:PrincipalArn"] == [
            task_role,
            deployed.operator,
        ]
    other = f"{deployed.name}/other"
    assert "ResourcePolicy" not in secrets.get_resource_policy(SecretId=other)
    assert "KmsKeyId" not in secrets.describe_secret(SecretId=other)
    assert "grant secret etl-" in deployed.second.stderr


def test_the_operator_role_is_a_stack_parameter(deployed: DeployedStack) -> None:
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in deployed.updated["Parameters"]}
    assert parameters["OperatorRoleArn"] == deployed.operator


def test_alarm_topic_is_encrypted_with_the_stack_key(deployed: DeployedStack) -> None:
    """The topic's key is the stack's own (a customer-managed key), found under its alias.

    Its key policy is asserted on the template (test_template_static.py): moto stores the
    policy of a key made by CloudFormation as a dict and answers DescribeKey and
    GetKeyPolicy of it with a 500.
    """
    sns = deployed.aws.client("sns")
    topic = sns.get_topic_attributes(TopicArn=deployed.resources["AlarmTopic"])["Attributes"]
    key_id = deployed.resources["AlarmTopicKey"]
    assert topic["KmsMasterKeyId"] == key_id
    aliases = deployed.aws.client("kms").list_aliases(KeyId=key_id)["Aliases"]
    assert [a["AliasName"] for a in aliases] == [f"alias/{deployed.name}-alarms"]


def test_extractor_tasks_that_stop_badly_are_sent_to_the_alarm_topic(
    deployed: DeployedStack,
) -> None:
    events = deployed.aws.client("events")
    rule = events.describe_rule(Name=f"{deployed.name}-extractor-stopped-badly")
    pattern = json.loads(rule["EventPattern"])
    assert pattern["detail-type"] == ["ECS Task State Change"]
    assert pattern["detail"]["lastStatus"] == ["STOPPED"]
    [prefix] = pattern["detail"]["taskDefinitionArn"]
    assert prefix["prefix"].endswith(f":task-definition/{deployed.name}-extractor:")
    [target] = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
    assert target["Arn"] == deployed.resources["AlarmTopic"]


def test_alarm_topic_and_dashboard_exist(deployed: DeployedStack) -> None:
    sns = deployed.aws.client("sns")
    topics = {t["TopicArn"] for t in sns.list_topics()["Topics"]}
    assert deployed.resources["AlarmTopic"] in topics
    cloudwatch = deployed.aws.client("cloudwatch")
    body = json.loads(
        cloudwatch.get_dashboard(DashboardName=deployed.resources["Dashboard"])["DashboardBody"]
    )
    metrics = {m[1] for w in body["widgets"] for m in w["properties"]["metrics"]}
    assert {
        "MessagesHandled",
        "MessagesFailed",
        "HandleDuration",
        "RowsWritten",
        "SpotifyRequests",
        "SpotifyRateLimited",
    } <= metrics
