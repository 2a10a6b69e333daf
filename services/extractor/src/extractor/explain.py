"""One clear line per failure: what went wrong with which source, and what to do (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from spotify_etl_common.errors import SpotifyEtlError, TransientError
from spotify_etl_common.sources import Source

from extractor.sources.refs import EDITORIAL_PREFIX, BadRef
from extractor.spotify.errors import AuthorizationExpired, RunStopped, SpotifyHttpError

PLAYLIST_SCOPES = ("playlist-read-private", "playlist-read-collaborative")
RECENT_SCOPES = ("user-read-recently-played",)


def bad_ref(ref: BadRef) -> str:
    """A configured playlist entry that cannot be parsed."""
    return (
        f"playlist {ref.text!r} in EXTRACTOR_PLAYLISTS is not a playlist reference: {ref.reason}; "
        "fix the entry (ids, spotify:playlist: URIs and open.spotify.com URLs are accepted)"
    )


def playlist_failure(playlist_id: str, error: SpotifyEtlError) -> str:
    """Why one playlist could not be extracted."""
    name = f"playlist {playlist_id}"
    if isinstance(error, SpotifyHttpError):
        if error.status == 404 and playlist_id.startswith(EDITORIAL_PREFIX):
            return (
                f"{name} is a Spotify-owned editorial playlist: since November 2024 the Web "
                "API answers 404 for these to new apps; remove it from EXTRACTOR_PLAYLISTS "
                "or copy its tracks into a playlist you own"
            )
        if error.status == 404:
            return f"{name} was not found (404): check the id, or it was deleted"
        if error.status == 403 and "scope" in error.message.lower():
            return _scope_line(name, PLAYLIST_SCOPES)
        if error.status == 403:
            return (
                f"{name} is not yours (403): since February 2026 apps in development mode "
                "read only items of playlists the authorised user owns or collaborates on; "
                "ask its owner to add you as a collaborator, copy it into your own playlist, "
                "or remove it from EXTRACTOR_PLAYLISTS"
            )
        if error.status == 401:
            return (
                f"{name} needs a user token (401): set SPOTIFY_REFRESH_TOKEN_SECRET "
                "(run `extractor auth --store` once) or use "
                "EXTRACTOR_PLAYLIST_ITEMS_ENDPOINT=tracks if the app has extended quota"
            )
        if error.status == 400:
            return f"{name} was refused as malformed (400: {error.message}): check the id"
    return f"{name} failed: {_generic(error)}"


def recent_failure(error: SpotifyEtlError) -> str:
    """Why recently played could not be extracted."""
    if isinstance(error, SpotifyHttpError) and error.status in (401, 403):
        return _scope_line("recently played", RECENT_SCOPES)
    return f"recently played failed: {_generic(error)}"


def entity_failure(kind: str, entity_id: str, error: SpotifyEtlError) -> str:
    """Why one album or artist could not be fetched."""
    return f"{kind} {entity_id} failed: {_generic(error)}"


def entities_missing(
    missing: Sequence[tuple[tuple[Source, str], SpotifyHttpError]],
    newly_gone: Sequence[tuple[Source, str]],
    after: int,
) -> str:
    """The warning about referenced entities that answered 404 in this run."""
    (source, entity_id), first = missing[0]
    more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
    gone = (
        f"; {len(newly_gone)} of them answered 404 for {after} runs and are now recorded as gone "
        "(not fetched again: `extractor gone` lists them, `extractor gone --clear` retries them)"
        if newly_gone
        else ""
    )
    return (
        f"{str(source).rstrip('s')} {entity_id}{more} answered {first.status} ({first.message}): "
        f"tried again by the next runs, recorded as gone after {after}{gone}"
    )


def _scope_line(name: str, scopes: tuple[str, ...]) -> str:
    return (
        f"{name} needs a user token with scope {' '.join(scopes)} (the token lacks it): "
        "run `extractor auth --store` with this source configured"
    )


def _generic(error: SpotifyEtlError) -> str:
    if isinstance(error, AuthorizationExpired):
        return (
            "needs the user's authorisation, which Spotify refused (invalid_grant): "
            "run `extractor auth --store`"
        )
    if isinstance(error, RunStopped) and error.cause is None:
        return f"{error.reason}; the next run goes on from here"
    if isinstance(error, TransientError):
        later = f" (retry after {error.retry_after:.0f} s)" if error.retry_after else ""
        return f"{error.reason}{later}; the next run will try again"
    return error.reason
