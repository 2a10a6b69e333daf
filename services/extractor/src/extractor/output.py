"""Raw objects out: write bytes as received under deterministic keys, then announce them.

:func:`raw_message` is pure; :class:`Publisher` is the thin shell that writes
and sends. Messages are sent once every object of a unit is written; what a killed run
wrote and did not announce is announced by the next (see :mod:`extractor.state.journal`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from spotify_etl_common.keys import parse_raw_key
from spotify_etl_common.messages import EXTRACTED_AT_METADATA, RawObjectWritten, Source
from spotify_etl_common.sqs import OutgoingMessage

from extractor.ports import MessageSink, ObjectStore


@dataclass(frozen=True)
class RawObject:
    """One response to store: where, what, and its lineage."""

    key: str
    body: bytes
    source: Source
    entity_id: str | None = None
    snapshot_id: str | None = None
    page: int | None = None
    extracted_at: datetime | None = None
    """When an earlier run wrote it (announcing what that run could not); else this run."""


@dataclass(frozen=True)
class RunContext:
    """Identity of one run, stamped on every message."""

    run_id: str
    started_at: datetime
    bucket: str


def raw_message(obj: RawObject, run: RunContext) -> OutgoingMessage:
    """The transform-queue message announcing ``obj`` (its user read from its key, as a
    replay reads it)."""
    body = RawObjectWritten(
        bucket=run.bucket,
        key=obj.key,
        source=obj.source,
        entity_id=obj.entity_id,
        snapshot_id=obj.snapshot_id,
        page=obj.page,
        run_id=run.run_id,
        extracted_at=obj.extracted_at or run.started_at,
        user_id=parts.user_id if (parts := parse_raw_key(obj.key)) else None,
    )
    return OutgoingMessage.of(body)


class Publisher:
    """Writes raw objects and posts one message per object, in batches."""

    def __init__(
        self,
        store: ObjectStore,
        queue: MessageSink,
        run: RunContext,
        user_id: str | None = None,
    ) -> None:
        self._store = store
        self._queue = queue
        self.run = run
        self.user_id = user_id
        """Whose objects the user-scoped keys are built for (``user=<uid>``); None: none."""
        self.objects_written = 0
        self.messages_sent = 0

    def for_user(self, user_id: str | None) -> Publisher:
        """The publisher of one user's objects (same store, queue and run; own counters)."""
        return Publisher(self._store, self._queue, self.run, user_id)

    async def write(self, obj: RawObject) -> None:
        # The extraction time travels with the object, so a replay rebuilds the
        # same message (and the same dt partition) as the original run.
        await self._store.put(
            obj.key, obj.body, metadata={EXTRACTED_AT_METADATA: self.run.started_at.isoformat()}
        )
        self.objects_written += 1

    async def announce(self, objects: Sequence[RawObject]) -> None:
        if not objects:
            return
        await self._queue.send([raw_message(o, self.run) for o in objects])
        self.messages_sent += len(objects)

    async def publish(self, objects: Sequence[RawObject]) -> None:
        """Write every object, then announce them all."""
        for obj in objects:
            await self.write(obj)
        await self.announce(objects)

    async def read(self, key: str) -> bytes | None:
        """A stored object's bytes (a page an earlier run wrote), None if absent."""
        return await self._store.get_or_none(key)

    async def extracted_at(self, key: str) -> datetime | None:
        """When the run that wrote ``key`` started (its metadata), None if unknown."""
        return await self._store.extracted_at(key)

    async def keys(self, prefix: str) -> AsyncIterator[str]:
        """Every stored key under ``prefix``."""
        async for info in self._store.list(prefix):
            yield info.key
