"""Errors of the Spotify adapter, inside the shared tree (transient or permanent).

::

    PermanentError
    ├── SpotifyHttpError        a 4xx other than 429 (status, url, Spotify's message)
    └── CredentialsRejected     the accounts service refused the client or refresh token
        └── AuthorizationExpired   invalid_grant: the user must authorise again
    TransientError
    ├── SpotifyUnavailable      5xx, timeouts, connection errors after every attempt,
    │   │                       or a Retry-After longer than the configured bound
    │   └── QuotaExceeded       429 QUOTA_EXCEEDED: the app's daily quota is used up
    └── RunStopped              this request was not sent: the run stopped (see ``cause``)
"""

from __future__ import annotations

import re

from pydantic import ValidationError
from spotify_etl_common.errors import PermanentError, SpotifyEtlError, TransientError

_CODE = re.compile(r"[a-z_]{1,40}")


class SpotifyHttpError(PermanentError):
    """Spotify answered a 4xx that retrying will not change."""

    def __init__(self, status: int, url: str, message: str) -> None:
        super().__init__(f"GET {url} answered {status}: {message}")
        self.status = status
        self.url = url
        self.message = message


class CredentialsRejected(PermanentError):
    """The token endpoint refused the app credentials or the refresh token."""


class SpotifyUnavailable(TransientError):
    """Spotify could not be reached or asked us to come back later."""


class AuthorizationExpired(CredentialsRejected):
    """``invalid_grant`` on a refresh: the authorisation expired or was revoked."""


class QuotaExceeded(SpotifyUnavailable):
    """Spotify answered 429 with ``reason`` QUOTA_EXCEEDED: nothing more today."""


class RunStopped(TransientError):
    """A request of this run was not sent because the run stopped (``cause`` says why)."""

    def __init__(self, reason: str, cause: SpotifyEtlError | None) -> None:
        super().__init__(reason, cause.retry_after if isinstance(cause, TransientError) else None)
        self.cause = cause


def shape_problems(error: ValidationError) -> str:
    """What was wrong with an answer, by field names and types only, never a value.

    pydantic's own message quotes the input (a token endpoint's answer may hold a
    token): ``access_token: string_type (got dict); expires_in: missing``.
    """
    parts = []
    for problem in error.errors(include_url=False, include_context=False, include_input=True):
        where = ".".join(str(p) for p in problem["loc"]) or "body"
        got = "" if problem["type"] == "missing" else f" (got {type(problem['input']).__name__})"
        parts.append(f"{where}: {problem['type']}{got}")
    return "; ".join(parts)


def oauth_error_code(body: object) -> str:
    """The ``error`` of an OAuth answer if it is a code (``invalid_grant``), else ''.

    Anything else in it (a nested object, free text) is not repeated: it may hold a token.
    """
    code = body.get("error") if isinstance(body, dict) else None
    return code if isinstance(code, str) and _CODE.fullmatch(code) else ""
