"""Settings of the extractor: Spotify credentials, sources and request pacing."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from spotify_etl_common.settings import CommonSettings

from extractor.household.roster import DEFAULT_SECRET_PREFIX, parse_users
from extractor.sources.library import parse_library
from extractor.spotify.hosts import check_base_url, parse_hosts


class SpotifyAppSettings(BaseSettings):
    """Spotify app, user and sources: all `extractor auth` needs (no AWS variables)."""

    model_config = SettingsConfigDict(
        extra="ignore",
        frozen=True,
        use_attribute_docstrings=True,
        populate_by_name=True,
        case_sensitive=True,
    )

    spotify_client_id: str = Field(alias="SPOTIFY_CLIENT_ID", min_length=1)
    """Client id of the Spotify app (developer dashboard)."""
    spotify_client_secret: SecretStr = Field(alias="SPOTIFY_CLIENT_SECRET", min_length=1)
    """Client secret of the Spotify app."""
    spotify_refresh_token_secret: str | None = Field(
        default=None, alias="SPOTIFY_REFRESH_TOKEN_SECRET"
    )
    """Secrets Manager secret (name or ARN) with {"refresh_token", "authorized_at"}: the user."""
    spotify_refresh_token: SecretStr | None = Field(default=None, alias="SPOTIFY_REFRESH_TOKEN")
    """User refresh token from `extractor auth` (simple setups: a rotated one cannot be kept)."""
    plain_http_hosts: str = Field(default="", alias="SPOTIFY_PLAIN_HTTP_HOSTS")
    """Hosts (comma list) besides loopback where the Spotify URLs may be plain http (compose)."""
    spotify_api_url: str = Field(default="https://api.spotify.com/v1", alias="SPOTIFY_API_URL")
    """Base URL of the Web API, https (plain http only on loopback: a fake's <url>/v1)."""
    spotify_accounts_url: str = Field(
        default="https://accounts.spotify.com", alias="SPOTIFY_ACCOUNTS_URL"
    )
    """Base URL of the accounts service (token, authorize), https (http only on loopback)."""
    playlists: str = Field(default="", alias="EXTRACTOR_PLAYLISTS")
    """Comma-separated playlist ids, spotify:playlist: URIs or open.spotify.com URLs."""
    recently_played: bool = Field(default=False, alias="EXTRACTOR_RECENTLY_PLAYED")
    """Whether to extract the user's recently played tracks incrementally."""
    library: str = Field(default="", alias="EXTRACTOR_LIBRARY")
    """Comma list of saved_tracks, saved_albums, top_items, followed_artists, saved_shows,
    saved_episodes, or `all`: the user's library sources."""

    @field_validator("spotify_api_url", "spotify_accounts_url")
    @classmethod
    def _https(cls, value: str, info: ValidationInfo) -> str:
        # the token goes there: https, or a fake on loopback or a named host
        return check_base_url(value, parse_hosts(info.data.get("plain_http_hosts", "")))

    @field_validator("library")
    @classmethod
    def _known_library_sources(cls, value: str) -> str:
        parse_library(value)  # raises naming the unknown entries
        return value

    users: str = Field(default="", alias="EXTRACTOR_USERS")
    """Comma list of household names, each with a grant in <SPOTIFY_USER_SECRET_PREFIX><name>
    (`extractor auth --store --user NAME`); unset: the one user of SPOTIFY_REFRESH_TOKEN_SECRET."""
    user_secret_prefix: str = Field(
        default=DEFAULT_SECRET_PREFIX, min_length=1, alias="SPOTIFY_USER_SECRET_PREFIX"
    )
    """Prefix of the household's secrets in Secrets Manager (one secret per name)."""

    @field_validator("users")
    @classmethod
    def _user_names(cls, value: str) -> str:
        parse_users(value)  # raises naming the bad entries
        return value

    auth_port: int = Field(default=8888, ge=1, le=65535, alias="EXTRACTOR_AUTH_PORT")
    """Loopback port of `extractor auth` (redirect URI http://127.0.0.1:<port>/callback)."""


class SecretStoreSettings(SpotifyAppSettings):
    """What `extractor auth --store` needs to reach Secrets Manager."""

    aws_region: str = Field(default="us-east-1", alias="AWS_REGION")
    """AWS region of the secret."""
    aws_endpoint_url: str | None = Field(default=None, alias="AWS_ENDPOINT_URL")
    """AWS endpoint (the local moto server); unset means real AWS."""
    aws_endpoint_url_secretsmanager: str | None = Field(
        default=None, alias="AWS_ENDPOINT_URL_SECRETSMANAGER"
    )
    """Secrets Manager endpoint when it differs from AWS_ENDPOINT_URL."""

    def endpoint_for(self, service: str) -> str | None:
        """Where ``service`` is reached (AWS_ENDPOINT_URL_SECRETSMANAGER, else the shared one)."""
        if service == "secretsmanager" and self.aws_endpoint_url_secretsmanager:
            return self.aws_endpoint_url_secretsmanager
        return self.aws_endpoint_url


class ExtractorSettings(CommonSettings, SecretStoreSettings):
    """Variables the extractor reads (common ones, Spotify ones, pacing)."""

    playlist_items_endpoint: Literal["items", "tracks"] = Field(
        default="items", alias="EXTRACTOR_PLAYLIST_ITEMS_ENDPOINT"
    )
    """`items` (2026 API, user token, 50 per page) or legacy `tracks` (extended quota, 100)."""
    rate_limit: int = Field(default=120, ge=1, alias="EXTRACTOR_RATE_LIMIT")
    """Most requests the extractor sends per rolling window (stay under Spotify's limit)."""
    rate_window: float = Field(default=30.0, gt=0, alias="EXTRACTOR_RATE_WINDOW")
    """Length of the rolling rate-limit window in seconds."""
    concurrency: int = Field(default=4, ge=1, le=64, alias="EXTRACTOR_CONCURRENCY")
    """Most Spotify requests in flight at once."""
    max_retry_after: float = Field(default=120.0, ge=0, alias="EXTRACTOR_MAX_RETRY_AFTER")
    """Longest Retry-After (seconds) waited out; longer ends the work as a transient error."""
    max_attempts: int = Field(default=5, ge=1, alias="EXTRACTOR_MAX_ATTEMPTS")
    """Attempts per request on 5xx, timeouts and connection errors."""
    max_entities: int = Field(default=200, ge=0, alias="EXTRACTOR_MAX_ENTITIES")
    """Most albums plus artists fetched per run (the rest waits for the next run)."""
    library_full_every: float = Field(default=7.0, gt=0, alias="EXTRACTOR_LIBRARY_FULL_EVERY")
    """Days between full listings of saved items (incremental runs between cannot see removals)."""
    gone_after: int = Field(default=3, ge=1, alias="EXTRACTOR_GONE_AFTER")
    """Runs an album, artist, episode or show may answer 404 before it is recorded as gone."""
    max_shows: int = Field(default=50, ge=0, alias="EXTRACTOR_MAX_SHOWS")
    """Most shows fetched per run (the rest waits for the next run)."""
    recently_played_max_pages: int = Field(default=20, ge=1, alias="EXTRACTOR_RECENT_MAX_PAGES")
    """Most recently-played pages fetched per run."""
    request_timeout: float = Field(default=15.0, gt=0, alias="EXTRACTOR_REQUEST_TIMEOUT")
    """Seconds before one Spotify request times out."""
    run_deadline: float = Field(default=3000.0, gt=0, alias="EXTRACTOR_RUN_DEADLINE")
    """Seconds after the run starts after which no new Spotify request starts."""

    def endpoint_for(self, service: str) -> str | None:
        """The shared rule, plus AWS_ENDPOINT_URL_SECRETSMANAGER for the secret."""
        if service == "secretsmanager" and self.aws_endpoint_url_secretsmanager:
            return self.aws_endpoint_url_secretsmanager
        return super().endpoint_for(service)
