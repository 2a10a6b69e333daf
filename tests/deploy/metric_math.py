"""What CloudWatch accepts as a metric-math query list, checked before a deploy does.

cfn-lint validates the shape of ``Metrics`` (alarms, target tracking) but not
its meaning; CloudWatch and Application Auto Scaling reject or mis-evaluate
these only when the stack is created. Rules, from the CloudWatch User Guide
("Using metric math": Id syntax, functions and their argument types, IF forms)
and the PutMetricAlarm / TargetTrackingMetricDataQuery references:

- each query has an ``Id`` (lowercase letter first, then letters, digits, ``_``),
  unique in the list, and exactly one of ``Expression`` or ``MetricStat``;
- exactly one query has ``ReturnData`` true, and it is the result;
- an expression names only Ids of the list and only functions metric math has;
- an array literal ``[...]`` holds time series (Ids or expressions), never a bare
  number: MAX/MIN/SUM/AVG take ``TS`` or ``TS[]``;
- the aggregate functions that CloudWatch advises against in alarms (they act
  differently when an alarm fetches extra data points) are not used: an alarm
  or a target tracking policy (whose alarms are made of its metric) evaluates it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

FUNCTIONS = {
    "ABS", "ANOMALY_DETECTION_BAND", "AVG", "CEIL", "DATAPOINT_COUNT", "DIFF", "DIFF_TIME",
    "FILL", "FIRST", "LAST", "FLOOR", "IF", "INSIGHT_RULE_METRIC", "LOG", "LOG10", "MAX",
    "METRIC_COUNT", "METRICS", "MIN", "MINUTE", "HOUR", "DAY", "DATE", "MONTH", "YEAR",
    "EPOCH", "PERIOD", "RATE", "REMOVE_EMPTY", "RUNNING_SUM", "SEARCH", "SERVICE_QUOTA",
    "SLICE", "SORT", "STDDEV", "SUM", "TIME_SERIES",
}  # fmt: skip
"""Functions of CloudWatch metric math (CloudWatch User Guide, "Using metric math")."""

NOT_IN_ALARMS = {
    "AVG", "DATAPOINT_COUNT", "MAX", "MIN", "REMOVE_EMPTY", "RUNNING_SUM", "STDDEV", "SUM",
}  # fmt: skip
"""Functions the guide recommends not to use in CloudWatch alarms."""

KEYWORDS = {"AND", "OR", "REPEAT", "LINEAR", "ASC", "DESC"}
ID = re.compile(r"^[a-z][A-Za-z0-9_]*$")
TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(==|!=|<=|>=|&&|\|\||.))")


def _tokens(expression: str) -> Iterator[tuple[str, str]]:
    """(kind, text) pairs: kind is ``num``, ``name`` or ``op``."""
    position = 0
    while position < len(expression.rstrip()):
        match = TOKEN.match(expression, position)
        assert match is not None
        number, name, op = match.groups()
        position = match.end()
        if number is not None:
            yield "num", number
        elif name is not None:
            yield "name", name
        elif op.strip():
            yield "op", op


def problems(queries: list[dict[str, Any]]) -> list[str]:
    """What is wrong with a metric-math query list; empty when CloudWatch would take it."""
    found: list[str] = []
    ids = [q.get("Id") for q in queries]
    for query_id in ids:
        if not isinstance(query_id, str) or not ID.match(query_id):
            found.append(f"Id {query_id!r}: a lowercase letter, then letters, digits or _")
    if len(set(ids)) != len(ids):
        found.append(f"Ids are not unique: {ids}")
    returned = [q.get("Id") for q in queries if q.get("ReturnData", True) is True]
    if len(returned) != 1:
        found.append(f"exactly one query returns data, not {returned}")
    for query in queries:
        if ("Expression" in query) == ("MetricStat" in query):
            found.append(f"{query.get('Id')}: exactly one of Expression or MetricStat")
        if "Expression" in query:
            found += [f"{query['Id']}: {p}" for p in _expression_problems(query["Expression"], ids)]
    return found


def _expression_problems(expression: str, ids: list[Any]) -> list[str]:
    found: list[str] = []
    tokens = list(_tokens(expression))
    depth: list[str] = []  # "(" or "[" of each open bracket
    for index, (kind, text) in enumerate(tokens):
        following = tokens[index + 1][1] if index + 1 < len(tokens) else ""
        if kind == "name" and following == "(":
            if text not in FUNCTIONS:
                found.append(f"{text} is not a metric math function")
            elif text in NOT_IN_ALARMS:
                found.append(f"{text} acts differently in alarms (CloudWatch advises against it)")
        elif kind == "name" and text not in KEYWORDS and text not in ids:
            found.append(f"{text} is not an Id of the query list")
        elif kind == "num" and depth and depth[-1] == "[":
            found.append(f"{text} in an array: arrays hold time series, not numbers")
        elif text in "([":
            depth.append(text)
        elif text in ")]" and depth:
            depth.pop()
    if depth:
        found.append("unbalanced brackets")
    return found
