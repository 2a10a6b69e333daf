"""The queue handler: read a raw object, transform it, write its files, announce them.

Gather (GET the raw object; one over ``max_raw_bytes`` by its ``ContentLength``
is poison, its body never read), decide (the pure core and the Parquet encoding,
in a thread), apply (PUT every Parquet file, then, only when all are written,
post one ``TableFileWritten`` per file). A replayed message whose transform
gives the same bytes computes the same keys and overwrites the same files with
them; other bytes go to other keys (see :mod:`transformer.layout`). Raw objects
are only ever read.

What a message did (source, files, rows per table; EMF metrics ``RowsWritten``
and ``FilesWritten``) goes onto the worker's one ``message.handled`` line.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from spotify_etl_common import messages
from spotify_etl_common.errors import PermanentError
from spotify_etl_common.messages import RawObjectWritten, Source, TableFileWritten
from spotify_etl_common.s3 import ObjectTooLarge, S3Store
from spotify_etl_common.sqs import OutgoingMessage, ReceivedMessage, SqsQueue
from spotify_etl_common.worker_line import current_line

from transformer.core import RawObject, transform, user_of
from transformer.layout import CuratedFile, encode, plan_files
from transformer.recognise import UnreadableObject
from transformer.settings import MAX_RAW_BYTES

SERVICE = "transformer"


def raw_object(message: RawObjectWritten, body: bytes) -> RawObject:
    """The core's input for ``message``: lineage and playlist context from the message, the
    user from its raw key."""
    playlist_id = message.entity_id if message.source is Source.PLAYLIST_ITEMS else None
    return RawObject(
        key=message.key,
        body=body,
        extracted_at=message.extracted_at,
        playlist_id=playlist_id,
        snapshot_id=message.snapshot_id,
        user_id=user_of(message.key),
    )


def decide(message: RawObjectWritten, body: bytes) -> list[CuratedFile]:
    """The files to write for ``message``, encoded; a bad object is a ``PermanentError``."""
    uri = f"s3://{message.bucket}/{message.key}"
    raw = raw_object(message, body)
    try:
        transformed = transform([raw])
    except UnreadableObject as error:
        raise PermanentError(
            f"{uri}: {error.problem}; fix the object or drop the message"
        ) from error
    found = transformed.sources[message.key]
    if found is not message.source:
        raise PermanentError(
            f"{uri}: message says source {message.source}, but the object holds {found}"
        )
    return [encode(f) for f in plan_files(transformed, {message.key: message.extracted_at})]


def table_file_message(file: CuratedFile, bucket: str, written_at: datetime) -> TableFileWritten:
    """The ``TableFileWritten`` announcing ``file`` to the cataloger (replay builds the same)."""
    return messages.table_file_message(bucket, file.key, file.rows, file.source_key, written_at)


def _lineage(file: CuratedFile) -> dict[str, str]:
    """The raw key as object metadata (what a catalog replay reads); S3 metadata is ASCII."""
    return {messages.SOURCE_KEY_METADATA: file.source_key} if file.source_key.isascii() else {}


class TransformHandler:
    """Handles ``RawObjectWritten`` messages (see the module docstring)."""

    def __init__(
        self,
        raw: Callable[[str], S3Store],
        curated: S3Store,
        catalog: SqsQueue,
        write_concurrency: int = 8,
        max_raw_bytes: int = MAX_RAW_BYTES,
        clock: Callable[[], datetime] = lambda: datetime.now(tz=UTC),
    ) -> None:
        self.raw = raw
        self.curated = curated
        self.catalog = catalog
        self.write_concurrency = write_concurrency
        self.max_raw_bytes = max_raw_bytes
        self.clock = clock

    async def __call__(
        self, message: RawObjectWritten, received: ReceivedMessage
    ) -> Mapping[str, object]:
        try:
            body = await self.raw(message.bucket).get(message.key, self.max_raw_bytes)
        except ObjectTooLarge as error:
            raise PermanentError(
                f"{error.reason} (TRANSFORMER_MAX_RAW_BYTES): not read; raise the limit "
                "and redrive, or drop the message"
            ) from error
        files = await asyncio.to_thread(decide, message, body)
        await self._write(files)
        written_at = self.clock()
        await self.catalog.send(
            [
                OutgoingMessage.of(table_file_message(f, self.curated.bucket, written_at))
                for f in files
            ]
        )
        rows = {f.table: f.rows for f in files}
        line = current_line()
        line.metric("RowsWritten", sum(rows.values()))
        line.metric("FilesWritten", len(files))
        return {
            "source": str(message.source),
            "source_key": message.key,
            "files": len(files),
            "rows": rows,
        }

    async def _write(self, files: list[CuratedFile]) -> None:
        limit = asyncio.Semaphore(self.write_concurrency)

        async def put(file: CuratedFile) -> None:
            async with limit:
                await self.curated.put(
                    file.key,
                    file.data,
                    content_type="application/vnd.apache.parquet",
                    metadata=_lineage(file),
                )

        # Every upload settles before the handler returns; the first failure is raised.
        results = await asyncio.gather(*(put(f) for f in files), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
