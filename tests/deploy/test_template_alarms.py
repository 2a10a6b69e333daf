"""Alarms that reach a human: what they watch, and a topic CloudWatch and EventBridge can use.

moto creates neither alarms nor topic policies from a stack and breaks on the
key policy of a CloudFormation-made key, so these are read from the template.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.deploy.cfn_template import Resolver, resources_of_type

PUBLISH_WITH_KEY = {"kms:Decrypt", "kms:GenerateDataKey*"}
"""What a service needs of a topic's key to publish to the encrypted topic.

As the SNS Developer Guide documents it for AWS services as event sources
(Key management, "Enable compatibility between event sources from AWS services
and encrypted topics"): ``kms:GenerateDataKey*`` and ``kms:Decrypt``.
"""


def _alarms(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        logical_id: a["Properties"]
        for logical_id, a in resources_of_type(template, "AWS::CloudWatch::Alarm").items()
    }


def _topic_refs(actions: list[Any], template: dict[str, Any]) -> list[str]:
    """Logical ids of the SNS topics among alarm or rule targets."""
    topics = resources_of_type(template, "AWS::SNS::Topic")
    return [a["Ref"] for a in actions if isinstance(a, dict) and a.get("Ref") in topics]


def _key_grants(template: dict[str, Any], topic: str) -> dict[str, set[str]]:
    """Service principal to the actions the topic's key policy allows it.

    Empty when the topic is not encrypted with a key of this template (an
    AWS-managed alias such as ``alias/aws/sns`` is a plain string), whose key
    policy cannot grant a service principal anything.
    """
    key = template["Resources"][topic]["Properties"].get("KmsMasterKeyId")
    if not (
        isinstance(key, dict) and key.get("Ref") in resources_of_type(template, "AWS::KMS::Key")
    ):
        return {}
    policy = template["Resources"][key["Ref"]]["Properties"]["KeyPolicy"]
    grants: dict[str, set[str]] = {}
    for statement in policy["Statement"]:
        service = statement["Principal"].get("Service")
        if statement["Effect"] == "Allow" and service:
            actions = statement["Action"]
            grants.setdefault(service, set()).update(
                actions if isinstance(actions, list) else [actions]
            )
    return grants


def test_every_alarm_action_topic_is_on_a_key_cloudwatch_may_use(template: dict[str, Any]) -> None:
    """No alarm publishes to a topic on an AWS-managed key (its messages would be dropped)."""
    checked = 0
    for name, alarm in _alarms(template).items():
        for topic in _topic_refs(
            alarm.get("AlarmActions", []) + alarm.get("OKActions", []), template
        ):
            grants = _key_grants(template, topic)
            assert grants.get("cloudwatch.amazonaws.com", set()) >= PUBLISH_WITH_KEY, name
            checked += 1
    assert checked >= 10


def test_an_alarm_topic_on_the_aws_managed_key_fails_the_check(template: dict[str, Any]) -> None:
    """The check has teeth: alias/aws/sns grants nobody."""
    broken = {**template, "Resources": dict(template["Resources"])}
    topic = dict(broken["Resources"]["AlarmTopic"])
    topic["Properties"] = {**topic["Properties"], "KmsMasterKeyId": "alias/aws/sns"}
    broken["Resources"]["AlarmTopic"] = topic
    assert _key_grants(broken, "AlarmTopic") == {}


def test_eventbridge_may_use_the_key_and_publish_to_the_topic(template: dict[str, Any]) -> None:
    rule = template["Resources"]["ExtractorStoppedRule"]["Properties"]
    [target] = rule["Targets"]
    [topic] = _topic_refs([target["Arn"]], template)
    assert _key_grants(template, topic)["events.amazonaws.com"] >= PUBLISH_WITH_KEY
    [policy] = [
        p["Properties"]
        for p in resources_of_type(template, "AWS::SNS::TopicPolicy").values()
        if {"Ref": topic} in p["Properties"]["Topics"]
    ]
    statements = {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}
    events = statements["ExtractorStoppedRulePublishes"]
    assert events["Principal"] == {"Service": "events.amazonaws.com"}
    assert events["Action"] == "sns:Publish"
    assert events["Condition"] == {
        "ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": ["ExtractorStoppedRule", "Arn"]}}
    }
    cloudwatch = statements["CloudWatchAlarmsPublish"]
    assert cloudwatch["Principal"] == {"Service": "cloudwatch.amazonaws.com"}


def test_the_alarm_key_rotates(template: dict[str, Any]) -> None:
    assert template["Resources"]["AlarmTopicKey"]["Properties"]["EnableKeyRotation"] is True


@pytest.mark.parametrize("queue", ["TransformQueue", "CatalogQueue"])
def test_each_work_queue_alarms_on_the_age_of_its_oldest_message(
    template: dict[str, Any], queue: str
) -> None:
    dimension = {"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}
    [alarm] = [
        a
        for a in _alarms(template).values()
        if a.get("MetricName") == "ApproximateAgeOfOldestMessage" and dimension in a["Dimensions"]
    ]
    assert alarm["Threshold"] == {"Ref": "QueueAgeAlarmSeconds"}
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]


def _extractor_alarm(template: dict[str, Any], metric: str) -> dict[str, Any]:
    [alarm] = [a for a in _alarms(template).values() if a.get("MetricName") == metric]
    assert alarm["Namespace"] == "SpotifyEtl"
    assert alarm["Dimensions"] == [{"Name": "Service", "Value": "extractor"}]
    assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    return alarm


def test_no_successful_extraction_for_n_hours_alarms_even_without_data(
    template: dict[str, Any],
) -> None:
    alarm = _extractor_alarm(template, "ExtractionSucceeded")
    assert alarm["TreatMissingData"] == "breaching"
    assert (alarm["Statistic"], alarm["Period"]) == ("Sum", 3600)
    hours = {"Ref": "ExtractionStaleHours"}
    assert alarm["EvaluationPeriods"] == alarm["DatapointsToAlarm"] == hours
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (1, "LessThanThreshold")
    parameter = template["Parameters"]["ExtractionStaleHours"]
    # CloudWatch evaluates at most one day: periods x evaluation periods <= 86,400 s
    assert parameter["MaxValue"] * alarm["Period"] <= 86_400


def test_a_refresh_token_close_to_expiry_alarms(template: dict[str, Any]) -> None:
    alarm = _extractor_alarm(template, "RefreshTokenDaysLeft")
    assert alarm["Threshold"] == {"Ref": "RefreshTokenAlarmDays"}
    assert template["Parameters"]["RefreshTokenAlarmDays"]["Default"] == 14
    assert (alarm["Statistic"], alarm["ComparisonOperator"]) == ("Minimum", "LessThanThreshold")


def test_a_spent_spotify_quota_alarms(template: dict[str, Any]) -> None:
    alarm = _extractor_alarm(template, "SpotifyQuotaExceeded")
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (
        1,
        "GreaterThanOrEqualToThreshold",
    )


def test_an_extractor_task_stopped_with_a_non_zero_exit_reaches_the_topic(
    template: dict[str, Any],
) -> None:
    resolver = Resolver(template)
    rule = resolver.resolve(template["Resources"]["ExtractorStoppedRule"]["Properties"])
    pattern = rule["EventPattern"]
    assert pattern["source"] == ["aws.ecs"]
    assert pattern["detail-type"] == ["ECS Task State Change"]
    detail = pattern["detail"]
    assert detail["lastStatus"] == ["STOPPED"]
    assert detail["clusterArn"] == [resolver.arn("Cluster")]
    family = resolver.physical_name("ExtractorTaskDefinition")
    assert detail["taskDefinitionArn"] == [
        {"prefix": f"arn:aws:ecs:us-east-1:123456789012:task-definition/{family}:"}
    ]
    assert {"containers": {"exitCode": [{"anything-but": 0}]}} in detail["$or"]
    assert rule["State"] == "ENABLED"
    [target] = rule["Targets"]
    assert target["Arn"] == resolver.arn("AlarmTopic")
    assert "<exitCode>" in target["InputTransformer"]["InputTemplate"]
