"""What the emulator cannot show, asserted on the template itself (intrinsics resolved)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.deploy.cfn_template import REPO, Resolver, resources_of_type


@pytest.fixture(scope="module")
def resolved(template: dict[str, Any]) -> dict[str, Any]:
    """Resources with every intrinsic resolved to sample values."""
    resolver = Resolver(template)
    return {k: resolver.resolve(v) for k, v in template["Resources"].items()}


def _props(resolved: dict[str, Any], logical_id: str) -> dict[str, Any]:
    properties: dict[str, Any] = resolved[logical_id]["Properties"]
    return properties


def test_bucket_blocks_public_access_and_ages_raw_data(resolved: dict[str, Any]) -> None:
    bucket = _props(resolved, "DataBucket")
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    raw = [r for r in bucket["LifecycleConfiguration"]["Rules"] if r.get("Prefix") == "raw/"]
    assert len(raw) == 1
    assert raw[0]["Status"] == "Enabled"
    assert raw[0]["ExpirationInDays"] == 730


def test_bucket_policy_denies_every_request_without_tls(resolved: dict[str, Any]) -> None:
    policy = _props(resolved, "DataBucketPolicy")["PolicyDocument"]
    [statement] = policy["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Principal"] == "*"
    assert statement["Action"] == "s3:*"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert any(r.endswith("/*") for r in statement["Resource"])


def test_cluster_has_container_insights(resolved: dict[str, Any]) -> None:
    settings = _props(resolved, "Cluster")["ClusterSettings"]
    assert {"Name": "containerInsights", "Value": "enabled"} in settings


@pytest.mark.parametrize(
    ("task", "task_role", "execution_role"),
    [
        ("ExtractorTaskDefinition", "ExtractorTaskRole", "ExtractorExecutionRole"),
        ("TransformerTaskDefinition", "TransformerTaskRole", "TaskExecutionRole"),
        ("CatalogerTaskDefinition", "CatalogerTaskRole", "TaskExecutionRole"),
    ],
)
def test_task_definitions_are_fargate_with_their_own_task_role(
    template: dict[str, Any], task: str, task_role: str, execution_role: str
) -> None:
    props = template["Resources"][task]["Properties"]
    assert props["RequiresCompatibilities"] == ["FARGATE"]
    assert props["NetworkMode"] == "awsvpc"
    assert props["TaskRoleArn"] == {"Fn::GetAtt": [task_role, "Arn"]}
    assert props["ExecutionRoleArn"] == {"Fn::GetAtt": [execution_role, "Arn"]}


def test_task_roles_are_distinct(template: dict[str, Any]) -> None:
    tasks = resources_of_type(template, "AWS::ECS::TaskDefinition").values()
    roles = [t["Properties"]["TaskRoleArn"]["Fn::GetAtt"][0] for t in tasks]
    assert len(set(roles)) == len(roles) == 4


FARGATE_MAX_STOP_TIMEOUT = 120
GIVE_BACK_AND_EXIT = 5
"""Seconds a worker needs after its grace: one give-back and one delete call, close, flush."""
TASKS = (
    "ExtractorTaskDefinition",
    "TransformerTaskDefinition",
    "CatalogerTaskDefinition",
    "MaintenanceTaskDefinition",
)


def _container_of(resolved: dict[str, Any], task: str) -> dict[str, Any]:
    [container] = _props(resolved, task)["ContainerDefinitions"]
    return dict(container)


def _env(container: dict[str, Any]) -> dict[str, str]:
    return {e["Name"]: str(e["Value"]) for e in container["Environment"]}


@pytest.mark.parametrize("task", TASKS)
def test_every_container_runs_under_an_init_with_the_longest_stop_timeout(
    resolved: dict[str, Any], task: str
) -> None:
    container = _container_of(resolved, task)
    assert container["LinuxParameters"]["InitProcessEnabled"] is True
    assert container["StopTimeout"] == FARGATE_MAX_STOP_TIMEOUT


@pytest.mark.parametrize("task", TASKS)
def test_every_container_drops_every_linux_capability(resolved: dict[str, Any], task: str) -> None:
    container = _container_of(resolved, task)
    assert container["LinuxParameters"]["Capabilities"] == {"Drop": ["ALL"]}
    assert container["ReadonlyRootFilesystem"] is True


@pytest.mark.parametrize(
    ("task", "queue"),
    [("TransformerTaskDefinition", "TransformQueue"), ("CatalogerTaskDefinition", "CatalogQueue")],
)
def test_worker_grace_visibility_and_stop_timeout_agree(
    resolved: dict[str, Any], task: str, queue: str
) -> None:
    """SIGTERM: the long poll is cancelled, in-flight work gets the grace, then give-back."""
    container = _container_of(resolved, task)
    env = _env(container)
    grace = float(env["SPOTIFY_ETL_SHUTDOWN_GRACE"])
    # the worker's own bound (spotify_etl_common.worker): max(grace, wait + 1) + the calls
    exit_within = max(grace, int(env["SPOTIFY_ETL_WAIT_SECONDS"]) + 1) + GIVE_BACK_AND_EXIT
    assert exit_within < container["StopTimeout"] <= FARGATE_MAX_STOP_TIMEOUT
    visibility = int(env["SPOTIFY_ETL_VISIBILITY_TIMEOUT"])
    assert visibility == _props(resolved, queue)["VisibilityTimeout"]
    # the heartbeat (visibility / 3) keeps messages invisible through the grace
    assert visibility / 3 < grace


def test_extractor_run_deadline_ends_a_run_before_the_next_hourly_one(
    template: dict[str, Any], resolved: dict[str, Any]
) -> None:
    """Default hourly schedule, up to 5 minutes late: deadline + stop timeout < 55 minutes."""
    schedule = _props(resolved, "ExtractorSchedule")
    assert schedule["ScheduleExpression"] == "cron(0 * * * ? *)"
    window = schedule["FlexibleTimeWindow"]["MaximumWindowInMinutes"] * 60
    container = _container_of(resolved, "ExtractorTaskDefinition")
    deadline = float(_env(container)["EXTRACTOR_RUN_DEADLINE"])
    assert deadline + container["StopTimeout"] < 3600 - window
    raw = template["Resources"]["ExtractorTaskDefinition"]["Properties"]["ContainerDefinitions"]
    assert {"Name": "EXTRACTOR_RUN_DEADLINE", "Value": {"Ref": "ExtractorRunDeadline"}} in raw[0][
        "Environment"
    ]


@pytest.mark.parametrize("queue", ["TransformQueue", "CatalogQueue"])
def test_work_queues_keep_messages_fourteen_days_and_allow_ten_receives(
    resolved: dict[str, Any], queue: str
) -> None:
    props = _props(resolved, queue)
    assert props["MessageRetentionPeriod"] == 1209600
    assert props["RedrivePolicy"]["maxReceiveCount"] == 10


def test_worker_services_run_on_fargate_spot_above_an_on_demand_base(
    template: dict[str, Any], resolved: dict[str, Any]
) -> None:
    for service in ("TransformerService", "CatalogerService"):
        raw = template["Resources"][service]["Properties"]
        assert "LaunchType" not in raw
        assert raw["CapacityProviderStrategy"] == [
            {"CapacityProvider": "FARGATE", "Base": {"Ref": "WorkerOnDemandBase"}, "Weight": 0},
            {"CapacityProvider": "FARGATE_SPOT", "Weight": 1},
        ]
    assert template["Parameters"]["WorkerOnDemandBase"]["Default"] == 0
    assert set(_props(resolved, "Cluster")["CapacityProviders"]) == {"FARGATE", "FARGATE_SPOT"}


def test_no_desired_count_that_an_update_would_reset(template: dict[str, Any]) -> None:
    """Application Auto Scaling owns the count; a deploy must not set it back."""
    for service in resources_of_type(template, "AWS::ECS::Service").values():
        assert "DesiredCount" not in service["Properties"]


def test_worker_services_run_in_the_given_subnets(resolved: dict[str, Any]) -> None:
    for service in ("TransformerService", "CatalogerService"):
        props = _props(resolved, service)
        network = props["NetworkConfiguration"]["AwsvpcConfiguration"]
        assert network["Subnets"] == ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
        assert props["DeploymentConfiguration"]["DeploymentCircuitBreaker"]["Rollback"] is True


def test_extractor_schedule_retries_and_dead_letters_failed_starts(
    template: dict[str, Any], resolved: dict[str, Any]
) -> None:
    target = _props(resolved, "ExtractorSchedule")["Target"]
    assert target["RetryPolicy"]["MaximumRetryAttempts"] > 0
    raw_target = template["Resources"]["ExtractorSchedule"]["Properties"]["Target"]
    assert raw_target["DeadLetterConfig"]["Arn"] == {
        "Fn::GetAtt": ["ScheduleDeadLetterQueue", "Arn"]
    }
    assert raw_target["RoleArn"] == {"Fn::GetAtt": ["SchedulerRole", "Arn"]}
    assert raw_target["EcsParameters"]["TaskDefinitionArn"] == {"Ref": "ExtractorTaskDefinition"}
    assert target["EcsParameters"]["LaunchType"] == "FARGATE"


def _metrics_by_id(metrics: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {m["Id"]: m for m in metrics}


def _assert_backlog_and_desired(
    metrics: dict[str, dict[str, Any]], queue: str, service: str
) -> None:
    queue_dimension = [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}]
    for metric_id, name in (
        ("visible", "ApproximateNumberOfMessagesVisible"),
        ("inflight", "ApproximateNumberOfMessagesNotVisible"),
    ):
        metric = metrics[metric_id]["MetricStat"]["Metric"]
        assert (metric["Namespace"], metric["MetricName"]) == ("AWS/SQS", name)
        assert metric["Dimensions"] == queue_dimension
    desired = metrics["desired"]["MetricStat"]["Metric"]
    assert (desired["Namespace"], desired["MetricName"]) == (
        "ECS/ContainerInsights",
        "DesiredTaskCount",
    )
    assert {"Name": "ServiceName", "Value": {"Fn::GetAtt": [service, "Name"]}} in desired[
        "Dimensions"
    ]


SCALING = [
    ("Transformer", "TransformQueue", "TransformerService"),
    ("Cataloger", "CatalogQueue", "CatalogerService"),
]


@pytest.mark.parametrize(("prefix", "queue", "service"), SCALING)
def test_workers_track_backlog_per_desired_task(
    template: dict[str, Any], prefix: str, queue: str, service: str
) -> None:
    resources = template["Resources"]
    target = resources[f"{prefix}ScalableTarget"]["Properties"]
    assert target["MinCapacity"] == {"Ref": f"{prefix}MinTasks"}
    assert target["MaxCapacity"] == {"Ref": f"{prefix}MaxTasks"}
    policy = resources[f"{prefix}BacklogScaling"]["Properties"]
    assert policy["PolicyType"] == "TargetTrackingScaling"
    tracking = policy["TargetTrackingScalingPolicyConfiguration"]
    assert tracking["TargetValue"] == {"Ref": f"{prefix}BacklogPerTask"}
    metrics = _metrics_by_id(tracking["CustomizedMetricSpecification"]["Metrics"])
    _assert_backlog_and_desired(metrics, queue, service)
    [expression] = [m for m in metrics.values() if m["ReturnData"]]
    assert expression["Expression"] == "(visible + inflight) / IF(desired > 1, desired, 1)"


@pytest.mark.parametrize(("prefix", "queue", "service"), SCALING)
def test_a_backlog_with_no_desired_task_starts_one(
    template: dict[str, Any], prefix: str, queue: str, service: str
) -> None:
    resources = template["Resources"]
    step = resources[f"{prefix}ScaleFromZero"]["Properties"]
    assert step["PolicyType"] == "StepScaling"
    config = step["StepScalingPolicyConfiguration"]
    # +1, not "exactly 1": a late desired count (FILLed as 0) must not cut a busy service to 1.
    assert config["AdjustmentType"] == "ChangeInCapacity"
    assert config["StepAdjustments"] == [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}]
    alarm = resources[f"{prefix}BacklogWithoutTasksAlarm"]["Properties"]
    assert alarm["AlarmActions"] == [{"Ref": f"{prefix}ScaleFromZero"}]
    assert alarm["EvaluationPeriods"] == alarm["DatapointsToAlarm"] == 2
    metrics = _metrics_by_id(alarm["Metrics"])
    _assert_backlog_and_desired(metrics, queue, service)
    [expression] = [m for m in metrics.values() if m["ReturnData"]]
    assert expression["Expression"] == (
        "IF((visible + inflight) > 0 AND FILL(desired, 0) == 0, 1, 0)"
    )


def test_no_scaling_decision_reads_the_running_task_count(template: dict[str, Any]) -> None:
    """Running is 0 while tasks start or crash-loop: it must not drive scaling."""
    kinds = ("AWS::ApplicationAutoScaling::ScalingPolicy", "AWS::CloudWatch::Alarm")
    scaling = [r for r in template["Resources"].values() if r["Type"] in kinds]
    assert "RunningTaskCount" not in json.dumps(scaling)


@pytest.mark.parametrize(
    "dlq", ["TransformDeadLetterQueue", "CatalogDeadLetterQueue", "ScheduleDeadLetterQueue"]
)
def test_every_dead_letter_queue_has_a_depth_alarm_to_the_topic(
    template: dict[str, Any], dlq: str
) -> None:
    alarms = [
        a["Properties"]
        for a in resources_of_type(template, "AWS::CloudWatch::Alarm").values()
        if {"Name": "QueueName", "Value": {"Fn::GetAtt": [dlq, "QueueName"]}}
        in a["Properties"].get("Dimensions", [])
    ]
    assert len(alarms) == 1
    assert alarms[0]["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert alarms[0]["Threshold"] == 0
    assert alarms[0]["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarms[0]["AlarmActions"] == [{"Ref": "AlarmTopic"}]


def test_athena_workgroup_caps_bytes_scanned_and_writes_results_to_the_bucket(
    resolved: dict[str, Any],
) -> None:
    config = _props(resolved, "AthenaWorkGroup")["WorkGroupConfiguration"]
    assert config["BytesScannedCutoffPerQuery"] == 10737418240
    assert config["EnforceWorkGroupConfiguration"] is True
    bucket = _props(resolved, "GlueDatabase")["DatabaseInput"]["LocationUri"].split("/")[2]
    assert config["ResultConfiguration"]["OutputLocation"] == f"s3://{bucket}/athena-results/"


def test_athena_runs_engine_version_3(resolved: dict[str, Any]) -> None:
    """Iceberg tables and the views over them (issue 18) need engine 3."""
    config = _props(resolved, "AthenaWorkGroup")["WorkGroupConfiguration"]
    assert config["EngineVersion"] == {"SelectedEngineVersion": "Athena engine version 3"}


def test_the_crawler_covers_the_raw_zone_not_the_committed_tables(
    resolved: dict[str, Any],
) -> None:
    database = _props(resolved, "GlueDatabase")["DatabaseInput"]
    crawler = _props(resolved, "RawCrawler")
    assert database["Name"] == "spotify"
    [target] = crawler["Targets"]["S3Targets"]
    bucket = database["LocationUri"].split("/")[2]
    assert target["Path"] == f"s3://{bucket}/raw/"
    assert crawler["TablePrefix"] == "raw_"


def test_the_crawler_writes_encrypted_logs_to_a_log_group_with_a_retention(
    template: dict[str, Any], resolved: dict[str, Any]
) -> None:
    """With CloudWatch encryption, Glue logs to /aws-glue/crawlers-role/<role>-<configuration>."""
    crawler = template["Resources"]["RawCrawler"]["Properties"]
    assert crawler["CrawlerSecurityConfiguration"] == {"Ref": "GlueSecurityConfiguration"}
    encryption = _props(resolved, "GlueSecurityConfiguration")["EncryptionConfiguration"]
    data_key = Resolver(template).arn("DataKey")
    assert encryption["CloudWatchEncryption"] == {
        "CloudWatchEncryptionMode": "SSE-KMS",
        "KmsKeyArn": data_key,
    }
    group = template["Resources"]["CrawlerLogGroup"]["Properties"]
    assert group["LogGroupName"] == {
        "Fn::Sub": "/aws-glue/crawlers-role/${CrawlerRole}-${GlueSecurityConfiguration}"
    }
    assert group["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_cataloger_is_told_the_stack_catalog_names(resolved: dict[str, Any]) -> None:
    [container] = _props(resolved, "CatalogerTaskDefinition")["ContainerDefinitions"]
    env = {e["Name"]: e["Value"] for e in container["Environment"]}
    assert env["CATALOGER_DATABASE"] == _props(resolved, "GlueDatabase")["DatabaseInput"]["Name"]
    assert env["CATALOGER_ATHENA_WORKGROUP"] == _props(resolved, "AthenaWorkGroup")["Name"]
    assert env["CATALOGER_CRAWLER_NAME"] == _props(resolved, "RawCrawler")["Name"]


def test_partition_projection_is_gone(template: dict[str, Any]) -> None:
    """Iceberg partitions are hidden: nothing of Athena's partition projection is left."""
    assert "CatalogerPartitionProjection" not in template["Parameters"]
    assert "PARTITION_PROJECTION" not in json.dumps(template["Resources"])


