"""The export's row formats are told apart by their keys; their raw keys are content-derived."""

from __future__ import annotations

import pytest
from spotify_etl_common.keys import parse_raw_key, streaming_history_key
from spotify_etl_common.sources import Source
from spotify_etl_common.streaming_history import (
    KEPT_FIELDS,
    SENSITIVE_FIELDS,
    HistoryKind,
    kind_of,
)


@pytest.mark.parametrize(
    ("keys", "kind"),
    [
        ({"ts", "ms_played", "ip_addr", "spotify_track_uri"}, HistoryKind.EXTENDED),
        ({"ts", "username", "ms_played", "ip_addr_decrypted"}, HistoryKind.EXTENDED),
        ({"endTime", "artistName", "trackName", "msPlayed"}, HistoryKind.ACCOUNT_MUSIC),
        ({"endTime", "podcastName", "episodeName", "msPlayed"}, HistoryKind.ACCOUNT_PODCAST),
        ({"platform", "searchTime", "searchQuery"}, None),
        ({"endTime", "msPlayed"}, None),
    ],
)
def test_kind_of_a_row_comes_from_its_keys(keys: set[str], kind: HistoryKind | None) -> None:
    assert kind_of(keys) is kind


def test_no_kept_field_is_sensitive() -> None:
    assert all(SENSITIVE_FIELDS.isdisjoint(fields) for fields in KEPT_FIELDS.values())


def test_streaming_history_keys_parse_back_to_their_source() -> None:
    key = streaming_history_key(HistoryKind.EXTENDED, "2024-01", "0123456789abcdef0123456789abcdef")
    assert key == (
        "raw/source=streaming_history/kind=extended/month=2024-01/"
        "0123456789abcdef0123456789abcdef.json"
    )
    parts = parse_raw_key(key)
    assert parts is not None
    assert (parts.source, parts.entity_id, parts.day) == (Source.STREAMING_HISTORY, None, None)


@pytest.mark.parametrize(("month", "digest"), [("2024-1", "ab" * 16), ("2024-01", "XYZ")])
def test_streaming_history_key_refuses_a_bad_month_or_digest(month: str, digest: str) -> None:
    with pytest.raises(ValueError, match="must be"):
        streaming_history_key(HistoryKind.EXTENDED, month, digest)
