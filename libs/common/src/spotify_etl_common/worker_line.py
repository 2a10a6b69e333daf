"""What a handler adds to its message's one ``message.handled`` line.

The worker logs exactly one line per message, with its outcome, duration and
CloudWatch EMF metrics. A handler adds its own fields and metrics to that line
instead of logging a second one::

    async def handle(message: RawObjectWritten, received: ReceivedMessage) -> None:
        ...
        line = current_line()
        line.add(source=str(message.source), files=len(files))
        line.metric("RowsWritten", rows)

A batch handler handles many messages at once and reaches each one's line with
:func:`line_of` (``line_of(received).add(table=...)``); what belongs to the batch
as a whole goes into ``BatchOutcome.summary``, which the worker logs once on
the ``batch.handled`` line.

The lines are bound in a ``contextvars`` context around the handler call, so
they follow the handler into its tasks and nowhere else. :func:`handled_line`
builds the line itself (purely) from the settlement and what was added.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from spotify_etl_common.metrics import Unit, emf_fields
from spotify_etl_common.sqs import ReceivedMessage
from spotify_etl_common.worker_settle import Outcome, Settlement


@dataclass
class MessageLine:
    """The fields and metrics a handler added to one message's line."""

    fields: dict[str, object] = field(default_factory=dict)
    metrics: dict[str, tuple[float, Unit]] = field(default_factory=dict)

    def add(self, **fields: object) -> None:
        """Add (or replace) fields of the line."""
        self.fields.update(fields)

    def metric(self, name: str, value: float, unit: Unit = "Count") -> None:
        """Record an EMF metric on the line (the last value given for ``name`` counts)."""
        self.metrics[name] = (value, unit)


_current: ContextVar[MessageLine | None] = ContextVar("spotify_etl_current_line", default=None)
_batch: ContextVar[Mapping[str, MessageLine] | None] = ContextVar(
    "spotify_etl_batch_lines", default=None
)


def current_line() -> MessageLine:
    """The line of the message being handled (inside a single-message handler).

    Outside a worker (a handler called by a test or a script) it is a detached
    line that nobody logs.
    """
    line = _current.get()
    if line is not None:
        return line
    if _batch.get() is not None:
        raise LookupError(
            "current_line() is for single-message handlers: a batch handler reaches "
            "each message's line with line_of(received)"
        )
    return MessageLine()


def line_of(received: ReceivedMessage) -> MessageLine:
    """The line of one message of the batch being handled (inside a batch handler).

    Outside a worker it is a detached line that nobody logs.
    """
    lines = _batch.get()
    if lines is None:
        return MessageLine()
    if received.message_id not in lines:
        raise LookupError(
            f"message {received.message_id} is not one of the messages being handled here"
        )
    return lines[received.message_id]


@contextmanager
def bound_lines(lines: Mapping[str, MessageLine]) -> Iterator[None]:
    """Bind the lines of the messages being handled (the worker calls this).

    With one message, :func:`current_line` returns its line as well.
    """
    only = next(iter(lines.values())) if len(lines) == 1 else None
    batch_token = _batch.set(lines)
    current_token = _current.set(only)
    try:
        yield
    finally:
        _current.reset(current_token)
        _batch.reset(batch_token)


def handled_line(
    received: ReceivedMessage,
    policy: Settlement,
    *,
    duration_ms: float,
    service: str,
    timestamp_ms: int,
    line: MessageLine | None = None,
    returned: Mapping[str, object] | None = None,
    batch: str | None = None,
) -> dict[str, object]:
    """The fields of a message's ``message.handled`` line, EMF metrics included.

    What the handler returned and added comes first; the worker's own fields
    (id, outcome, duration, reason, the three worker metrics) win over them.
    """
    added = line or MessageLine()
    metrics: dict[str, tuple[float, Unit]] = {
        **added.metrics,
        "MessagesHandled": (1 if policy.ok else 0, "Count"),
        "MessagesFailed": (0 if policy.ok else 1, "Count"),
        "HandleDuration": (duration_ms, "Milliseconds"),
    }
    fields: dict[str, object] = {**(returned or {}), **added.fields}
    if batch is not None:
        fields["batch"] = batch
    if policy.reason is not None:
        fields["reason"] = policy.reason
    if policy.outcome is Outcome.RETRY:
        fields["retry_in"] = policy.retry_in
    return {
        **fields,
        "message_id": received.message_id,
        "receive_count": received.receive_count,
        "outcome": str(policy.outcome),
        "duration_ms": duration_ms,
        **emf_fields(service, metrics, timestamp_ms=timestamp_ms),
    }
