"""A generated Spotify data export: the plays behind it, and the files as Spotify delivers them.

:func:`listening` makes a deterministic listening history (tracks, podcast
episodes, audiobook chapters, rows Spotify knows nothing about, zero-ms plays,
skips, offline plays whose ``offline_timestamp`` is in seconds for older plays
and in milliseconds for newer ones, IP addresses, user agents). The writers put
it in zips laid out as the privacy page delivers them:

- :func:`extended_download`: ``Spotify Extended Streaming History/
  Streaming_History_Audio_<years>_<n>.json`` and ``Streaming_History_Video_<years>.json``
  (``style="audio"``), or the older ``MyData/endsong_<n>.json`` with ``username``,
  ``ip_addr_decrypted`` and ``user_agent_decrypted`` (``style="endsong"``), with their PDF;
- :func:`account_download`: ``Spotify Account Data/StreamingHistory_music_<n>.json``,
  ``StreamingHistory_podcast_<n>.json`` and the other files of that download.

The plays are the ground truth a test computes its expectations from.
"""

from __future__ import annotations

import json
import random
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from fake_spotify.catalog import spotify_id

EXTENDED_FOLDER = "Spotify Extended Streaming History"
ACCOUNT_FOLDER = "Spotify Account Data"
USERNAME = "listener-0042"
ItemKind = Literal["track", "episode", "audiobook", "unknown"]
_PLATFORMS = (
    "Android OS 9 API 28 (samsung, SM-G960F)",
    "iOS 16.1.2 (iPhone14,5)",
    "Windows 10 (10.0.19045; x64)",
    "OS X 13.4.1 [arm 2]",
    "web_player windows 10;chrome 118.0.5993.88;desktop",
    "android",
    "ios",
)
_AGENTS = ("unknown", "Spotify/8.8.50 Android/28 (SM-G960F)", "Spotify/1.2.22 Win32/0 (PC laptop)")
_COUNTRIES = ("DE", "FR", "US", "GB", "ES", "ZZ")
_ENDS = ("trackdone", "trackdone", "trackdone", "fwdbtn", "endplay", "logout", "unexpected-exit")
_STARTS = ("trackdone", "clickrow", "fwdbtn", "playbtn", "appload", "remote")
_PDF = b"%PDF-1.4\n% generated read-me\n%%EOF\n"


@dataclass(frozen=True, slots=True)
class Play:
    """One play as Spotify recorded it (the ground truth of a generated export)."""

    ts: datetime
    """End of playback, UTC, whole seconds; unique within a history."""
    ms_played: int
    item: ItemKind
    track_id: str | None
    track_name: str | None
    artist_name: str | None
    album_name: str | None
    episode_id: str | None
    episode_name: str | None
    show_name: str | None
    audiobook_title: str | None
    platform: str
    conn_country: str
    ip_addr: str
    user_agent: str
    reason_start: str
    reason_end: str
    shuffle: bool
    skipped: bool | None
    offline: bool
    offline_timestamp: int | None
    incognito_mode: bool

    def extended_row(self, style: Literal["audio", "endsong"]) -> dict[str, Any]:
        """The row of an extended history file, fields in Spotify's order."""
        row: dict[str, Any] = {"ts": self.ts.strftime("%Y-%m-%dT%H:%M:%SZ")}
        if style == "endsong":
            row["username"] = USERNAME
        row |= {"platform": self.platform, "ms_played": self.ms_played}
        row["conn_country"] = self.conn_country
        if style == "endsong":
            row |= {"ip_addr_decrypted": self.ip_addr, "user_agent_decrypted": self.user_agent}
        else:
            row["ip_addr"] = self.ip_addr
        row |= {
            "master_metadata_track_name": self.track_name,
            "master_metadata_album_artist_name": self.artist_name,
            "master_metadata_album_album_name": self.album_name,
            "spotify_track_uri": f"spotify:track:{self.track_id}" if self.track_id else None,
            "episode_name": self.episode_name,
            "episode_show_name": self.show_name,
            "spotify_episode_uri": f"spotify:episode:{self.episode_id}"
            if self.episode_id
            else None,
        }
        if style == "audio":
            book = self.audiobook_title
            row |= {
                "audiobook_title": book,
                "audiobook_uri": f"spotify:audiobook:{spotify_id('book', len(book), 3)}"
                if book
                else None,
                "audiobook_chapter_uri": None,
                "audiobook_chapter_title": "Chapter 1" if book else None,
            }
        row |= {
            "reason_start": self.reason_start,
            "reason_end": self.reason_end,
            "shuffle": self.shuffle,
            "skipped": self.skipped,
            "offline": self.offline,
            "offline_timestamp": self.offline_timestamp,
            "incognito_mode": self.incognito_mode,
        }
        return row

    def account_row(self) -> dict[str, Any] | None:
        """The row of the account-data history (names only, to the minute), if it has one."""
        end = self.ts.strftime("%Y-%m-%d %H:%M")
        if self.item == "track":
            return {
                "endTime": end,
                "artistName": self.artist_name,
                "trackName": self.track_name,
                "msPlayed": self.ms_played,
            }
        if self.item == "episode":
            return {
                "endTime": end,
                "podcastName": self.show_name,
                "episodeName": self.episode_name,
                "msPlayed": self.ms_played,
            }
        return None