def test_the_extractor_is_told_the_households_secret_prefix_and_users(
    resolved: dict[str, Any],
) -> None:
    env = _env(_container_of(resolved, "ExtractorTaskDefinition"))
    assert env["SPOTIFY_USER_SECRET_PREFIX"] == "spotify-etl/users/"
    assert env["EXTRACTOR_USERS"] == ""


SECURITY_GROUPS = {
    "ExtractorSecurityGroup": ["ExtractorSchedule"],
    "TransformerSecurityGroup": ["TransformerService"],
    "CatalogerSecurityGroup": ["CatalogerService", "MaintenanceSchedule"],
}
"""Each service's own group, and what runs in it."""


def _security_groups_of(props: dict[str, Any]) -> list[Any]:
    network = (
        props.get("NetworkConfiguration")
        or props["Target"]["EcsParameters"]["NetworkConfiguration"]
    )
    groups: list[Any] = network["AwsvpcConfiguration"]["SecurityGroups"]
    return groups


def test_each_service_runs_in_a_group_of_its_own_that_accepts_no_inbound_traffic(
    template: dict[str, Any], resolved: dict[str, Any]
) -> None:
    assert set(resources_of_type(template, "AWS::EC2::SecurityGroup")) == set(SECURITY_GROUPS)
    for group, users in SECURITY_GROUPS.items():
        props = _props(resolved, group)
        assert "SecurityGroupIngress" not in props
        assert [(r["FromPort"], r["ToPort"]) for r in props["SecurityGroupEgress"]] == [(443, 443)]
        for user in users:
            raw = template["Resources"][user]["Properties"]
            assert _security_groups_of(raw) == [{"Ref": group}], user


