"""The two outside ports of a run: where raw objects and state go, where messages go.

``S3Store`` and ``SqsQueue`` of the shared library satisfy them; unit tests pass
in-memory fakes with state.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from spotify_etl_common.s3 import ObjectInfo
from spotify_etl_common.sqs import OutgoingMessage


class ObjectStore(Protocol):
    async def put(
        self,
        key: str,
        body: bytes,
        content_type: str = ...,
        metadata: Mapping[str, str] | None = ...,
    ) -> None: ...

    async def get_or_none(self, key: str) -> bytes | None: ...

    async def extracted_at(self, key: str) -> datetime | None: ...

    def list(self, prefix: str) -> AsyncIterator[ObjectInfo]: ...

    async def read_versioned(self, key: str) -> tuple[bytes, str] | None: ...

    async def put_conditionally(
        self, key: str, body: bytes, *, if_match: str | None = None
    ) -> str | None: ...


class MessageSink(Protocol):
    async def send(self, messages: Sequence[OutgoingMessage]) -> None: ...
