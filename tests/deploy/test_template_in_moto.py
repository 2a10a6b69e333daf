"""The template deployed into a moto server, its resources read back through the AWS APIs.

moto creates the resource types it implements and silently skips the others,
so the stack reaching CREATE_COMPLETE proves little: each test below asserts
on a resource through its own service's API. :data:`NOT_EMULATED` names the
types moto 5.2 skips; those are checked by cfn-lint and the static tests only.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import LocalAws
from tests.deploy.cfn_template import TEMPLATE_PATH

pytestmark = [
    pytest.mark.integration,
    pytest.mark.filterwarnings("ignore:Tried to parse AWS:UserWarning"),
]

NOT_EMULATED = {
    "AWS::ApplicationAutoScaling::ScalableTarget": "moto's CloudFormation has no handler",
    "AWS::ApplicationAutoScaling::ScalingPolicy": "moto's CloudFormation has no handler",
    "AWS::Athena::WorkGroup": "moto's CloudFormation has no handler",
    "AWS::CloudWatch::Alarm": "moto's CloudFormation has no handler",
    "AWS::Glue::Crawler": "moto's CloudFormation has no handler",
    "AWS::Glue::Database": "moto's CloudFormation has no handler",
    "AWS::S3::BucketPolicy": "moto's CloudFormation has no handler",
    "AWS::SNS::Subscription": "moto's CloudFormation has no handler",
    "AWS::SQS::QueuePolicy": "moto's CloudFormation has no handler",
    "AWS::Scheduler::Schedule": "moto's CloudFormation has no handler",
    "AWS::SecretsManager::Secret": "moto's CloudFormation has no handler",
}
"""Resource types of the template that moto 5.2 skips when deploying a stack."""

NOT_EMULATED_PROPERTIES = {
    "AWS::S3::Bucket": [
        "PublicAccessBlockConfiguration",
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
    "AWS::ECS::Service": ["LaunchType", "NetworkConfiguration", "DeploymentConfiguration"],
    "AWS::EC2::SecurityGroup": ["SecurityGroupEgress"],
}
"""Properties moto accepts but does not apply on resources it does create.

