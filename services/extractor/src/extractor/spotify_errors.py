"""Errors of the Spotify adapter, inside the shared tree (transient or permanent).

::

    PermanentError
    ├── SpotifyHttpError        a 4xx other than 429 (status, url, Spotify's message)
    └── CredentialsRejected     the accounts service refused the client or refresh token
    TransientError
    └── SpotifyUnavailable      5xx, timeouts, connection errors after every attempt,
                                or a Retry-After longer than the configured bound
"""

from __future__ import annotations

from spotify_etl_common.errors import PermanentError, TransientError


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
