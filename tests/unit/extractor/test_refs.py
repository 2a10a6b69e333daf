"""Configured playlist references: ids, URIs, URLs, and clear reasons for bad ones."""

from __future__ import annotations

import pytest
from extractor.sources.refs import BadRef, PlaylistRef, parse_playlist_ref, parse_playlist_refs

ID = "3cEYpjA9oz9GiPac4AsH4n"


@pytest.mark.parametrize(
    "text",
    [
        ID,
        f"spotify:playlist:{ID}",
        f"https://open.spotify.com/playlist/{ID}",
        f"https://open.spotify.com/playlist/{ID}?si=abcdef",
        f"https://open.spotify.com/intl-de/playlist/{ID}",
        f"  {ID}  ",
    ],
)
def test_every_accepted_form_gives_the_playlist_id(text: str) -> None:
    ref = parse_playlist_ref(text)
    assert isinstance(ref, PlaylistRef)
    assert ref.playlist_id == ID


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("not-a-playlist", "22 letters and digits"),
        (f"spotify:album:{ID}", "spotify:playlist:"),
        (f"https://open.spotify.com/album/{ID}", "open.spotify.com/playlist/"),
        (f"https://example.com/playlist/{ID}", "open.spotify.com/playlist/"),
        (ID[:-1], "22 letters"),
    ],
)
def test_malformed_references_say_what_is_expected(text: str, reason: str) -> None:
    ref = parse_playlist_ref(text)
    assert isinstance(ref, BadRef)
    assert reason in ref.reason


def test_list_drops_empty_entries_and_duplicate_ids_keeping_order() -> None:
    other = "37i9dQZF1DXcBWIGoYBM5M"
    refs = parse_playlist_refs(f"{ID}, ,spotify:playlist:{ID},{other},bad")
    assert [r.playlist_id if isinstance(r, PlaylistRef) else r.text for r in refs] == [
        ID,
        other,
        "bad",
    ]


@pytest.mark.parametrize(
    ("text", "seconds"), [("90s", 90), ("30m", 1800), ("1h", 3600), ("45", 45)]
)
def test_run_every_accepts_human_intervals(text: str, seconds: float) -> None:
    from extractor.main import parse_interval

    assert parse_interval(text) == seconds


def test_run_every_rejects_nonsense() -> None:
    import argparse

    from extractor.main import parse_interval

    with pytest.raises(argparse.ArgumentTypeError, match="1h"):
        parse_interval("hourly")
