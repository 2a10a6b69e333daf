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

from spotify_etl_common.errors import PermanentError, SpotifyEtlError, TransientError


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
