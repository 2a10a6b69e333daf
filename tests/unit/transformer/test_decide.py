"""The handler's pure decision: a message and its raw bytes to files, or a clear PermanentError."""

from __future__ import annotations

import polars as pl
import pytest
from spotify_etl_common.errors import PermanentError
from spotify_etl_common.messages import RawObjectWritten, Source
from transformer.handler import decide

from tests.unit.transformer.payloads import EXTRACTED_AT, items_page, playlist_item, track

KEY = "raw/source=playlist_items/playlist_id=p1/snapshot_id=s1/page=0000.json"


def message(source: Source = Source.PLAYLIST_ITEMS) -> RawObjectWritten:
    return RawObjectWritten(
        bucket="b",
        key=KEY,
        source=source,
        entity_id="p1",
        snapshot_id="s1",
        page=0,
        run_id="run-1",
        extracted_at=EXTRACTED_AT,
    )


def test_the_message_gives_playlist_and_snapshot_ids() -> None:
    files = decide(message(), items_page([playlist_item(track())]))
    items = pl.read_parquet(next(f for f in files if f.table == "playlist_items").data)
    assert items.select("playlist_id", "snapshot_id", "source_key").row(0) == ("p1", "s1", KEY)


def test_malformed_json_is_permanent_and_names_the_object() -> None:
    with pytest.raises(PermanentError, match=rf"s3://b/{KEY}: malformed JSON"):
        decide(message(), b'{"href": "https://api.spotify.com/v1/playlists/p1/tracks", "items": }')


def test_a_truncated_object_is_permanent_and_says_it_is_truncated() -> None:
    with pytest.raises(PermanentError, match=rf"s3://b/{KEY}: raw object is truncated: "):
        decide(message(), b'{"href": "https://api.spotify.com/v1/playlists/p1/tracks", "items": [')


def test_a_body_that_contradicts_the_message_source_is_permanent() -> None:
    with pytest.raises(
        PermanentError, match="message says source albums, but the object holds playlist_items"
    ):
        decide(message(Source.ALBUMS), items_page([]))