These, and the types above, are asserted on the template itself
(test_template_static.py) and checked by cfn-lint.
"""


@dataclass(frozen=True)
class DeployedStack:
    """A stack of deploy/template.yaml on the moto server."""

    name: str
    aws: LocalAws
    outputs: dict[str, str]
    resources: dict[str, str]
    """Logical id to physical id, for the resources moto created."""


@pytest.fixture(scope="module")
def deployed(moto_server: LocalAws) -> Iterator[DeployedStack]:
    ec2 = moto_server.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.40.{i}.0/24")["Subnet"]["SubnetId"]
        for i in (1, 2)
    ]
    name = f"etl-{uuid.uuid4().hex[:8]}"
    parameters = {
        "VpcId": vpc,
        "SubnetIds": ",".join(subnets),
        "ExtractorImageTag": "abc1234",
        "TransformerImageTag": "abc1234",
        "CatalogerImageTag": "abc1234",
        "ExtractorPlaylists": "3cEYpjA9oz9GiPac4AsH4n",
        "LogRetentionDays": "14",
    }
    cfn = moto_server.client("cloudformation")
    cfn.create_stack(
        StackName=name,
        TemplateBody=TEMPLATE_PATH.read_text(),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        Capabilities=["CAPABILITY_IAM"],
    )
    cfn.get_waiter("stack_create_complete").wait(
        StackName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
    )
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    summaries = cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]
    yield DeployedStack(
        name=name,
        aws=moto_server,
        outputs={o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])},
        resources={
            s["LogicalResourceId"]: s["PhysicalResourceId"]
            for s in summaries
            if s["LogicalResourceId"]
        },
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
    assert {"AWS::SNS::Subscription"} == {
        r["Type"] for r in template["Resources"].values() if "Condition" in r
    }
    assert skipped == set(NOT_EMULATED) - {"AWS::SNS::Subscription"}


def test_bucket_is_encrypted(deployed: DeployedStack) -> None:
    s3 = deployed.aws.client("s3")
    bucket = deployed.outputs["BucketName"]
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"


def test_work_queues_redrive_to_their_dead_letter_queues_after_five_receives(
    deployed: DeployedStack,
) -> None:
    sqs = deployed.aws.client("sqs")
    for queue, dlq in (
        ("TransformQueueName", "TransformDeadLetterQueueName"),
        ("CatalogQueueName", "CatalogDeadLetterQueueName"),
    ):
        url = sqs.get_queue_url(QueueName=deployed.outputs[queue])["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        dlq_url = sqs.get_queue_url(QueueName=deployed.outputs[dlq])["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        redrive = json.loads(attributes["RedrivePolicy"])
        assert redrive["deadLetterTargetArn"] == dlq_arn
        assert int(redrive["maxReceiveCount"]) == 5
        assert attributes["VisibilityTimeout"] == "60"


def test_dead_letter_queues_keep_messages_fourteen_days(deployed: DeployedStack) -> None:
    sqs = deployed.aws.client("sqs")
    for key in (
        "TransformDeadLetterQueueName",
        "CatalogDeadLetterQueueName",
        "ScheduleDeadLetterQueueName",
    ):
        url = sqs.get_queue_url(QueueName=deployed.outputs[key])["QueueUrl"]
        attributes = sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["MessageRetentionPeriod"]
        )["Attributes"]
        assert attributes["MessageRetentionPeriod"] == "1209600"


def test_cluster_and_worker_services_exist(deployed: DeployedStack) -> None:
    ecs = deployed.aws.client("ecs")
    cluster = deployed.outputs["ClusterName"]
    assert ecs.describe_clusters(clusters=[cluster])["clusters"][0]["status"] == "ACTIVE"
    services = ecs.describe_services(cluster=cluster, services=["transformer", "cataloger"])
    by_name = {s["serviceName"]: s for s in services["services"]}
    assert set(by_name) == {"transformer", "cataloger"}
    for service in by_name.values():
        assert service["desiredCount"] == 0
        assert (
            service["taskDefinition"]
            .split("/")[-1]
            .startswith(f"{deployed.name}-{service['serviceName']}:")
        )


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
    assert container["image"].endswith(f"/spotify-etl/{service}:abc1234")
    assert container["readonlyRootFilesystem"] is True
    logs = container["logConfiguration"]
    assert logs["logDriver"] == "awslogs"
    assert logs["options"]["awslogs-group"] == f"/spotify-etl/{deployed.name}/{service}"


def test_task_definitions_point_at_the_stack_bucket_and_queues(deployed: DeployedStack) -> None:
    for logical_id in (
        "ExtractorTaskDefinition",
        "TransformerTaskDefinition",
        "CatalogerTaskDefinition",
    ):
        _, container = _container(deployed, logical_id)
        env = {e["name"]: e.get("value") for e in container["environment"]}
        assert None not in env.values(), env
        assert env["SPOTIFY_ETL_BUCKET"] == deployed.outputs["BucketName"]
        assert env["SPOTIFY_ETL_TRANSFORM_QUEUE"] == deployed.outputs["TransformQueueName"]
        assert env["SPOTIFY_ETL_CATALOG_QUEUE"] == deployed.outputs["CatalogQueueName"]


def test_extractor_reads_spotify_credentials_as_secrets(deployed: DeployedStack) -> None:
    _, container = _container(deployed, "ExtractorTaskDefinition")
    secrets = {s["name"] for s in container["secrets"]}
    env = {e["name"] for e in container["environment"]}
    assert {"SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET", "SPOTIFY_REFRESH_TOKEN"} <= secrets
    assert not secrets & env


def test_log_groups_have_the_retention_parameter(deployed: DeployedStack) -> None:
    logs = deployed.aws.client("logs")
    groups = logs.describe_log_groups(logGroupNamePrefix=f"/spotify-etl/{deployed.name}/")
    retention = {
        g["logGroupName"].rsplit("/", 1)[1]: g.get("retentionInDays") for g in groups["logGroups"]
    }
    assert retention == {"extractor": 14, "transformer": 14, "cataloger": 14}


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


def test_tasks_security_group_admits_no_inbound_traffic(deployed: DeployedStack) -> None:
    ec2 = deployed.aws.client("ec2")
    group = ec2.describe_security_groups(GroupIds=[deployed.resources["TaskSecurityGroup"]])[
        "SecurityGroups"
    ][0]
    assert group["IpPermissions"] == []


def test_alarm_topic_and_dashboard_exist(deployed: DeployedStack) -> None:
    sns = deployed.aws.client("sns")
    topics = {t["TopicArn"] for t in sns.list_topics()["Topics"]}
    assert deployed.outputs["AlarmTopicArn"] in topics
    cloudwatch = deployed.aws.client("cloudwatch")
    body = json.loads(
        cloudwatch.get_dashboard(DashboardName=deployed.outputs["DashboardName"])["DashboardBody"]
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