def test_log_groups_expire_and_are_encrypted_with_the_data_key(template: dict[str, Any]) -> None:
    groups = resources_of_type(template, "AWS::Logs::LogGroup")
    assert set(groups) == {
        "ExtractorLogGroup",
        "TransformerLogGroup",
        "CatalogerLogGroup",
        "MaintenanceLogGroup",
        "CrawlerLogGroup",
    }
    for group in groups.values():
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
        assert group["Properties"]["KmsKeyId"] == {"Fn::GetAtt": ["DataKey", "Arn"]}


def test_cloudwatch_logs_may_use_the_data_key_for_the_stacks_log_groups_only(
    resolved: dict[str, Any],
) -> None:
    statements = _props(resolved, "DataKey")["KeyPolicy"]["Statement"]
    [logs] = [
        s for s in statements if s.get("Principal") == {"Service": "logs.us-east-1.amazonaws.com"}
    ]
    assert logs["Condition"] == {
        "StringLike": {
            "kms:EncryptionContext:aws:logs:arn": [
                "arn:aws:logs:us-east-1:123456789012:log-group:/spotify-etl/spotify-etl/*",
                "arn:aws:logs:us-east-1:123456789012:log-group:/aws-glue/crawlers-role/*",
            ]
        }
    }


def test_every_queue_is_encrypted_with_the_data_key_and_refuses_requests_without_tls(
    template: dict[str, Any], resolved: dict[str, Any]
) -> None:
    queues = resources_of_type(template, "AWS::SQS::Queue")
    assert len(queues) == 5
    covered: dict[str, list[dict[str, Any]]] = {}
    for logical_id in resources_of_type(template, "AWS::SQS::QueuePolicy"):
        raw = template["Resources"][logical_id]["Properties"]
        for queue in raw["Queues"]:
            covered.setdefault(queue["Ref"], []).extend(
                _props(resolved, logical_id)["PolicyDocument"]["Statement"]
            )
    resolver = Resolver(template)
    for queue, resource in queues.items():
        assert resource["Properties"]["KmsMasterKeyId"] == {"Ref": "DataKey"}, queue
        assert "SqsManagedSseEnabled" not in resource["Properties"]
        assert covered[queue] == [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sqs:*",
                "Resource": resolver.arn(queue),
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ], queue


