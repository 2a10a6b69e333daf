"""The worker's two modes: one message per handler call, or a batch per call.

The loop (:mod:`spotify_etl_common.worker`) is the same for both; a mode says
how much it may receive now, how received messages are grouped into units of
work, and how a unit is handed to the service's handler:

- :class:`SingleMessages`: each message is its own unit, up to
  ``max_in_flight`` handled concurrently; the loop keeps receiving while there
  is room.
- :class:`Batches`: everything received together (up to ``max_in_flight``) is
  one unit, handed to a batch handler that coalesces it (the cataloger: one
  catalog update per table); one batch is in flight at a time.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

import structlog
from pydantic import BaseModel

from spotify_etl_common.errors import SpotifyEtlError
from spotify_etl_common.sqs import BATCH, ReceivedMessage

M = TypeVar("M", bound=BaseModel)
M_contra = TypeVar("M_contra", bound=BaseModel, contravariant=True)

Summary = Mapping[str, object] | None
Handler = Callable[[M, ReceivedMessage], Awaitable[Summary]]
"""Handles one message; returns fields for its ``message.handled`` line (or None)."""


@dataclass(frozen=True)
class BatchOutcome:
    """What a batch handler did: failed messages by id; the rest succeeded.

    ``summary`` describes the batch as a whole (tables touched, partitions
    added): the worker logs it once, on the ``batch.handled`` line, never on
    each message's line.
    """

    failures: Mapping[str, SpotifyEtlError] = field(default_factory=dict)
    summary: Mapping[str, object] = field(default_factory=dict)


BatchHandler = Callable[[Sequence[tuple[M, ReceivedMessage]]], Awaitable[BatchOutcome]]
"""Handles several messages at once (coalescing); failures keyed by message id."""


@dataclass(frozen=True)
class UnitResult:
    """How a unit of work ended, message by message (absent from ``failures``: handled)."""

    failures: Mapping[str, BaseException] = field(default_factory=dict)
    fields: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    """Fields a handler returned for a message's line, by message id."""
    batch_summary: Mapping[str, object] | None = None
    """The batch's own line (batch mode only)."""


class Mode(Protocol[M_contra]):
    """How the loop receives and hands over work (see the module docstring)."""

    @property
    def gathers(self) -> bool:
        """Keep receiving until a receive comes back short (or the room is full)."""
        ...

    def room(self, in_flight_messages: int, in_flight_units: int, max_in_flight: int) -> int:
        """How many messages may be received now."""
        ...

    def units(self, messages: Sequence[ReceivedMessage]) -> list[tuple[ReceivedMessage, ...]]:
        """Received messages grouped into units of work."""
        ...

    async def call(self, items: Sequence[tuple[M_contra, ReceivedMessage]]) -> UnitResult:
        """Hand one unit (its messages that parsed) to the service's handler."""
        ...


class SingleMessages(Generic[M]):
    """One message per handler call, up to ``max_in_flight`` at once."""

    gathers = False

    def __init__(self, handler: Handler[M]) -> None:
        self.handler = handler

    def room(self, in_flight_messages: int, in_flight_units: int, max_in_flight: int) -> int:
        return min(BATCH, max(0, max_in_flight - in_flight_messages))

    def units(self, messages: Sequence[ReceivedMessage]) -> list[tuple[ReceivedMessage, ...]]:
        return [(m,) for m in messages]

    async def call(self, items: Sequence[tuple[M, ReceivedMessage]]) -> UnitResult:
        [(message, received)] = items
        with structlog.contextvars.bound_contextvars(
            message_id=received.message_id, receive_count=received.receive_count
        ):
            summary = await self.handler(message, received)
        return UnitResult(fields={received.message_id: dict(summary or {})})


class Batches(Generic[M]):
    """Everything received together is one batch; one batch in flight at a time."""

    gathers = True

    def __init__(self, handler: BatchHandler[M]) -> None:
        self.handler = handler

    def room(self, in_flight_messages: int, in_flight_units: int, max_in_flight: int) -> int:
        return 0 if in_flight_units else max_in_flight

    def units(self, messages: Sequence[ReceivedMessage]) -> list[tuple[ReceivedMessage, ...]]:
        return [tuple(messages)] if messages else []

    async def call(self, items: Sequence[tuple[M, ReceivedMessage]]) -> UnitResult:
        outcome = await self.handler(items)
        return UnitResult(failures=dict(outcome.failures), batch_summary=dict(outcome.summary))
