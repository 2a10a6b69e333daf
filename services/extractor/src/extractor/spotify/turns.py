"""Requests in flight, shared fairly: users take turns for the app's few slots.

One app serves every user of a household under one rate limit. At most
``capacity`` requests are in flight; when a slot frees and several users have
requests waiting, the users take it in turn (round robin), each user's own
requests in the order they asked. So a user with a first backfill (dozens of
pages queued) gets one slot in N, not all of them, and the others' work keeps
moving. With one user it is a plain FIFO semaphore.
"""

from __future__ import annotations

import asyncio
from collections import deque


class Turns:
    """A semaphore of ``capacity`` slots granted round robin across lanes (users)."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._free = capacity
        self._waiting: dict[str, deque[asyncio.Future[None]]] = {}
        self._rotation: deque[str] = deque()
        """Lanes with waiting requests, the next to be served first."""
        self.granted: list[str] = []
        """The lane of every slot granted, in order (tests and benchmarks read it)."""

    def _has_waiters(self) -> bool:
        return any(f for q in self._waiting.values() for f in q if not f.done())

    async def acquire(self, lane: str) -> None:
        """Wait for a slot for ``lane``; cancelled while waiting, nothing is held."""
        if self._free > 0 and not self._has_waiters():
            self._free -= 1
            self.granted.append(lane)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(lane, deque()).append(future)
        if lane not in self._rotation:
            self._rotation.append(lane)
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release()  # granted just as it was cancelled: hand the slot on
            raise

    def release(self) -> None:
        """Free one slot: the next lane in turn with a live waiter gets it."""
        while self._rotation:
            lane = self._rotation.popleft()
            queue = self._waiting.get(lane, deque())
            while queue and queue[0].done():  # cancelled waiters
                queue.popleft()
            if not queue:
                continue
            future = queue.popleft()
            if any(not f.done() for f in queue):
                self._rotation.append(lane)  # it waits for its next turn, behind the others
            future.set_result(None)
            self.granted.append(lane)
            return
        self._free += 1
