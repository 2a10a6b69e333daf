"""The rows of Spotify's data export that ``spotify-etl import-history`` keeps: one contract.

A download holds JSON arrays of plays in one of three row formats (each file one
format), recognised from the keys of its rows, never from the file name:

- ``extended``: "Extended streaming history", ``Streaming_History_Audio_*.json``
  and ``Streaming_History_Video_*.json`` (``ts``, ``ms_played``, ``ip_addr``, ...),
  and the older ``endsong_*.json`` (``username``, ``ip_addr_decrypted``,
  ``user_agent_decrypted``, no audiobook fields);
- ``account_music``: "Account data", ``StreamingHistory_music_*.json`` and the
  older ``StreamingHistory<n>.json`` (``endTime``, ``artistName``, ``trackName``,
  ``msPlayed``);
- ``account_podcast``: ``StreamingHistory_podcast_*.json`` (``endTime``,
  ``podcastName``, ``episodeName``, ``msPlayed``).

A raw ``streaming_history`` object is a JSON array of rows of one format with
only the :data:`KEPT_FIELDS` of that format whose value is not null (and the
:data:`REQUIRED_FIELDS`, null or not, which tell the format): an allow
list, so IP addresses, user agents, the user name and any field Spotify adds
later never reach storage. The importer writes that shape; the transformer
reads it (and the original files, whose other fields it never reads).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Collection, Mapping
from enum import StrEnum
from typing import Literal


class HistoryKind(StrEnum):
    """The row format of one export file (also the ``kind=`` partition of its raw keys)."""

    EXTENDED = "extended"
    ACCOUNT_MUSIC = "account_music"
    ACCOUNT_PODCAST = "account_podcast"


KEPT_FIELDS: Mapping[HistoryKind, tuple[str, ...]] = {
    HistoryKind.EXTENDED: (
        "ts",
        "platform",
        "ms_played",
        "conn_country",
        "master_metadata_track_name",
        "master_metadata_album_artist_name",
        "master_metadata_album_album_name",
        "spotify_track_uri",
        "episode_name",
        "episode_show_name",
        "spotify_episode_uri",
        "audiobook_title",
        "audiobook_uri",
        "audiobook_chapter_uri",
        "audiobook_chapter_title",
        "reason_start",
        "reason_end",
        "shuffle",
        "skipped",
        "offline",
        "offline_timestamp",
        "incognito_mode",
    ),
    HistoryKind.ACCOUNT_MUSIC: ("endTime", "artistName", "trackName", "msPlayed"),
    HistoryKind.ACCOUNT_PODCAST: ("endTime", "podcastName", "episodeName", "msPlayed"),
}
"""The fields kept of each format, in the order the raw objects write them."""

FieldType = Literal["time", "integer", "flag", "text"]
INTEGER_FIELDS = frozenset({"ms_played", "msPlayed", "offline_timestamp"})
FLAG_FIELDS = frozenset({"shuffle", "skipped", "offline", "incognito_mode"})


def field_type(name: str) -> FieldType:
    """The JSON type a kept field has in a raw object: ``time`` (text), integer, flag, text.

    The importer writes every kept value in its type (``0``/``1`` and ``"false"`` flags as
    booleans, integral numbers as integers) so that the transformer can read a raw object
    with a fixed schema, and the same play written two ways gives the same bytes.
    """
    if name in ("ts", "endTime"):
        return "time"
    if name in INTEGER_FIELDS:
        return "integer"
    if name in FLAG_FIELDS:
        return "flag"
    return "text"


SENSITIVE_FIELDS = frozenset(
    {"ip_addr", "ip_addr_decrypted", "user_agent", "user_agent_decrypted", "username"}
)
"""Fields of the export that identify the person or their devices: never stored (and not in
:data:`KEPT_FIELDS`; listed so that tests and messages can name them)."""

FREE_TEXT_FIELDS = frozenset({"platform"})
"""Kept fields Spotify fills from the device (``Partner sonos_ppc Sonos;ZP90;192.168.1.20``):
any IP address in them is replaced by ``[address]`` (:func:`without_addresses`) wherever a row
is read, by the importer and by the transformer reading an original export file."""
_ADDRESS_LIKE = re.compile(r"[0-9A-Fa-f:.]*[:.][0-9A-Fa-f:.]*")


def without_addresses(text: str) -> str:
    """``text`` with every IPv4 or IPv6 address in it replaced by ``[address]``."""
    return _ADDRESS_LIKE.sub(lambda m: "[address]" if _is_address(m.group()) else m.group(), text)


def _is_address(token: str) -> bool:
    try:
        ipaddress.ip_address(token.strip("."))
    except ValueError:
        return False
    return True


TIME_FIELD: Mapping[HistoryKind, str] = {
    HistoryKind.EXTENDED: "ts",
    HistoryKind.ACCOUNT_MUSIC: "endTime",
    HistoryKind.ACCOUNT_PODCAST: "endTime",
}
"""The field holding when playback ended (UTC): ``2024-01-15T14:30:12Z`` or ``2024-01-15 14:30``."""

REQUIRED_FIELDS: Mapping[HistoryKind, frozenset[str]] = {
    HistoryKind.EXTENDED: frozenset({"ts", "ms_played"}),
    HistoryKind.ACCOUNT_PODCAST: frozenset({"endTime", "msPlayed", "podcastName", "episodeName"}),
    HistoryKind.ACCOUNT_MUSIC: frozenset({"endTime", "msPlayed", "artistName", "trackName"}),
}
"""The fields a row of each format has (null or not): how :func:`kind_of` tells them apart. A
raw object writes them even when null, so that any of its rows tells its format."""

_RECOGNISED_IN_ORDER = (
    HistoryKind.EXTENDED,
    HistoryKind.ACCOUNT_PODCAST,
    HistoryKind.ACCOUNT_MUSIC,
)


def kind_of(keys: Collection[str]) -> HistoryKind | None:
    """The format of a row with these keys, or None when it is not a streaming-history row."""
    present = set(keys)
    for kind in _RECOGNISED_IN_ORDER:
        if REQUIRED_FIELDS[kind] <= present:
            return kind
    return None
