"""One clear line per failure, naming the playlist and what to do."""

from __future__ import annotations

from extractor import explain
from extractor.sources.refs import BadRef
from extractor.spotify.errors import CredentialsRejected, SpotifyHttpError
from spotify_etl_common.errors import TransientError

OWN = "3cEYpjA9oz9GiPac4AsH4n"
EDITORIAL = "37i9dQZF1DXcBWIGoYBM5M"


def http(status: int, message: str = "x") -> SpotifyHttpError:
    return SpotifyHttpError(status, "https://api.spotify.com/v1/playlists/x/items", message)


def test_a_403_playlist_explains_the_2026_development_mode_rule() -> None:
    line = explain.playlist_failure(OWN, http(403, "Forbidden"))
    assert OWN in line
    assert "February 2026" in line
    assert "owns or collaborates" in line


def test_an_editorial_404_explains_the_november_2024_rule() -> None:
    line = explain.playlist_failure(EDITORIAL, http(404, "Resource not found"))
    assert EDITORIAL in line
    assert "November 2024" in line
    assert "editorial" in line


def test_a_plain_404_says_not_found() -> None:
    line = explain.playlist_failure(OWN, http(404))
    assert "not found" in line
    assert "November 2024" not in line


def test_a_missing_scope_names_the_scope_and_says_to_run_auth() -> None:
    line = explain.playlist_failure(OWN, http(403, "Insufficient client scope"))
    assert "playlist-read-private" in line
    assert "extractor auth" in line
    recent = explain.recent_failure(http(403, "Insufficient client scope"))
    assert "user-read-recently-played" in recent


def test_credential_errors_keep_their_own_instructions() -> None:
    error = CredentialsRejected("Spotify rejected SPOTIFY_CLIENT_ID/SPOTIFY_CLIENT_SECRET")
    assert "SPOTIFY_CLIENT_SECRET" in explain.playlist_failure(OWN, error)


def test_transient_failures_say_the_next_run_retries_and_carry_the_delay() -> None:
    line = explain.playlist_failure(OWN, TransientError("rate limited", retry_after=3600))
    assert "retry after 3600 s" in line
    assert "next run" in line


def test_a_bad_reference_quotes_the_entry() -> None:
    line = explain.bad_ref(BadRef("nope", "a playlist id is 22 letters and digits (base62)"))
    assert "'nope'" in line
    assert "EXTRACTOR_PLAYLISTS" in line
    assert len(line.splitlines()) == 1
