"""A message's line is built purely from its settlement and what the handler added."""

from __future__ import annotations

from spotify_etl_common.errors import TransientError
from spotify_etl_common.sqs import ReceivedMessage
from spotify_etl_common.worker_line import MessageLine, handled_line
from spotify_etl_common.worker_settle import HANDLED, settle

RECEIVED = ReceivedMessage("m1", "rh", "{}", {}, 2, 0)


def test_handler_fields_and_metrics_join_the_workers_own() -> None:
    line = MessageLine()
    line.add(table="tracks", outcome="spoofed")
    line.metric("RowsWritten", 120)
    fields = handled_line(
        RECEIVED,
        HANDLED,
        duration_ms=5.5,
        service="transformer",
        timestamp_ms=1,
        line=line,
        returned={"files": 3, "message_id": "spoofed"},
    )
    assert {k: fields[k] for k in ("message_id", "receive_count", "outcome", "files")} == {
        "message_id": "m1",  # the worker's own fields win
        "receive_count": 2,
        "outcome": "handled",
        "files": 3,
    }
    assert (fields["table"], fields["RowsWritten"], fields["MessagesHandled"]) == ("tracks", 120, 1)
    aws = fields["_aws"]
    assert isinstance(aws, dict)
    names = [m["Name"] for m in aws["CloudWatchMetrics"][0]["Metrics"]]
    assert names == ["RowsWritten", "MessagesHandled", "MessagesFailed", "HandleDuration"]


def test_a_retry_carries_its_reason_and_delay_and_counts_as_failed() -> None:
    policy = settle(TransientError("throttled", retry_after=4), max_retry_delay=900)
    fields = handled_line(
        RECEIVED, policy, duration_ms=1.0, service="s", timestamp_ms=1, batch="b1"
    )
    assert {k: fields[k] for k in ("outcome", "reason", "retry_in", "batch")} == {
        "outcome": "retry",
        "reason": "throttled",
        "retry_in": 4,
        "batch": "b1",
    }
    assert (fields["MessagesHandled"], fields["MessagesFailed"]) == (0, 1)
