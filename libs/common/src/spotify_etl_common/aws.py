"""AWS client factory on aiobotocore: the one place clients are built.

Clients follow ``AWS_ENDPOINT_URL`` (and ``AWS_ENDPOINT_URL_S3`` / ``_SQS`` /
``_GLUE`` / ``_ATHENA``) through the settings, so the same code runs on AWS, moto or
LocalStack by configuration alone. Built in a service's ``main``, passed down.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any, Protocol

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session

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


_SINGLE_ATTEMPT = _CONFIG.merge(AioConfig(retries={"total_max_attempts": 1, "mode": "standard"}))


class Endpoints(Protocol):
    """Where clients connect: a region, and an endpoint per service (None: real AWS).

    :class:`~spotify_etl_common.settings.CommonSettings` is one; so is anything
    else with these two members (the CLI's Athena target).
    """

    @property
    def aws_region(self) -> str: ...

    def endpoint_for(self, service: str) -> str | None: ...


def _client(
    service: str, settings: Endpoints, *, single_attempt: bool = False
) -> AbstractAsyncContextManager[Any]:
    session = get_session()
    return session.create_client(  # type: ignore[call-overload,no-any-return]
        service,
        region_name=settings.aws_region,
        endpoint_url=settings.endpoint_for(service),
        config=_SINGLE_ATTEMPT if single_attempt else _CONFIG,
    )


def s3_client(settings: Endpoints) -> AbstractAsyncContextManager[S3Client]:
    """An async S3 client; use as ``async with s3_client(settings) as s3``."""
    return _client("s3", settings)


def sqs_client(
    settings: Endpoints, *, single_attempt: bool = False
) -> AbstractAsyncContextManager[SQSClient]:
    """An async SQS client; ``single_attempt`` for a probe that must answer at once."""
    return _client("sqs", settings, single_attempt=single_attempt)


def glue_client(settings: Endpoints) -> AbstractAsyncContextManager[GlueClient]:
    """An async Glue client."""
    return _client("glue", settings)


def athena_client(settings: Endpoints) -> AbstractAsyncContextManager[AthenaClient]:
    """An async Athena client."""
    return _client("athena", settings)


def secretsmanager_client(settings: Endpoints) -> AbstractAsyncContextManager[Any]:
    """An async Secrets Manager client (the extractor's refresh-token secret)."""
    return _client("secretsmanager", settings)
