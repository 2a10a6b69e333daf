"""One run at a time: a lease object in S3 taken with a conditional put.

``state/extractor/lease.json`` holds the run id and an expiry. A run creates
it with ``If-None-Match: *``; if it exists and has not expired, another run
holds it and this one exits. An expired lease (a crashed run) is taken over
with ``If-Match`` on the ETag that was read, so of two runs taking over at once
only one wins. At the end the run marks it released (a conditional put on its
own ETag, so it never touches a lease another run took over): only
``s3:PutObject`` and ``s3:GetObject`` are needed, no delete.

``extractor lease`` shows it (:func:`inspect`); ``extractor lease --break RUN_ID``
marks it released only if that run still holds it, with ``If-Match`` on the
ETag it read (:func:`break_lease`): for a run killed without releasing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from pydantic import AwareDatetime, BaseModel, ValidationError
from spotify_etl_common.keys import state_key

LEASE_KEY = state_key("lease")
"""``state/extractor/lease.json``."""
GRACE = 300.0
"""Seconds a lease outlives the run deadline (finishing, announcing, releasing)."""


class LeaseDocument(BaseModel):
    run_id: str
    taken_at: AwareDatetime
    expires_at: AwareDatetime
    released: bool = False
    """Set by the holder at the end of its run: free to take."""

    def free(self, now: datetime) -> bool:
        return self.released or self.expires_at <= now


class LeaseStore(Protocol):
    async def put_conditionally(
        self, key: str, body: bytes, *, if_match: str | None = None
    ) -> str | None: ...

    async def read_versioned(self, key: str) -> tuple[bytes, str] | None: ...


@dataclass(frozen=True)
class Held:
    """This run holds the lease (``etag`` of the object it wrote)."""

    document: LeaseDocument
    etag: str
    took_over: LeaseDocument | None = None
    """The expired (never released) lease of a crashed run this one replaced."""


@dataclass(frozen=True)
class Busy:
    """Another run holds the lease."""

    holder: LeaseDocument | None

    def line(self) -> str:
        if self.holder is None:
            return "another extractor run is taking the lease at this moment; this run exits"
        return (
            f"another extractor run ({self.holder.run_id}) holds the lease "
            f"{LEASE_KEY} until {self.holder.expires_at:%Y-%m-%d %H:%M:%S} UTC; this run exits"
        )


def lease_for(run_id: str, now: datetime, seconds: float) -> LeaseDocument:
    return LeaseDocument(run_id=run_id, taken_at=now, expires_at=now + timedelta(seconds=seconds))


def _parse(body: bytes) -> LeaseDocument | None:
    try:
        return LeaseDocument.model_validate_json(body)
    except ValidationError:
        return None  # unreadable: treated as expired


async def take(store: LeaseStore, document: LeaseDocument, now: datetime) -> Held | Busy:
    """Take the lease for ``document.run_id`` unless a live one exists."""
    body = document.model_dump_json().encode()
    etag = await store.put_conditionally(LEASE_KEY, body)
    if etag is not None:
        return Held(document, etag)
    current = await store.read_versioned(LEASE_KEY)
    if current is None:  # released between our two calls: try once more
        etag = await store.put_conditionally(LEASE_KEY, body)
        return Held(document, etag) if etag is not None else Busy(None)
    raw, current_etag = current
    holder = _parse(raw)
    if holder is not None and not holder.free(now):
        return Busy(holder)
    etag = await store.put_conditionally(LEASE_KEY, body, if_match=current_etag)
    if etag is None:
        return Busy(None)
    crashed = holder if holder is not None and not holder.released else None
    return Held(document, etag, took_over=crashed)


async def release(store: LeaseStore, held: Held) -> bool:
    """Mark the lease released if it is still this run's; False if another run took it over."""
    done = held.document.model_copy(update={"released": True})
    etag = await store.put_conditionally(
        LEASE_KEY, done.model_dump_json().encode(), if_match=held.etag
    )
    return etag is not None


def is_free(body: bytes | None, now: datetime) -> bool:
    """Whether a lease object (None: absent) lets a run start now."""
    if body is None:
        return True
    holder = _parse(body)
    return holder is None or holder.free(now)


@dataclass(frozen=True)
class LeaseView:
    """What ``extractor lease`` shows: the document (None: absent or unreadable) and its ETag."""

    document: LeaseDocument | None
    etag: str | None
    unreadable: bool = False

    def lines(self, now: datetime) -> list[str]:
        """The lease in a few lines: who holds it, since when, until when."""
        doc = self.document
        if doc is None:
            if self.unreadable:
                return [f"{LEASE_KEY} is unreadable: the next run takes it over"]
            return [f"no lease ({LEASE_KEY} absent): the next run takes it"]
        if doc.released:
            state = "released: free, the next run takes it"
        elif doc.expires_at <= now:
            state = "expired (its run never released it: killed?): the next run takes it over"
        else:
            state = f"held for {_minutes(doc.expires_at - now)} more"
        return [
            f"run:        {doc.run_id}",
            f"taken at:   {doc.taken_at:%Y-%m-%d %H:%M:%S} UTC",
            f"expires at: {doc.expires_at:%Y-%m-%d %H:%M:%S} UTC",
            f"state:      {state}",
        ]


def _minutes(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


async def inspect(store: LeaseStore) -> LeaseView:
    """The lease as stored, with its ETag."""
    current = await store.read_versioned(LEASE_KEY)
    if current is None:
        return LeaseView(None, None)
    raw, etag = current
    document = _parse(raw)
    return LeaseView(document, etag, unreadable=document is None)


@dataclass(frozen=True)
class Broken:
    """``extractor lease --break``'s outcome: done, or why not (one line)."""

    done: bool
    line: str


async def break_lease(store: LeaseStore, run_id: str) -> Broken:
    """Mark the lease released if ``run_id`` still holds it (``If-Match`` on the ETag read).

    For a run killed without releasing it (kill -9, OOM, a lost host): nothing else
    stops the next runs until it expires. A lease another run took in between, or
    already released, is left alone.
    """
    view = await inspect(store)
    holder = view.document
    if holder is None or view.etag is None:
        return Broken(False, f"no lease to break: {view.lines(datetime.now(UTC))[0]}")
    if holder.run_id != run_id:
        return Broken(False, f"the lease is held by run {holder.run_id}, not {run_id}: left alone")
    if holder.released:
        return Broken(False, f"run {run_id} released the lease already: nothing to break")
    done = holder.model_copy(update={"released": True})
    etag = await store.put_conditionally(
        LEASE_KEY, done.model_dump_json().encode(), if_match=view.etag
    )
    if etag is None:
        return Broken(
            False, "the lease changed while breaking it (another run took it): look again"
        )
    return Broken(True, f"released the lease of run {run_id}: the next run takes it")