def test_the_data_bucket_logs_its_requests_to_a_private_log_bucket(
    template: dict[str, Any], resolved: dict[str, Any]
) -> None:
    logging = template["Resources"]["DataBucket"]["Properties"]["LoggingConfiguration"]
    assert logging["DestinationBucketName"] == {"Ref": "AccessLogBucket"}
    log_bucket = _props(resolved, "AccessLogBucket")
    assert set(log_bucket["PublicAccessBlockConfiguration"].values()) == {True}
    [expiry] = [r for r in log_bucket["LifecycleConfiguration"]["Rules"] if "ExpirationInDays" in r]
    assert expiry["ExpirationInDays"] == 90
    statements = _props(resolved, "AccessLogBucketPolicy")["PolicyDocument"]["Statement"]
    [delivery] = [s for s in statements if s["Effect"] == "Allow"]
    assert delivery["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert delivery["Condition"]["ArnLike"] == {
        "aws:SourceArn": Resolver(template).arn("DataBucket")
    }
    assert delivery["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
    assert any(s["Effect"] == "Deny" and "aws:SecureTransport" in str(s) for s in statements)


def test_every_checkov_skip_gives_a_reason(template: dict[str, Any]) -> None:
    """`make checkov` fails on anything not fixed; a skip lives on its resource, with why."""
    skips = [
        (logical_id, skip)
        for logical_id, resource in template["Resources"].items()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]
    assert skips, "no skip left: drop this test"
    for logical_id, skip in skips:
        assert re.fullmatch(r"CKV_AWS_\d+", skip["id"]), logical_id
        assert len(skip["comment"].split()) >= 8, f"{logical_id}: {skip['id']} needs a reason"


def test_make_test_runs_a_pinned_checkov_on_the_template() -> None:
    makefile = (REPO / "Makefile").read_text()
    assert re.search(r"^test: lint ", makefile, re.MULTILINE)
    assert re.search(r"^lint: install checkov ", makefile, re.MULTILINE)
    assert re.search(r"^CHECKOV_VERSION = \d+\.\d+\.\d+$", makefile, re.MULTILINE)
    assert "--from checkov==$(CHECKOV_VERSION) checkov --skip-download" in makefile
    assert "-f deploy/template.yaml" in makefile


def test_the_maintenance_task_runs_cataloger_maintain_daily(
    template: dict[str, Any], resolved: dict[str, Any]
) -> None:
    container = _container_of(resolved, "MaintenanceTaskDefinition")
    cataloger = _container_of(resolved, "CatalogerTaskDefinition")
    assert container["Image"] == cataloger["Image"]
    assert container["Command"] == ["maintain"]  # the image's entry point is `cataloger`
    props = template["Resources"]["MaintenanceTaskDefinition"]["Properties"]
    assert props["TaskRoleArn"] == {"Fn::GetAtt": ["MaintenanceTaskRole", "Arn"]}
    schedule = _props(resolved, "MaintenanceSchedule")
    assert re.fullmatch(r"cron\(\d+ \d+ \* \* \? \*\)", schedule["ScheduleExpression"])
    raw = template["Resources"]["MaintenanceSchedule"]["Properties"]["Target"]
    assert raw["EcsParameters"]["TaskDefinitionArn"] == {"Ref": "MaintenanceTaskDefinition"}
    assert raw["RoleArn"] == {"Fn::GetAtt": ["MaintenanceSchedulerRole", "Arn"]}
    assert raw["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": ["ScheduleDeadLetterQueue", "Arn"]}


@pytest.mark.parametrize(
    "kept", ["SpotifySecret", "SpotifyRefreshTokenSecret", "DataBucket", "AccessLogBucket"]
)
def test_hand_entered_secrets_and_data_survive_stack_deletion_and_replacement(
    template: dict[str, Any], kept: str
) -> None:
    """Retained on deletion and replacement; a failed first create takes them with it.

    Plain ``Retain`` also keeps what a rolled-back *first* create made: the named
    secrets would then block every re-create of the stack ("already exists").
    """
    resource = template["Resources"][kept]
    assert resource["DeletionPolicy"] == "RetainExceptOnCreate"
    assert resource["UpdateReplacePolicy"] == "Retain"


def test_nothing_named_is_retained_by_a_failed_first_create(template: dict[str, Any]) -> None:
    """A resource with a fixed name that plain Retain keeps would make a re-create fail."""
    names = ("Name", "BucketName", "QueueName", "TopicName", "LogGroupName", "ClusterName")
    for logical_id, resource in template["Resources"].items():
        if resource.get("DeletionPolicy") == "Retain":
            assert not set(names) & set(resource.get("Properties", {})), logical_id


def test_data_bucket_is_versioned_and_old_versions_expire(resolved: dict[str, Any]) -> None:
    bucket = _props(resolved, "DataBucket")
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    [rule] = [
        r for r in bucket["LifecycleConfiguration"]["Rules"] if "NoncurrentVersionExpiration" in r
    ]
    assert rule["Status"] == "Enabled"
    assert "Prefix" not in rule  # every prefix, raw/ above all
    assert rule["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30
