"""Async SQS adapter: resolve, receive, send and delete in batches, change visibility.

Batch calls answer per entry; failed entries that the sender did not cause are
retried with backoff, and what still fails surfaces as a ``TransientError``.
:func:`resolve_queues` finds a work queue and its dead-letter queue;
:class:`BatchDeleter` gathers the deletes of many handlers into batch calls.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from spotify_etl_common.aws_errors import translating
from spotify_etl_common.errors import PermanentError, TransientError
from spotify_etl_common.logs import get_logger

if TYPE_CHECKING:
    from types_aiobotocore_sqs import SQSClient

    from spotify_etl_common.messages import RawObjectWritten, TableFileWritten

BATCH = 10
"""SQS's largest batch for send, delete and change-visibility."""
MAX_VISIBILITY = 43_200
"""SQS's longest visibility timeout (12 hours)."""
_BATCH_ATTEMPTS = 4
_NO_QUEUE = frozenset(
    {"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", "NonExistentQueue"}
)
T = TypeVar("T")

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A message to send: body, string attributes, optional delay."""

    body: str
    attributes: Mapping[str, str] = field(default_factory=dict)
    delay_seconds: int = 0

    @classmethod
    def of(cls, message: RawObjectWritten | TableFileWritten) -> OutgoingMessage:
        """A pipeline message as JSON, with the attributes its model defines."""
        return cls(message.model_dump_json(), message.attributes())


@dataclass(frozen=True, slots=True)
class ReceivedMessage:
    """A message as received, with what the worker needs to settle it."""

    message_id: str
    receipt_handle: str
    body: str
    attributes: Mapping[str, str]
    """String message attributes (binary ones are not used by this project)."""
    receive_count: int
    sent_timestamp_ms: int


@dataclass(frozen=True, slots=True)
class QueueDepth:
    """Approximate counts of one queue."""

    visible: int
    in_flight: int
    delayed: int


def _chunks(items: Sequence[T], size: int = BATCH) -> list[Sequence[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class SqsQueue:
    """One queue, reached through an injected aiobotocore SQS client."""

    def __init__(self, client: SQSClient, url: str) -> None:
        self.client = client
        self.url = url

    @property
    def name(self) -> str:
        """The queue's name (last segment of its URL)."""
        return self.url.rstrip("/").rsplit("/", 1)[-1]

    @classmethod
    async def resolve(cls, client: SQSClient, name_or_url: str) -> SqsQueue:
        """A queue from a name or a URL; an unknown queue is a ``PermanentError``."""
        if name_or_url.startswith(("https://", "http://")):
            return cls(client, name_or_url)
        with translating(f"resolve queue {name_or_url}", missing=_NO_QUEUE) as outcome:
            response = await client.get_queue_url(QueueName=name_or_url)
        if outcome.missing:
            raise PermanentError(
                f"queue {name_or_url!r} not found: create it (spotify-etl local up, "
                f"or deploy the stack) or fix the queue variable"
            )
        return cls(client, response["QueueUrl"])

    async def dead_letter_queue(self) -> SqsQueue | None:
        """The queue named by this queue's redrive policy, if any."""
        attributes = await self._attributes(["RedrivePolicy"])
        policy = attributes.get("RedrivePolicy")
        if not policy:
            return None
        arn = str(json.loads(policy)["deadLetterTargetArn"])
        return await SqsQueue.resolve(self.client, arn.rsplit(":", 1)[-1])

    async def depth(self) -> QueueDepth:
        """Visible, in-flight and delayed counts (approximate, as SQS reports them)."""
        attributes = await self._attributes(
            [
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed",
            ]
        )
        return QueueDepth(
            visible=int(attributes.get("ApproximateNumberOfMessages", 0)),
            in_flight=int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)),
            delayed=int(attributes.get("ApproximateNumberOfMessagesDelayed", 0)),
        )

    async def _attributes(self, names: list[Any]) -> dict[str, str]:
        with translating(f"attributes of {self.name}"):
            response = await self.client.get_queue_attributes(
                QueueUrl=self.url, AttributeNames=names
            )
        return {str(k): v for k, v in response.get("Attributes", {}).items()}

    async def receive(
        self, max_messages: int = BATCH, wait_seconds: int = 20, visibility_timeout: int = 60
    ) -> list[ReceivedMessage]:
        """Long-poll for up to ``max_messages`` messages."""
        with translating(f"receive from {self.name}"):
            response = await self.client.receive_message(
                QueueUrl=self.url,
                MaxNumberOfMessages=max(1, min(BATCH, max_messages)),
                WaitTimeSeconds=wait_seconds,
                VisibilityTimeout=visibility_timeout,
                MessageSystemAttributeNames=["ApproximateReceiveCount", "SentTimestamp"],
                MessageAttributeNames=["All"],
            )
        return [
            ReceivedMessage(
                message_id=m["MessageId"],
                receipt_handle=m["ReceiptHandle"],
                body=m["Body"],
                attributes={
                    k: v["StringValue"]
                    for k, v in m.get("MessageAttributes", {}).items()
                    if "StringValue" in v
                },
                receive_count=int(m.get("Attributes", {}).get("ApproximateReceiveCount", "1")),
                sent_timestamp_ms=int(m.get("Attributes", {}).get("SentTimestamp", "0")),
            )
            for m in response.get("Messages", [])
        ]

    async def send(self, messages: Sequence[OutgoingMessage]) -> None:
        """Send in batches of 10; entries that fail on the service side are retried."""
        for chunk in _chunks(messages):
            entries: dict[str, Any] = {
                str(i): {
                    "Id": str(i),
                    "MessageBody": m.body,
                    "DelaySeconds": m.delay_seconds,
                    "MessageAttributes": {
                        k: {"DataType": "String", "StringValue": v} for k, v in m.attributes.items()
                    },
                }
                for i, m in enumerate(chunk)
            }
            await self._batch("send", self.client.send_message_batch, entries)

    async def delete(self, receipt_handles: Sequence[str]) -> None:
        """Delete in batches of 10 (failed entries retried)."""
        for chunk in _chunks(receipt_handles):
            entries = {str(i): {"Id": str(i), "ReceiptHandle": h} for i, h in enumerate(chunk)}
            await self._batch("delete", self.client.delete_message_batch, entries)

    async def change_visibility(self, receipt_handles: Sequence[str], seconds: int) -> None:
        """Set the visibility timeout of received messages (0 gives them back now)."""
        timeout = max(0, min(MAX_VISIBILITY, int(seconds)))
        for chunk in _chunks(receipt_handles):
            entries = {
                str(i): {"Id": str(i), "ReceiptHandle": h, "VisibilityTimeout": timeout}
                for i, h in enumerate(chunk)
            }
            await self._batch(
                "change visibility", self.client.change_message_visibility_batch, entries
            )

    async def _batch(self, action: str, call: Any, entries: dict[str, Any]) -> None:
        pending = dict(entries)
        for attempt in range(_BATCH_ATTEMPTS):
            with translating(f"{action} on {self.name}"):
                response = await call(QueueUrl=self.url, Entries=list(pending.values()))
            failed = response.get("Failed", [])
            sender_faults = [f for f in failed if f.get("SenderFault")]
            if sender_faults:
                first = sender_faults[0]
                raise PermanentError(
                    f"{action} on {self.name} rejected {len(sender_faults)} entries: "
                    f"{first.get('Code')}: {first.get('Message', '')}"
                )
            pending = {f["Id"]: pending[f["Id"]] for f in failed}
            if not pending:
                return
            await asyncio.sleep(0.1 * 2**attempt)
        raise TransientError(f"{action} on {self.name}: {len(pending)} entries still failing")


