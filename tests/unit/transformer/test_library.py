"""Library pages and objects as the fake serves them (spec-checked) become the library tables."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from fake_spotify.api import FakeWebApi
from fake_spotify.catalog import CatalogSpec, build_catalog
from fake_spotify.tokens import USER_SCOPES
from spotify_etl_common.errors import PermanentError
from spotify_etl_common.messages import RawObjectWritten
from spotify_etl_common.sources import Source
from transformer.core import RawObject, transform
from transformer.handler import decide
from transformer.recognise import UnreadableObject, recognise

BASE = "https://api.spotify.com/v1"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
CATALOG = build_catalog(CatalogSpec(playlists=2, items=30, plays=5, saved_tracks=70))
FAKE = FakeWebApi(CATALOG)
TOKEN = FAKE.tokens.issue(True, USER_SCOPES)


def body(path: str, **query: str) -> bytes:
    """The fake's answer to ``GET path?query`` (no HTTP: the fake's answers are spec-checked)."""
    reply = FAKE.handle_api(path, dict(query), f"Bearer {TOKEN}", BASE)
    assert reply.status == 200, reply.body
    return json.dumps(reply.body).encode()


def tables(*bodies: bytes) -> dict[str, list[dict[str, object]]]:
    objects = [RawObject(f"raw/{n}.json", b, NOW) for n, b in enumerate(bodies)]
    return {name: frame.to_dicts() for name, frame in transform(objects).tables.items()}


def test_saved_track_pages_give_one_row_per_item_with_its_position_in_the_listing() -> None:
    got = tables(body("/me/tracks", limit="50"), body("/me/tracks", limit="50", offset="50"))
    saved = got["saved_tracks"]
    library = CATALOG.library.tracks
    assert [r["track_id"] for r in saved] == [s.id for s in library]
    assert [r["position"] for r in saved] == list(range(70))
    assert {r["total"] for r in saved} == {70}
    assert [r["added_at"] for r in saved] == [s.added_at for s in library]
    assert {r["track_id"] for r in got["tracks"]} == {s.id for s in library}


def test_top_pages_take_time_range_from_the_href_and_rank_from_the_offset() -> None:
    got = tables(
        body("/me/top/tracks", time_range="short_term", limit="5", offset="5"),
        body("/me/top/artists", limit="3"),
    )
    ranks = [(r["item_type"], r["time_range"], r["rank"], r["item_id"]) for r in got["top_items"]]
    tracks = CATALOG.library.top[("tracks", "short_term")][5:10]
    artists = CATALOG.library.top[("artists", "medium_term")][:3]
    assert ranks == [("track", "short_term", 6 + n, t) for n, t in enumerate(tracks)] + [
        ("artist", "medium_term", 1 + n, a) for n, a in enumerate(artists)
    ]


def test_followed_artists_and_my_playlists_pages() -> None:
    got = tables(body("/me/following", type="artist", limit="50"), body("/me/playlists"))
    assert [r["artist_id"] for r in got["followed_artists"]] == CATALOG.library.followed_artists
    assert {r["playlist_id"] for r in got["playlists"]} == set(CATALOG.playlists)


def test_my_playlists_are_recognised_though_their_href_reads_users() -> None:
    page = {"href": f"{BASE}/users/someone/playlists?offset=0&limit=20", "items": []}
    assert recognise("k", json.dumps(page).encode()).source is Source.MY_PLAYLISTS


def test_saved_albums_shows_and_episodes_give_their_dimension_rows() -> None:
    got = tables(body("/me/albums"), body("/me/shows"), body("/me/episodes"))
    assert [r["album_id"] for r in got["saved_albums"]] == [s.id for s in CATALOG.library.albums]
    assert [r["show_id"] for r in got["saved_shows"]] == [s.id for s in CATALOG.library.shows]
    saved_episodes = [s.id for s in CATALOG.library.episodes]
    assert [r["episode_id"] for r in got["saved_episodes"]] == saved_episodes
    shows = {r["episode_id"]: r["show_id"] for r in got["episodes"]}
    assert shows == {e: CATALOG.episodes[e].show_id for e in saved_episodes}
    album_tracks = {t for s in CATALOG.library.albums for t in CATALOG.albums[s.id].track_ids}
    assert {r["track_id"] for r in got["tracks"]} == album_tracks
    assert {r["album_id"] for r in got["tracks"]} == {s.id for s in CATALOG.library.albums}


def test_a_show_object_gives_the_show_and_its_episodes() -> None:
    show = next(iter(CATALOG.shows.values()))
    got = tables(body(f"/shows/{show.id}"))
    assert [r["show_id"] for r in got["shows"]] == [show.id]
    assert [(r["episode_id"], r["show_id"]) for r in got["episodes"]] == [
        (e, show.id) for e in show.episode_ids
    ]
    assert all(r["release_date_precision"] == "day" for r in got["episodes"])


@pytest.mark.parametrize("kind", ["albums", "artists", "tracks", "episodes"])
def test_several_ids_answers_give_a_row_per_known_id_and_skip_nulls(kind: str) -> None:
    known = {
        "albums": list(CATALOG.albums)[:2],
        "artists": list(CATALOG.artists)[:2],
        "tracks": list(CATALOG.tracks)[:2],
        "episodes": list(CATALOG.episodes)[:2],
    }[kind]
    answers = [json.loads(body(f"/{kind}/{i}")) for i in known]
    got = tables(json.dumps({kind: [answers[0], None, answers[1]]}).encode())
    id_column = f"{kind[:-1]}_id"
    assert [r[id_column] for r in got[kind]] == known
    assert {r["source_key"] for r in got[kind]} == {"raw/0.json"}


def test_a_spotify_error_body_is_rejected_as_such_not_as_an_unknown_shape() -> None:
    error = json.dumps({"error": {"status": 403, "message": "Insufficient client scope"}})
    with pytest.raises(UnreadableObject) as caught:
        recognise("k", error.encode())
    assert caught.value.problem == (
        "a Spotify error response (status 403, message 'Insufficient client scope')"
    )
    message = RawObjectWritten(
        bucket="b",
        key="raw/source=saved_tracks/x.json",
        source=Source.SAVED_TRACKS,
        run_id="r",
        extracted_at=NOW,
    )
    with pytest.raises(PermanentError, match="a Spotify error response"):
        decide(message, error.encode())
