"""Reading pages in both shapes, and the pure decisions of the sources."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from extractor.output import RawObject, RunContext, raw_message
from extractor.sources.entities import EntityBudget, StoredIndex, candidates, stored_id
from extractor.sources.playlists import needs_extraction, page_limit
from extractor.sources.recent import next_cursor
from extractor.spotify.models import (
    PlaylistPage,
    RecentPage,
    References,
    playlist_references,
    recent_references,
)
from extractor.state.documents import PendingEntities
from extractor.state.journal import from_document, to_document
from spotify_etl_common.messages import RawObjectWritten, Source

from tests.reference import EXAMPLES


def page(entries: list[object]) -> PlaylistPage:
    return PlaylistPage.model_validate({"items": entries, "next": None, "total": len(entries)})


TRACK = {
    "type": "track",
    "id": "t1",
    "album": {"id": "al1"},
    "artists": [{"id": "ar1"}, {"id": "ar2"}],
}


def test_both_playlist_shapes_give_the_same_references() -> None:
    new = page([{"item": TRACK, "track": TRACK}])
    legacy = page([{"track": TRACK}])
    assert playlist_references(new) == playlist_references(legacy)
    assert playlist_references(new).albums == {"al1"}
    assert playlist_references(new).artists == {"ar1", "ar2"}


def test_null_entries_and_local_files_reference_nothing_and_an_episode_itself() -> None:
    local: dict[str, object] = {
        "type": "track",
        "id": None,
        "is_local": True,
        "album": {"id": None},
        "artists": [],
    }
    episode = {"type": "episode", "id": "e1", "show": {"id": "s1"}}
    refs = playlist_references(page([{"track": None}, None, {"track": local}, {"item": episode}]))
    assert refs == References(episodes={"e1"})
    assert playlist_references(page([{"track": None}, {"track": local}])) == References()


def test_recorded_playlist_episodes_are_referenced_by_id() -> None:
    body = json.loads((EXAMPLES / "zmb3-playlist_items_episodes_and_tracks.json").read_text())
    # counted from the recording independently of the model: items whose object says episode
    episodes = {i["track"]["id"] for i in body["items"] if i["track"]["type"] == "episode"}
    tracks = [i["track"] for i in body["items"] if i["track"]["type"] == "track"]
    refs = playlist_references(PlaylistPage.model_validate(body))
    assert len(episodes) == 2
    assert refs.episodes == episodes
    assert refs.albums == {t["album"]["id"] for t in tracks}
    java = json.loads((EXAMPLES / "java-GetPlaylistsItemsRequest_Episode.json").read_text())
    assert playlist_references(PlaylistPage.model_validate(java)) == References(
        episodes={java["items"][0]["track"]["id"]}
    )


def test_recorded_examples_parse_and_reference_albums_and_artists() -> None:
    items = PlaylistPage.model_validate(
        json.loads((EXAMPLES / "zmb3-playlist_items_episodes_and_tracks.json").read_text())
    )
    assert playlist_references(items).albums
    recent = RecentPage.model_validate(
        json.loads((EXAMPLES / "zmb3-player_recently_played.json").read_text())
    )
    assert recent_references(recent).artists


def test_a_playlist_is_fetched_only_when_its_snapshot_changed() -> None:
    assert needs_extraction("s2", "s1")
    assert needs_extraction("s1", None)
    assert not needs_extraction("s1", "s1")


def test_page_limit_stops_a_next_chain_that_outruns_the_total() -> None:
    assert page_limit(120, 50) == 4
    assert page_limit(None, 50) > 1000


def test_recent_cursor_takes_the_newest_of_cursor_and_played_at() -> None:
    recent = RecentPage.model_validate(
        {
            "items": [{"played_at": "2026-11-01T00:04:00.000Z"}],
            "cursors": {"after": "1793491200000", "before": "1"},
        }
    )
    played = int(datetime(2026, 11, 1, 0, 4, tzinfo=UTC).timestamp() * 1000)
    assert next_cursor(recent, 0) == played
    assert next_cursor(RecentPage(), 5) == 5


def test_raw_message_announces_the_object_with_its_lineage() -> None:
    run = RunContext("run-1", datetime(2026, 11, 24, 1, 0, tzinfo=UTC), "bucket")
    obj = RawObject("raw/k.json", b"{}", Source.PLAYLIST_ITEMS, "p1", "s1", 3)
    message = raw_message(obj, run)
    assert RawObjectWritten.model_validate_json(message.body) == RawObjectWritten(
        bucket="bucket",
        key="raw/k.json",
        source=Source.PLAYLIST_ITEMS,
        entity_id="p1",
        snapshot_id="s1",
        page=3,
        run_id="run-1",
        extracted_at=datetime(2026, 11, 24, 1, 0, tzinfo=UTC),
    )
    assert message.attributes == {"source": "playlist_items"}


def test_entity_keys_give_back_their_ids() -> None:
    assert stored_id(Source.ALBUMS, "raw/source=albums/album_id=abc.json") == "abc"
    assert stored_id(Source.ALBUMS, "raw/source=artists/artist_id=abc.json") is None


def test_budget_takes_up_to_the_bound_and_keeps_the_rest_pending() -> None:
    budget = EntityBudget(remaining=2, index=StoredIndex.__new__(StoredIndex))
    wanted = candidates(References(albums={"b", "a"}, artists={"c"}))
    assert wanted == [(Source.ALBUMS, "a"), (Source.ALBUMS, "b"), (Source.ARTISTS, "c")]
    assert budget.claim_new(wanted) == wanted
    assert budget.claim_new(wanted) == []  # seen already in this run
    assert budget.take(wanted) == wanted[:2]
    assert budget.take([(Source.ARTISTS, "d")]) == []
    assert budget.pending == {(Source.ARTISTS, "c"), (Source.ARTISTS, "d")}


def test_episodes_come_last_and_wait_for_a_run_with_the_users_token() -> None:
    refs = References(albums={"a"}, episodes={"e2", "e1"})
    wanted = candidates(refs)
    assert wanted == [(Source.ALBUMS, "a"), (Source.EPISODES, "e1"), (Source.EPISODES, "e2")]
    app_only = EntityBudget(remaining=5, index=StoredIndex.__new__(StoredIndex), episodes=False)
    assert app_only.claim_new(wanted) == [(Source.ALBUMS, "a")]
    assert stored_id(Source.EPISODES, "raw/source=episodes/episode_id=e1.json") == "e1"


def test_the_journal_document_keeps_episodes_and_reads_one_written_before_them() -> None:
    entities = {(Source.ALBUMS, "a"), (Source.EPISODES, "e"), (Source.ARTISTS, "r")}
    document = to_document(entities)
    assert document.episodes == ["e"]
    assert from_document(PendingEntities.model_validate_json(document.model_dump_json())) == (
        entities
    )
    older = PendingEntities.model_validate_json('{"albums": ["a"], "artists": []}')
    assert from_document(older) == {(Source.ALBUMS, "a")}


def test_shows_come_last_under_their_own_bound_and_need_the_users_token() -> None:
    wanted = candidates(References(albums={"a"}, shows={"s2", "s1"}))
    assert wanted == [(Source.ALBUMS, "a"), (Source.SHOWS, "s1"), (Source.SHOWS, "s2")]
    budget = EntityBudget(remaining=0, index=StoredIndex.__new__(StoredIndex), shows_remaining=1)
    assert budget.take(wanted) == [(Source.SHOWS, "s1")]
    assert budget.pending == {(Source.ALBUMS, "a"), (Source.SHOWS, "s2")}
    app_only = EntityBudget(remaining=5, index=StoredIndex.__new__(StoredIndex), episodes=False)
    assert app_only.claim_new(wanted) == [(Source.ALBUMS, "a")]
    document = to_document(wanted)
    assert document.shows == ["s1", "s2"]
    assert from_document(document) == set(wanted)
