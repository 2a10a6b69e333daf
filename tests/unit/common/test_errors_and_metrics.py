"""Error translation, dead-letter attributes and EMF lines are pure and exact."""

from __future__ import annotations

from datetime import UTC, datetime

from botocore.exceptions import ClientError, EndpointConnectionError
from spotify_etl_common.aws_errors import translate_botocore_error, translate_client_error
from spotify_etl_common.errors import PermanentError, TransientError
from spotify_etl_common.metrics import emf_fields
from spotify_etl_common.sqs import ReceivedMessage
from spotify_etl_common.worker import Settlement, WorkerConfig, dead_letter_attributes, settle


def client_error(code: str, status: int) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": "msg"}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "Op",
    )


def test_throttling_and_5xx_are_transient_other_4xx_permanent() -> None:
    assert isinstance(translate_client_error(client_error("SlowDown", 503), "PUT"), TransientError)
    assert isinstance(
        translate_client_error(client_error("ThrottlingException", 400), "x"), TransientError
    )
    assert isinstance(translate_client_error(client_error("Boom", 500), "x"), TransientError)
    denied = translate_client_error(client_error("AccessDenied", 403), "GET s3://b/k")
    assert isinstance(denied, PermanentError)
    assert denied.reason == "GET s3://b/k failed: AccessDenied: msg"


def test_connection_errors_are_transient() -> None:
    error = translate_botocore_error(EndpointConnectionError(endpoint_url="http://x"), "receive")
    assert isinstance(error, TransientError)
    assert "connection error" in error.reason


def received(attributes: dict[str, str]) -> ReceivedMessage:
    return ReceivedMessage("id", "rh", "{}", attributes, receive_count=2, sent_timestamp_ms=0)


def dead_letter(error: PermanentError) -> Settlement:
    return settle(error, max_retry_delay=900)


def test_dead_letter_attributes_keep_originals_and_add_reason() -> None:
    at = datetime(2026, 11, 24, tzinfo=UTC)
    attrs = dead_letter_attributes(
        received({"source": "albums"}), dead_letter(PermanentError("bad")), "q", at
    )
    assert attrs == {
        "source": "albums",
        "error.reason": "bad",
        "error.type": "PermanentError",
        "error.source_queue": "q",
        "error.failed_at": "2026-11-24T00:00:00+00:00",
        "error.receive_count": "2",
    }


def test_dead_letter_attributes_stay_within_sqs_limit_of_ten() -> None:
    many = {f"a{i}": str(i) for i in range(12)}
    at = datetime(2026, 11, 24, tzinfo=UTC)
    attrs = dead_letter_attributes(
        received(many), dead_letter(PermanentError("x" * 10_000)), "q", at
    )
    assert len(attrs) == 10
    assert len(attrs["error.reason"]) == 4000


def test_emf_fields_declare_every_metric_as_a_top_level_member() -> None:
    fields = emf_fields(
        "transformer", {"RowsWritten": (120, "Count"), "HandleDuration": (5.5, "Milliseconds")}, 1
    )
    assert fields == {
        "_aws": {
            "Timestamp": 1,
            "CloudWatchMetrics": [
                {
                    "Namespace": "SpotifyEtl",
                    "Dimensions": [["Service"]],
                    "Metrics": [
                        {"Name": "RowsWritten", "Unit": "Count"},
                        {"Name": "HandleDuration", "Unit": "Milliseconds"},
                    ],
                }
            ],
        },
        "Service": "transformer",
        "RowsWritten": 120,
        "HandleDuration": 5.5,
    }


def test_idle_exit_shortens_long_poll() -> None:
    assert WorkerConfig(wait_seconds=20, exit_when_idle=3).receive_wait == 3
    assert WorkerConfig(wait_seconds=20).receive_wait == 20
    assert WorkerConfig(visibility_timeout=30).heartbeat_interval == 10
