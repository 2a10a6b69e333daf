"""AWS client factory on aiobotocore: the one place clients are built.

Clients follow ``AWS_ENDPOINT_URL`` (and ``AWS_ENDPOINT_URL_S3`` / ``_SQS`` /
``_GLUE`` / ``_ATHENA``) through the settings, so the same code runs on AWS, moto or
LocalStack by configuration alone. Built in a service's ``main``, passed down.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session

from spotify_etl_common.settings import CommonSettings

if TYPE_CHECKING:
    from types_aiobotocore_athena import AthenaClient
    from types_aiobotocore_glue import GlueClient
    from types_aiobotocore_s3 import S3Client
    from types_aiobotocore_sqs import SQSClient

# Adaptive retries absorb throttling bursts inside the SDK before our own
# TransientError handling sees them; the pool bounds parallel connections.
_CONFIG = AioConfig(
    retries={"max_attempts": 5, "mode": "adaptive"},
    max_pool_connections=50,
    connect_timeout=5,
    read_timeout=30,
)


def _client(service: str, settings: CommonSettings) -> AbstractAsyncContextManager[Any]:
    session = get_session()
    return session.create_client(  # type: ignore[call-overload,no-any-return]
        service,
        region_name=settings.aws_region,
        endpoint_url=settings.endpoint_for(service),
        config=_CONFIG,
    )


def s3_client(settings: CommonSettings) -> AbstractAsyncContextManager[S3Client]:
    """An async S3 client; use as ``async with s3_client(settings) as s3``."""
    return _client("s3", settings)


def sqs_client(settings: CommonSettings) -> AbstractAsyncContextManager[SQSClient]:
    """An async SQS client."""
    return _client("sqs", settings)


def glue_client(settings: CommonSettings) -> AbstractAsyncContextManager[GlueClient]:
    """An async Glue client."""
    return _client("glue", settings)


def athena_client(settings: CommonSettings) -> AbstractAsyncContextManager[AthenaClient]:
    """An async Athena client."""
    return _client("athena", settings)


def secretsmanager_client(
    region: str, endpoint_url: str | None
) -> AbstractAsyncContextManager[Any]:
    """An async Secrets Manager client (the extractor's refresh-token secret)."""
    session = get_session()
    return session.create_client(
        "secretsmanager", region_name=region, endpoint_url=endpoint_url, config=_CONFIG
    )
