"""Settings of the operator CLI: the common variables, or the recorded local stack.

After ``spotify-etl local up`` (or ``make run``) no variable needs to be set:
when ``AWS_ENDPOINT_URL`` is unset and a local stack is recorded and running,
its environment is used.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import Field
from spotify_etl_common.database import DEFAULT_DATABASE
from spotify_etl_common.settings import CommonSettings, load_settings

from spotify_etl.local.state import LocalStack, find_local_stack


class OpsSettings(CommonSettings):
    """Variables the operator CLI reads."""

    cataloger_database: str = Field(
        default=DEFAULT_DATABASE, alias="CATALOGER_DATABASE", min_length=1
    )
    """Glue database of the curated tables."""


def effective_environment(environ: Mapping[str, str], stack: LocalStack | None) -> dict[str, str]:
    """``environ``, with the local stack's variables on top when no endpoint is set."""
    if stack is None or environ.get("AWS_ENDPOINT_URL"):
        return dict(environ)
    return {**environ, **stack.env()}


def load_ops_settings() -> OpsSettings:
    """Settings from the environment (or the local stack); exit 2 with one line if invalid.

    The chosen variables are written back to ``os.environ`` so that the AWS SDK
    finds the same credentials and region (the composition root's one side effect).
    """
    chosen = effective_environment(os.environ, find_local_stack())
    os.environ.update(chosen)
    return load_settings(OpsSettings)