async def resolve_queues(client: SQSClient, name_or_url: str) -> tuple[SqsQueue, SqsQueue]:
    """A work queue and its dead-letter queue; a queue without one is refused.

    Without a dead-letter queue a poison message would be retried forever or
    lost, so a service refuses to start on such a queue.
    """
    queue = await SqsQueue.resolve(client, name_or_url)
    dead_letters = await queue.dead_letter_queue()
    if dead_letters is None:
        raise PermanentError(
            f"queue {queue.name} has no redrive policy: give it a dead-letter queue "
            "(spotify-etl local up, or the deploy stack) so poison messages are kept"
        )
    return queue, dead_letters


class BatchDeleter:
    """Deletes messages in batches of up to 10 in the background.

    ``add`` never waits; a batch leaves when it is full or ``linger`` seconds
    after its first handle arrived. ``close`` flushes what is pending. A failed
    delete is logged, not raised: those messages come back after their
    visibility timeout and are handled again (handlers are idempotent).
    """

    def __init__(
        self,
        queue: SqsQueue,
        linger: float = 0.05,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._queue = queue
        self._linger = linger
        self._sleep = sleep
        self._pending: asyncio.Queue[str | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the background task (inside the running event loop)."""
        self._task = asyncio.create_task(self._run(), name="sqs-deleter")

    def add(self, receipt_handle: str) -> None:
        """Queue one message for deletion."""
        self._pending.put_nowait(receipt_handle)

    async def close(self) -> None:
        """Delete what is pending, then stop."""
        self._pending.put_nowait(None)
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        closing = False
        while not closing:
            first = await self._pending.get()
            if first is None:
                break
            batch, closing = await self._fill([first])
            try:
                await self._queue.delete(batch)
            except (PermanentError, TransientError) as error:
                log.warning("delete.failed", count=len(batch), reason=error.reason)

    async def _fill(self, batch: list[str]) -> tuple[list[str], bool]:
        """Add what arrives within ``linger`` (up to a full batch); True if closing."""
        timer = asyncio.ensure_future(self._sleep(self._linger))
        try:
            while len(batch) < BATCH:
                if self._pending.empty() and timer.done():
                    break
                getter = asyncio.ensure_future(self._pending.get())
                await asyncio.wait({getter, timer}, return_when=asyncio.FIRST_COMPLETED)
                if not getter.done():
                    getter.cancel()  # the item, if any, stays in the queue
                    await asyncio.gather(getter, return_exceptions=True)
                    break
                item = getter.result()
                if item is None:
                    return batch, True
                batch.append(item)
        finally:
            timer.cancel()
        return batch, False
