"""The settle policy: what becomes of a message once its handling ended (pure).

:func:`settle` turns how handling ended (no error, an error of the tree, a
crash, a cancellation) into a :class:`Settlement`, a value the worker loop
applies with the SQS adapter:

=========================  ===============  ====================================
how it ended               outcome          action
=========================  ===============  ====================================
returned                   ``handled``      ``DELETE``
body failed validation     ``poison``       ``DEAD_LETTER`` (reason attached)
``PermanentError``         ``dead_lettered`` ``DEAD_LETTER`` (reason attached)
``TransientError`` with    ``retry``        ``DELAY``: visibility set to
``retry_after``                             ``retry_in`` (capped)
``TransientError``         ``retry``        ``LEAVE``: back after the visibility
                                            timeout
any other exception (bug)  ``retry``        ``LEAVE`` (redrive dead-letters it
                                            after maxReceiveCount)
cancelled (shutdown)       ``given_back``   ``GIVE_BACK``: visibility 0
=========================  ===============  ====================================

Nothing here performs I/O or reads a clock; :func:`dead_letter_attributes`
builds the DLQ message attributes from the same values.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from datetime import datetime
from enum import Enum, StrEnum

from spotify_etl_common.errors import PermanentError, SpotifyEtlError, TransientError
from spotify_etl_common.sqs import ReceivedMessage

MAX_DLQ_ATTRIBUTES = 10
"""SQS allows at most 10 message attributes per message."""
REASON_LIMIT = 4000
"""Longest reason kept in the ``error.reason`` attribute."""


class Outcome(StrEnum):
    """The ``outcome`` field of a message's ``message.handled`` line."""

    HANDLED = "handled"
    POISON = "poison"
    DEAD_LETTERED = "dead_lettered"
    RETRY = "retry"
    GIVEN_BACK = "given_back"


class Action(Enum):
    """What the loop does with the message on SQS."""

    DELETE = "delete"
    """Delete it (batched)."""
    DEAD_LETTER = "dead_letter"
    """Send it to the dead-letter queue with the reason, then delete it."""
    DELAY = "delay"
    """Set its visibility to ``retry_in`` seconds: it comes back then."""
    LEAVE = "leave"
    """Do nothing: it comes back after its visibility timeout."""
    GIVE_BACK = "give_back"
    """Set its visibility to 0: another consumer may take it now."""


@dataclass(frozen=True, slots=True)
class Settlement:
    """The decision for one message (an outcome record)."""

    outcome: Outcome
    action: Action
    reason: str | None = None
    """Why it failed (the DLQ's ``error.reason``); None when handled or given back."""
    error_type: str | None = None
    """Class name of the error (the DLQ's ``error.type``)."""
    retry_in: int | None = None
    """Seconds until it is visible again (``DELAY`` only)."""
    crashed: bool = False
    """The handler raised an exception outside the error tree (a bug)."""

    @property
    def ok(self) -> bool:
        """Handled successfully."""
        return self.outcome is Outcome.HANDLED


HANDLED = Settlement(Outcome.HANDLED, Action.DELETE)
GIVEN_BACK = Settlement(Outcome.GIVEN_BACK, Action.GIVE_BACK)


def settle(
    error: BaseException | None, *, max_retry_delay: int, poison: bool = False
) -> Settlement:
    """The settlement for a message whose handling ended with ``error`` (None: success).

    ``poison`` marks a body that failed validation (a ``PermanentError`` from
    parsing); ``max_retry_delay`` caps the delay a ``TransientError`` asks for.
    """
    if error is None:
        return HANDLED
    if isinstance(error, asyncio.CancelledError):
        return GIVEN_BACK
    kind = type(error).__name__
    if isinstance(error, PermanentError):
        outcome = Outcome.POISON if poison else Outcome.DEAD_LETTERED
        return Settlement(outcome, Action.DEAD_LETTER, error.reason, kind)
    if isinstance(error, TransientError) and error.retry_after is not None:
        delay = min(max(0, math.ceil(error.retry_after)), max_retry_delay)
        return Settlement(Outcome.RETRY, Action.DELAY, error.reason, kind, retry_in=delay)
    if isinstance(error, SpotifyEtlError):
        return Settlement(Outcome.RETRY, Action.LEAVE, error.reason, kind)
    reason = f"unexpected {kind}: {error}"
    return Settlement(Outcome.RETRY, Action.LEAVE, reason, kind, crashed=True)


def dead_letter_attributes(
    received: ReceivedMessage,
    policy: Settlement,
    source_queue: str,
    failed_at: datetime,
) -> dict[str, str]:
    """Original attributes plus the settlement's reason, trimmed to SQS's limit of 10."""
    ours = {
        "error.reason": (policy.reason or "")[:REASON_LIMIT],
        "error.type": policy.error_type or "PermanentError",
        "error.source_queue": source_queue,
        "error.failed_at": failed_at.isoformat(),
        "error.receive_count": str(received.receive_count),
    }
    originals = [(k, v) for k, v in received.attributes.items() if not k.startswith("error.")]
    keep = MAX_DLQ_ATTRIBUTES - len(ours)
    return dict(originals[:keep]) | ours
