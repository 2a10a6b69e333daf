"""Every metric-math query list of the template is one CloudWatch would accept and evaluate."""

from __future__ import annotations

from typing import Any

import pytest

from tests.deploy.cfn_template import resources_of_type
from tests.deploy.metric_math import problems


def _query_lists(template: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    lists: dict[str, list[dict[str, Any]]] = {}
    for name, alarm in resources_of_type(template, "AWS::CloudWatch::Alarm").items():
        if "Metrics" in alarm["Properties"]:
            lists[name] = alarm["Properties"]["Metrics"]
    for name, policy in resources_of_type(
        template, "AWS::ApplicationAutoScaling::ScalingPolicy"
    ).items():
        tracking = policy["Properties"].get("TargetTrackingScalingPolicyConfiguration", {})
        custom = tracking.get("CustomizedMetricSpecification", {})
        if "Metrics" in custom:
            lists[name] = custom["Metrics"]
    return lists


def test_the_template_has_metric_math_to_check(template: dict[str, Any]) -> None:
    assert len(_query_lists(template)) == 4


def test_every_metric_math_query_list_is_valid(template: dict[str, Any]) -> None:
    found = {name: problems(q) for name, q in _query_lists(template).items()}
    assert {name: p for name, p in found.items() if p} == {}


def _queries(expression: str, *, returned: str = "e") -> list[dict[str, Any]]:
    stat = {"Metric": {"Namespace": "AWS/SQS", "MetricName": "M"}, "Stat": "Maximum"}
    return [
        {"Id": "visible", "MetricStat": stat, "ReturnData": False},
        {"Id": "desired", "MetricStat": stat, "ReturnData": False},
        {"Id": "e", "Expression": expression, "ReturnData": returned == "e"},
    ]


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ("visible / MAX([desired, 1])", "1 in an array"),
        ("visible / MAX([desired, 1])", "MAX acts differently in alarms"),
        ("visible / GREATEST(desired, 1)", "GREATEST is not a metric math function"),
        ("visible / running", "running is not an Id"),
        ("IF(visible > 0, 1, 0", "unbalanced brackets"),
    ],
)
def test_a_bad_expression_is_named(expression: str, problem: str) -> None:
    assert any(problem in p for p in problems(_queries(expression)))


def test_a_list_without_exactly_one_result_is_named() -> None:
    none = _queries("visible + desired", returned="none")
    assert any("exactly one query returns data" in p for p in problems(none))
    # ReturnData defaults to true: a metric without it is a second result.
    second = _queries("visible + desired")
    del second[0]["ReturnData"]
    assert any("exactly one query returns data" in p for p in problems(second))


def test_bad_ids_are_named() -> None:
    queries = _queries("Visible + desired")
    queries[0]["Id"] = "Visible"
    assert any("Id 'Visible'" in p for p in problems(queries))
    queries[0]["Id"] = "desired"
    assert any("not unique" in p for p in problems(queries))


def test_the_expression_forms_the_template_uses_pass() -> None:
    """The checker's positive side: IF, FILL, AND and comparisons are all metric math."""
    assert problems(_queries("(visible + desired) / IF(desired > 1, desired, 1)")) == []
    assert problems(_queries("IF(visible > 0 AND FILL(desired, 0) == 0, 1, 0)")) == []
