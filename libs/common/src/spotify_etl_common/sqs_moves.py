"""SQS message move tasks (server-side redrive of a dead-letter queue), at the boundary.

``StartMessageMoveTask`` moves every message of a dead-letter queue back to a
queue inside SQS, keeping attributes as they are. Emulators (moto, LocalStack)
lack it: :meth:`MoveTasks.start` answers None there, and the caller falls back
to copying (receive, send, delete).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from spotify_etl_common.aws_errors import translating

if TYPE_CHECKING:
    from types_aiobotocore_sqs import SQSClient

    from spotify_etl_common.sqs import SqsQueue

UNSUPPORTED_CODES = frozenset(
    {
        "UnsupportedOperation",
        "AWS.SimpleQueueService.UnsupportedOperation",
        "InvalidAction",
        "NotImplemented",
        "InternalFailure",
        "500",
        "501",
    }
)
"""Answers meaning "this endpoint cannot run a move task" (moto answers a bare 500 page,
whose code botocore reports as ``"500"``)."""


@dataclass(frozen=True, slots=True)
class MoveTask:
    """The state of the newest move task of a queue."""

    status: str
    """RUNNING, COMPLETED, CANCELLING, CANCELLED or FAILED."""
    moved: int
    failure: str | None = None


def is_unsupported(code: str) -> bool:
    """Whether a StartMessageMoveTask error code says the endpoint lacks the API."""
    return code in UNSUPPORTED_CODES


class MoveTasks:
    """Move tasks through an injected aiobotocore SQS client."""

    def __init__(self, client: SQSClient) -> None:
        self.client = client

    async def queue_arn(self, queue: SqsQueue) -> str:
        """The ARN of ``queue`` (move tasks name queues by ARN)."""
        with translating(f"ARN of {queue.name}"):
            response = await self.client.get_queue_attributes(
                QueueUrl=queue.url, AttributeNames=["QueueArn"]
            )
        return str(response["Attributes"]["QueueArn"])

    async def start(self, source_arn: str, destination_arn: str) -> str | None:
        """Start moving every message of ``source_arn``; None when the endpoint lacks the API."""
        with translating("StartMessageMoveTask", missing=UNSUPPORTED_CODES):
            response = await self.client.start_message_move_task(
                SourceArn=source_arn, DestinationArn=destination_arn
            )
            return str(response["TaskHandle"])
        return None

    async def newest(self, source_arn: str) -> MoveTask | None:
        """The newest move task of ``source_arn``, or None if there is none."""
        with translating("ListMessageMoveTasks"):
            response = await self.client.list_message_move_tasks(SourceArn=source_arn, MaxResults=1)
        results = response.get("Results", [])
        if not results:
            return None
        task = results[0]
        return MoveTask(
            status=str(task.get("Status", "UNKNOWN")),
            moved=int(task.get("ApproximateNumberOfMessagesMoved", 0)),
            failure=task.get("FailureReason"),
        )