def listening(
    count: int,
    seed: int = 7,
    start: datetime = datetime(2019, 1, 1, tzinfo=UTC),
    mean_gap_s: float = 1800.0,
    ms_from: datetime = datetime(2021, 1, 1, tzinfo=UTC),
) -> list[Play]:
    """``count`` plays from ``start`` on, in order; ``offline_timestamp`` in ms from ``ms_from``."""
    rng = random.Random(seed)
    artists = [f"Artist {n}" for n in range(max(8, count // 200))]
    tracks = [
        (spotify_id("track", n, seed), f"Song {n}", rng.choice(artists), f"Album {n // 10}")
        for n in range(max(20, count // 20))
    ]
    shows = [f"Show {n}" for n in range(4)]
    episodes = [
        (spotify_id("episode", n, seed), f"Episode {n}", shows[n % len(shows)]) for n in range(30)
    ]
    plays: list[Play] = []
    at = start
    for _ in range(count):
        draw = rng.random()
        item: ItemKind = (
            "track"
            if draw < 0.86
            else "episode"
            if draw < 0.93
            else "audiobook"
            if draw < 0.95
            else "unknown"
        )
        full = rng.randint(90_000, 420_000)
        ms = 0 if rng.random() < 0.05 else full if rng.random() < 0.7 else rng.randint(1, full)
        at += timedelta(seconds=ms // 1000 + 1 + int(rng.expovariate(1 / mean_gap_s)))
        end = "trackdone" if ms == full else rng.choice(_ENDS)
        offline = rng.random() < 0.1
        started = int(at.timestamp()) - ms // 1000
        offline_ts = None if rng.random() < 0.05 else started * 1000 if at >= ms_from else started
        track = rng.choice(tracks) if item == "track" else None
        episode = rng.choice(episodes) if item == "episode" else None
        plays.append(
            Play(
                ts=at,
                ms_played=ms,
                item=item,
                track_id=track[0] if track else None,
                track_name=track[1] if track else None,
                artist_name=track[2] if track else None,
                album_name=track[3] if track else None,
                episode_id=episode[0] if episode else None,
                episode_name=episode[1] if episode else None,
                show_name=episode[2] if episode else None,
                audiobook_title="A Long Book" if item == "audiobook" else None,
                platform=rng.choice(_PLATFORMS),
                conn_country=rng.choice(_COUNTRIES),
                ip_addr=f"{rng.randint(11, 223)}.{rng.randint(0, 255)}."
                f"{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                user_agent=rng.choice(_AGENTS),
                reason_start=rng.choice(_STARTS),
                reason_end=end,
                shuffle=rng.random() < 0.4,
                skipped=None if rng.random() < 0.3 else end == "fwdbtn",
                offline=offline,
                offline_timestamp=offline_ts,
                incognito_mode=rng.random() < 0.02,
            )
        )
    return plays


def _json(rows: Sequence[dict[str, Any]]) -> bytes:
    return json.dumps(list(rows), indent=2, ensure_ascii=False).encode()


def _parts(rows: list[Any], per_file: int) -> list[list[Any]]:
    return [rows[i : i + per_file] for i in range(0, len(rows), per_file)] or [[]]


def _years(plays: Sequence[Play]) -> str:
    first, last = plays[0].ts.year, plays[-1].ts.year
    return str(first) if first == last else f"{first}-{last}"


def extended_download(
    plays: Sequence[Play],
    path: Path,
    style: Literal["audio", "endsong"] = "audio",
    per_file: int = 15_000,
) -> Path:
    """Write the "Extended streaming history" zip of ``plays``; returns ``path``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        if style == "endsong":
            for n, part in enumerate(_parts(list(plays), per_file)):
                rows = [p.extended_row("endsong") for p in part]
                archive.writestr(f"MyData/endsong_{n}.json", _json(rows))
            archive.writestr("MyData/ReadMeFirst_ExtendedStreamingHistory.pdf", _PDF)
            return path
        in_video = [p.item == "episode" and i % 4 == 0 for i, p in enumerate(plays)]
        video = [p for p, v in zip(plays, in_video, strict=True) if v]
        audio = [p for p, v in zip(plays, in_video, strict=True) if not v]
        for n, part in enumerate(_parts(audio, per_file)):
            name = f"Streaming_History_Audio_{_years(part) if part else 'none'}_{n}.json"
            archive.writestr(
                f"{EXTENDED_FOLDER}/{name}", _json([p.extended_row("audio") for p in part])
            )
        if video:
            archive.writestr(
                f"{EXTENDED_FOLDER}/Streaming_History_Video_{_years(video)}.json",
                _json([p.extended_row("audio") for p in video]),
            )
        archive.writestr(f"{EXTENDED_FOLDER}/ReadMeFirst_ExtendedStreamingHistory.pdf", _PDF)
    return path


def account_download(plays: Sequence[Play], path: Path, per_file: int = 10_000) -> Path:
    """Write the "Account data" zip of ``plays`` (music and podcasts with names only)."""
    music = [r for p in plays if p.item == "track" and (r := p.account_row())]
    podcast = [r for p in plays if p.item == "episode" and (r := p.account_row())]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, part in enumerate(_parts(music, per_file)):
            archive.writestr(f"{ACCOUNT_FOLDER}/StreamingHistory_music_{n}.json", _json(part))
        archive.writestr(f"{ACCOUNT_FOLDER}/StreamingHistory_podcast_0.json", _json(podcast))
        others: dict[str, Any] = {
            "Userdata.json": {"username": USERNAME, "email": "listener@example.com"},
            "Identifiers.json": {"identifierType": "email", "identifierValue": "x@example.com"},
            "YourLibrary.json": {"tracks": [], "albums": [], "shows": []},
            "Playlist1.json": {"playlists": []},
            "SearchQueries.json": [
                {"platform": "ANDROID", "searchTime": "2024-01-01T10:00:00Z", "searchQuery": "x"}
            ],
        }
        for name, value in others.items():
            archive.writestr(f"{ACCOUNT_FOLDER}/{name}", json.dumps(value))
        archive.writestr(f"{ACCOUNT_FOLDER}/Read_Me_First.pdf", _PDF)
    return path
