"""AWS client factory on aiobotocore: the one place clients are built.

Clients follow ``AWS_ENDPOINT_URL`` (and ``AWS_ENDPOINT_URL_S3`` / ``_SQS`` /
``_GLUE`` / ``_ATHENA``) through the settings, so the same code runs on AWS, moto or
LocalStack by configuration alone. Built in a service's ``main``, passed down.

Retries are botocore's own: ``AWS_MAX_ATTEMPTS`` and ``AWS_RETRY_MODE`` (or
``max_attempts`` / ``retry_mode`` in the AWS config file) are honoured; when
unset, 5 retries in ``adaptive`` mode (:func:`sdk_retries`).
"""

from __future__ import annotations

import os
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any, Protocol

from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession, get_session

if TYPE_CHECKING:
    from types_aiobotocore_athena import AthenaClient
    from types_aiobotocore_glue import GlueClient
    from types_aiobotocore_s3 import S3Client
    from types_aiobotocore_sqs import SQSClient

DEFAULT_RETRIES = 5
"""Retries after the first attempt when ``AWS_MAX_ATTEMPTS`` is unset (6 attempts in all)."""
DEFAULT_RETRY_MODE = "adaptive"
"""Retry mode when ``AWS_RETRY_MODE`` is unset: adaptive absorbs throttling bursts inside the
SDK before our own TransientError handling sees them."""
_SINGLE_ATTEMPT = {"total_max_attempts": 1, "mode": "standard"}


def _configured(session: AioSession, name: str, variable: str) -> str | None:
    """What the environment or the profile's config file sets (botocore's own defaults aside)."""
    value = os.environ.get(variable) or session.get_scoped_config().get(name)
    return str(value) if value else None


def sdk_retries(max_attempts: str | None, retry_mode: str | None) -> dict[str, Any]:
    """The ``retries`` client config: only the defaults the environment does not set.

    ``max_attempts`` and ``retry_mode`` are what botocore resolved from
    ``AWS_MAX_ATTEMPTS``/``AWS_RETRY_MODE`` or the config file (None: unset). A key
    left out here is filled by botocore from that same place, so its own rules apply.
    """
    retries: dict[str, Any] = {}
    if max_attempts is None:
        retries["max_attempts"] = DEFAULT_RETRIES
    if retry_mode is None:
        retries["mode"] = DEFAULT_RETRY_MODE
    return retries


def client_config(session: AioSession, *, single_attempt: bool = False) -> AioConfig:
    """Timeouts, the connection pool and the retries of every client of ``session``."""
    retries = (
        _SINGLE_ATTEMPT
        if single_attempt
        else sdk_retries(
            _configured(session, "max_attempts", "AWS_MAX_ATTEMPTS"),
            _configured(session, "retry_mode", "AWS_RETRY_MODE"),
        )
    )
    return AioConfig(retries=retries, max_pool_connections=50, connect_timeout=5, read_timeout=30)


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
        config=client_config(session, single_attempt=single_attempt),
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
