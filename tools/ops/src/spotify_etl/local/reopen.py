"""Reopen the lake on a freshly started stack: the catalog registered again, lost work announced.

The I/O shell around :mod:`spotify_etl.local.catalog` and
:mod:`spotify_etl.local.recovery`: list the lake once, register each Iceberg
table from its newest metadata, read which files the tables reference, and send
the messages of what is pending (built as replay builds them).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from spotify_etl_common.aws import s3_client, sqs_client
from spotify_etl_common.keys import CURATED_PREFIX, RAW_PREFIX
from spotify_etl_common.s3 import ObjectInfo, S3Store
from spotify_etl_common.settings import CommonSettings
from spotify_etl_common.sqs import SqsQueue

from spotify_etl.local.catalog import local_catalog_properties, metadata_keys, newest_metadata
from spotify_etl.local.recovery import pending_work, recovery_run_id
from spotify_etl.replay.run import enqueue
from spotify_etl.replay.stage import Stage
from spotify_etl.terminal import progress as start_progress


@dataclass(frozen=True)
class Reopened:
    """What reopening did."""

    tables: tuple[str, ...]
    """Tables registered in the Glue catalog again."""
    raw: int
    """Raw objects announced again (transform queue)."""
    files: int
    """Curated files announced again (catalog queue)."""


def reopen(env: Mapping[str, str], database: str) -> Reopened:
    """Register the tables of the lake in ``database`` and announce the pending work.

    ``env`` is the stack's environment; the process environment must hold its
    credentials too (the SDK's clients read them there).
    """
    return asyncio.run(_reopen(CommonSettings.model_validate(env), env, database))


async def _reopen(settings: CommonSettings, env: Mapping[str, str], database: str) -> Reopened:
    async with s3_client(settings) as s3, sqs_client(settings) as sqs:
        store = S3Store(s3, settings.bucket)
        raw = [o async for o in store.list(RAW_PREFIX)]
        curated = [o async for o in store.list(CURATED_PREFIX)]
        metadata = metadata_keys(o.key for o in curated)
        properties = _catalog_properties(settings, env)
        files = [o.key for o in curated]
        registered, committed = await asyncio.to_thread(
            _register, properties, settings.bucket, database, metadata, files
        )
        pending = pending_work((o.key for o in raw), (o.key for o in curated), committed)
        run_id = recovery_run_id(datetime.now(tz=UTC))
        for stage, queue_name, keys, listed in (
            (Stage.TRANSFORM, settings.transform_queue, pending.raw, raw),
            (Stage.CATALOG, settings.catalog_queue, pending.files, curated),
        ):
            if keys:
                queue = await SqsQueue.resolve(sqs, queue_name)
                objects = _selected(listed, keys)
                progress = start_progress(f"announcing again to {queue.name}", len(objects))
                await enqueue(store, queue, stage, objects, run_id, progress)
    return Reopened(registered, len(pending.raw), len(pending.files))


def _selected(listed: list[ObjectInfo], keys: tuple[str, ...]) -> list[ObjectInfo]:
    wanted = set(keys)
    return [o for o in listed if o.key in wanted]


def _in_table(key: str, table: str) -> bool:
    return key.startswith(f"{CURATED_PREFIX}{table}/")


def _catalog_properties(settings: CommonSettings, env: Mapping[str, str]) -> dict[str, str]:
    return local_catalog_properties(
        settings.endpoint_for("glue") or "",
        settings.endpoint_for("s3") or "",
        settings.aws_region,
        env["AWS_ACCESS_KEY_ID"],
        env["AWS_SECRET_ACCESS_KEY"],
    )


def _register(
    properties: dict[str, str],
    bucket: str,
    database: str,
    metadata: dict[str, list[str]],
    files: list[str],
) -> tuple[tuple[str, ...], set[str]]:
    """Register the tables (pyiceberg and boto3, blocking): their names, and the keys their
    snapshots reference."""
    if not metadata:
        return (), set()
    import boto3
    from spotify_etl_lake.registration import committed_keys, glue_catalog, register_tables

    s3 = boto3.client(
        "s3",
        endpoint_url=properties["s3.endpoint"],
        region_name=properties["s3.region"],
        aws_access_key_id=properties["s3.access-key-id"],
        aws_secret_access_key=properties["s3.secret-access-key"],
    )

    def read(key: str) -> bytes | None:
        try:
            return bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        except s3.exceptions.NoSuchKey:
            return None

    newest = {}
    for name, keys in metadata.items():
        chosen = newest_metadata(keys, read)
        if chosen is not None:
            newest[name] = chosen
    catalog = glue_catalog(properties, "spotify-etl-local")
    tables = register_tables(catalog, database, bucket, newest)
    committed: set[str] = set()
    for name, table in tables.items():
        committed |= committed_keys(table, bucket, [f for f in files if _in_table(f, name)])
    return tuple(sorted(tables)), committed
