"""Pure core of the dead-letter commands: read a dead letter, plan and shape a redrive.

A dead letter carries the attributes the worker set (``error.reason``,
``error.type``, ``error.source_queue``, ``error.failed_at``,
``error.receive_count``) beside the original ones. A redriven message gets the
original attributes back without ``error.*``, plus ``redrive.original_id``:
the id of the dead letter it came from (kept from an earlier redrive if the
message was dead-lettered again), so a consumer or an operator can recognise
copies of one message.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict
from spotify_etl_common.sqs import BATCH, OutgoingMessage, ReceivedMessage

ERROR_PREFIX = "error."
ORIGINAL_ID = "redrive.original_id"
"""Attribute naming the dead letter a redriven message was copied from."""


class DeadLetter(BaseModel):
    """One dead letter as the CLI shows it."""

    model_config = ConfigDict(frozen=True)

    message_id: str
    body: str
    attributes: dict[str, str]
    reason: str | None
    error_type: str | None
    source_queue: str | None
    failed_at: str | None
    receive_count: str | None

    @classmethod
    def of(cls, received: ReceivedMessage) -> DeadLetter:
        """Read the worker's ``error.*`` attributes (absent on letters SQS moved itself)."""
        attrs = dict(received.attributes)
        return cls(
            message_id=received.message_id,
            body=received.body,
            attributes=attrs,
            reason=attrs.get("error.reason"),
            error_type=attrs.get("error.type"),
            source_queue=attrs.get("error.source_queue"),
            failed_at=attrs.get("error.failed_at"),
            receive_count=attrs.get("error.receive_count"),
        )


def redrive_attributes(received: ReceivedMessage) -> dict[str, str]:
    """The attributes of the redriven copy: originals, no ``error.*``, plus the original id."""
    kept = {k: v for k, v in received.attributes.items() if not k.startswith(ERROR_PREFIX)}
    kept[ORIGINAL_ID] = received.attributes.get(ORIGINAL_ID) or received.message_id
    return kept


def redrive_message(received: ReceivedMessage) -> OutgoingMessage:
    """The message sent back to the source queue for one dead letter (same body)."""
    return OutgoingMessage(received.body, redrive_attributes(received))


def next_batch_size(max_messages: int | None, moved: int) -> int:
    """How many dead letters to receive next: up to 10, never past ``max_messages``."""
    if max_messages is None:
        return BATCH
    return max(0, min(BATCH, max_messages - moved))


def render_list(letters: Sequence[DeadLetter], reason_width: int = 70) -> str:
    """A table of id, failed_at, type and reason, one dead letter per row (rich, plain text).

    Columns are as wide as their widest value; a reason longer than
    ``reason_width`` columns wraps onto lines of its own under the REASON
    column, whole (``dlq show`` prints the letter itself).
    """
    if not letters:
        return "no dead letters"
    from rich.table import Table

    from spotify_etl.terminal import cells, plain_text

    table = Table(box=None, pad_edge=False, padding=(0, 1))
    for header in ("MESSAGE ID", "FAILED AT", "TYPE"):
        table.add_column(header, no_wrap=True, overflow="ignore")
    table.add_column("REASON", max_width=reason_width, overflow="fold")
    for letter in letters:
        values = (letter.message_id, letter.failed_at, letter.error_type, letter.reason)
        table.add_row(*cells(value or "-" for value in values))
    return plain_text(table)


def render_reason_counts(letters: Sequence[DeadLetter], width: int = 100) -> str:
    """How many letters share each reason, most common first; reasons wrap, whole."""
    from rich.table import Table

    from spotify_etl.terminal import cells, plain_text

    counts = Counter(letter.reason or "(no reason)" for letter in letters)
    table = Table(box=None, show_header=False, padding=(0, 0, 0, 2))
    table.add_column(justify="right", min_width=6, no_wrap=True)
    table.add_column(max_width=width, overflow="fold")
    for reason, count in counts.most_common():
        table.add_row(*cells((str(count), reason)))
    return plain_text(table)


def render_show(letter: DeadLetter) -> str:
    """The full dead letter: every attribute, then the body (pretty when it is JSON)."""
    lines = [f"message id: {letter.message_id}", "attributes:"]
    lines += [f"  {name}: {value}" for name, value in sorted(letter.attributes.items())]
    try:
        body = json.dumps(json.loads(letter.body), indent=2, ensure_ascii=False)
    except ValueError:
        body = letter.body
    lines += ["body:", body]
    return "\n".join(lines)


def letters_json(letters: Sequence[DeadLetter]) -> str:
    """The dead letters as a JSON array (for scripts)."""
    return json.dumps([letter.model_dump() for letter in letters], indent=2, ensure_ascii=False)


def by_id(letters: Sequence[DeadLetter]) -> Mapping[str, DeadLetter]:
    """Dead letters keyed by message id."""
    return {letter.message_id: letter for letter in letters}
