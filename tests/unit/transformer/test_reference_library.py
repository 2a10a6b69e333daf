"""Every recorded library, podcast and catalogue answer becomes the right tables.

Expected counts are taken from the JSON here, by walking it with plain Python,
never through the transformer's code.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from spotify_etl_common.sources import Source
from transformer.core import RawObject, transform

from tests.reference import EXAMPLES

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _ids(objects: list[Any]) -> set[str]:
    return {o["id"] for o in objects if o and o.get("id")}


def _artists(tracks: list[Any]) -> set[str]:
    return {a["id"] for t in tracks for a in t.get("artists", []) if a.get("id")}


def expected(name: str, body: Any) -> tuple[Source, dict[str, int]]:
    """The source and row counts of one recording, from its JSON."""
    if name == "java-GetUsersSavedTracksRequest.json":
        tracks = [i["track"] for i in body["items"]]
        albums = [t["album"] for t in tracks]
        return Source.SAVED_TRACKS, {
            "saved_tracks": len(body["items"]),
            "tracks": len(_ids(tracks)),
            "albums": len(_ids(albums)),
            "artists": len(_artists(tracks) | _artists(albums)),
            "track_artists": sum(len(t["artists"]) for t in tracks),
        }
    if name == "java-GetCurrentUsersSavedAlbumsRequest.json":
        albums = [i["album"] for i in body["items"]]
        tracks = [t for a in albums for t in a["tracks"]["items"]]
        return Source.SAVED_ALBUMS, {
            "saved_albums": len(albums),
            "albums": len(_ids(albums)),
            "tracks": len(_ids(tracks)),
            "artists": len(_artists(albums) | _artists(tracks)),
            "track_artists": sum(len(t["artists"]) for t in tracks),
        }
    if name == "java-GetUsersTopArtistsRequest.json":
        return Source.TOP_ARTISTS, {
            "top_items": len(body["items"]),
            "artists": len(_ids(body["items"])),
        }
    if name == "java-GetUsersTopTracksRequest.json":
        tracks = body["items"]
        albums = [t["album"] for t in tracks]
        return Source.TOP_TRACKS, {
            "top_items": len(tracks),
            "tracks": len(_ids(tracks)),
            "albums": len(_ids(albums)),
            "artists": len(_artists(tracks) | _artists(albums)),
            "track_artists": sum(len(t["artists"]) for t in tracks),
        }
    if name.startswith("java-GetUsersFollowedArtistsRequest"):
        items = body["artists"]["items"]
        return Source.FOLLOWED_ARTISTS, {"followed_artists": len(items), "artists": len(items)}
    if name == "java-GetListOfCurrentUsersPlaylistsRequest.json":
        return Source.MY_PLAYLISTS, {"playlists": len(body["items"])}
    if name == "java-GetShowRequest.json":
        return Source.SHOWS, {"shows": 1, "episodes": len(body["episodes"]["items"])}
    if name == "java-GetShowsEpisodesRequest.json":
        return Source.SHOW_EPISODES, {"episodes": len(body["items"])}
    if name == "java-GetEpisodeRequest.json":
        return Source.EPISODES, {"episodes": 1, "shows": 1}
    if name == "java-GetAlbumsTracksRequest.json":
        tracks = body["items"]
        return Source.ALBUM_TRACKS, {
            "tracks": len(_ids(tracks)),
            "artists": len(_artists(tracks)),
            "track_artists": sum(len(t["artists"]) for t in tracks),
        }
    if name == "java-GetArtistsAlbumsRequest.json":
        return Source.ARTIST_ALBUMS, {
            "albums": len(_ids(body["items"])),
            "artists": len(_artists(body["items"])),
        }
    if name == "java-GetAlbumRequest.json":
        return Source.ALBUMS, {"albums": 1, "artists": len(_ids(body["artists"]))}
    if name == "java-GetArtistRequest.json":
        return Source.ARTISTS, {"artists": 1}
    if name == "java-GetTrackRequest.json":
        return Source.TRACKS, {
            "tracks": 1,
            "albums": 1,
            "artists": len(_artists([body, body["album"]])),
            "track_artists": len(body["artists"]),
        }
    raise AssertionError(f"{name}: no expectation written for this recording")


LIBRARY_EXAMPLES = [
    p
    for p in sorted(EXAMPLES.glob("java-*.json"))
    if "Playlist" not in p.name.replace("CurrentUsersPlaylists", "")
    and "RecentlyPlayed" not in p.name
]


def test_every_new_recording_has_an_expectation() -> None:
    assert len(LIBRARY_EXAMPLES) == 15  # the table of the examples README


@pytest.mark.parametrize("path", LIBRARY_EXAMPLES, ids=lambda p: p.name)
def test_each_recording_becomes_the_right_tables(path: Path) -> None:
    body = path.read_bytes()
    source, counts = expected(path.name, json.loads(body))
    result = transform([RawObject(path.name, body, NOW)])
    assert result.sources[path.name] is source
    heights = {table: frame.height for table, frame in result.tables.items()}
    assert heights == counts


def test_top_items_take_rank_from_the_offset_and_the_default_range() -> None:
    path = EXAMPLES / "java-GetUsersTopArtistsRequest.json"
    body = json.loads(path.read_bytes())
    top = transform([RawObject(path.name, path.read_bytes(), NOW)]).tables["top_items"]
    assert "time_range" not in body["href"]
    assert top["rank"].to_list() == [body["offset"] + n for n in range(1, len(body["items"]) + 1)]
    assert set(top["time_range"]) == {"medium_term"}
    assert top["item_id"].to_list() == [a["id"] for a in body["items"]]


def test_saved_tracks_keep_when_they_were_saved_and_their_position() -> None:
    path = EXAMPLES / "java-GetUsersSavedTracksRequest.json"
    body = json.loads(path.read_bytes())
    saved = transform([RawObject(path.name, path.read_bytes(), NOW)]).tables["saved_tracks"]
    first = body["items"][0]
    stamp = datetime.fromisoformat(first["added_at"].replace("Z", "+00:00"))
    assert saved.row(0)[:4] == (first["track"]["id"], stamp, body["offset"], body["total"])


def test_episodes_know_their_show_from_the_object_or_the_page_href() -> None:
    page = EXAMPLES / "java-GetShowsEpisodesRequest.json"
    one = EXAMPLES / "java-GetEpisodeRequest.json"
    tables = transform(
        [RawObject(page.name, page.read_bytes(), NOW), RawObject(one.name, one.read_bytes(), NOW)]
    ).tables
    episodes = dict(
        zip(tables["episodes"]["episode_id"], tables["episodes"]["show_id"], strict=True)
    )
    page_body, one_body = json.loads(page.read_bytes()), json.loads(one.read_bytes())
    show_of_page = page_body["href"].split("/shows/")[1].split("/")[0]
    assert {episodes[e["id"]] for e in page_body["items"]} == {show_of_page}
    assert episodes[one_body["id"]] == one_body["show"]["id"]


@pytest.mark.parametrize(
    "name",
    ["zmb3-playlist_items_episodes_and_tracks.json", "java-GetPlaylistsItemsRequest_Episode.json"],
)
def test_episodes_inside_playlists_give_episodes_and_their_shows(name: str) -> None:
    raw = (EXAMPLES / name).read_bytes()
    items = [i["track"] for i in json.loads(raw)["items"]]
    episodes = [i for i in items if i["type"] == "episode"]
    result = transform([RawObject(name, raw, NOW)]).tables
    assert result["playlist_items"].height == len(items)
    assert sorted(result["episodes"]["episode_id"]) == sorted(_ids(episodes))
    assert dict(
        zip(result["episodes"]["episode_id"], result["episodes"]["show_id"], strict=True)
    ) == {e["id"]: e["show"]["id"] for e in episodes}
    assert sorted(result["shows"]["show_id"]) == sorted(_ids([e["show"] for e in episodes]))
    assert result["tracks"].height == len(_ids([i for i in items if i["type"] == "track"]))
    first = episodes[0]
    row = result["episodes"].row(0, named=True)
    assert (row["name"], row["duration_ms"], str(row["release_date"])) == (
        first["name"],
        first["duration_ms"],
        first["release_date"],
    )
