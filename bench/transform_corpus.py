"""Generate a realistic corpus of raw playlist-item pages, with a manifest of expected rows.

Each file is one page of ``GET /playlists/{id}/tracks`` (legacy shape, key
``track``) or ``GET /playlists/{id}/items`` (2026 shape, key ``item`` plus the
deprecated duplicate ``track``), with full track objects: album, artists,
``available_markets`` and images, as the real API sends them. Mixed in at fixed
rates: ``track: null`` items, local files (null ids), podcast episodes, albums
released with year or month precision, tracks without ``popularity``, tracks
with several artists, unicode names, and the same track twice in one page.

The JSON is templated (string formatting, no ``json.dumps`` of whole pages),
so a 1 GB corpus takes well under a minute. The manifest's expected row counts
are computed here from what was generated, independently of the transformer:

    python bench/transform_corpus.py OUT_DIR [--size 1GB] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import random
import string
import sys
from dataclasses import dataclass, field
from pathlib import Path

ITEMS_PER_FILE = 100
BYTES_PER_FILE = 1_000_000_000 // 2_400
"""About 420 kB per page: 2,400 files of 100 items make 1 GB."""
MARKETS = json.dumps(
    [a + b for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for b in "ABCDEFGH"][:150], separators=(",", ":")
)
_NAMES = [
    "Blue",
    "Night",
    "Dance",
    "Heart",
    "Río",
    "Été",
    "Straße",
    "東京",
    "Ночь",
    "💿 Vinyl",
    "Fire",
    "Rain",
    "Love",
    'Quote "It"',
    "Back\\slash",
]
_B62 = string.ascii_letters + string.digits


def _id(rng: random.Random) -> str:
    return "".join(rng.choices(_B62, k=22))


def _name(rng: random.Random) -> str:
    return " ".join(rng.choices(_NAMES, k=rng.randint(1, 3)))


def _s(value: str | None) -> str:
    return json.dumps(value, ensure_ascii=False)


@dataclass
class Artist:
    id: str
    name: str

    def json(self) -> str:
        return (
            f'{{"external_urls":{{"spotify":"https://open.spotify.com/artist/{self.id}"}},'
            f'"href":"https://api.spotify.com/v1/artists/{self.id}","id":"{self.id}",'
            f'"name":{_s(self.name)},"type":"artist","uri":"spotify:artist:{self.id}"}}'
        )


@dataclass
class Album:
    id: str
    name: str
    album_type: str
    release_date: str
    precision: str
    total_tracks: int
    artists: list[Artist]

    def json(self) -> str:
        images = ",".join(
            f'{{"height":{px},"url":"https://i.scdn.co/image/ab67616d0000{px:04d}{self.id}",'
            f'"width":{px}}}'
            for px in (640, 300, 64)
        )
        artists = ",".join(a.json() for a in self.artists)
        return (
            f'{{"album_type":"{self.album_type}","artists":[{artists}],'
            f'"available_markets":{MARKETS},'
            f'"external_urls":{{"spotify":"https://open.spotify.com/album/{self.id}"}},'
            f'"href":"https://api.spotify.com/v1/albums/{self.id}","id":"{self.id}",'
            f'"images":[{images}],"name":{_s(self.name)},"release_date":"{self.release_date}",'
            f'"release_date_precision":"{self.precision}","total_tracks":{self.total_tracks},'
            f'"type":"album","uri":"spotify:album:{self.id}"}}'
        )


@dataclass
class Track:
    id: str
    name: str
    album: Album
    artists: list[Artist]
    duration_ms: int
    popularity: int | None
    isrc: str

    def json(self, number: int) -> str:
        popularity = "" if self.popularity is None else f'"popularity":{self.popularity},'
        return (
            f'{{"album":{self.album.json()},"artists":[{",".join(a.json() for a in self.artists)}],'
            f'"available_markets":{MARKETS},"disc_number":1,"duration_ms":{self.duration_ms},'
            f'"episode":false,"explicit":{"true" if self.duration_ms % 3 == 0 else "false"},'
            f'"external_ids":{{"isrc":"{self.isrc}"}},'
            f'"external_urls":{{"spotify":"https://open.spotify.com/track/{self.id}"}},'
            f'"href":"https://api.spotify.com/v1/tracks/{self.id}","id":"{self.id}",'
            f'"is_local":false,"name":{_s(self.name)},{popularity}'
            f'"preview_url":null,"track":true,"track_number":{number},"type":"track",'
            f'"uri":"spotify:track:{self.id}"}}'
        )


def _episode_json(episode_id: str, name: str) -> str:
    return (
        f'{{"audio_preview_url":null,"description":"An episode","duration_ms":2249560,'
        f'"episode":true,"explicit":false,'
        f'"external_urls":{{"spotify":"https://open.spotify.com/episode/{episode_id}"}},'
        f'"href":"https://api.spotify.com/v1/episodes/{episode_id}","id":"{episode_id}",'
        f'"images":[],"is_externally_hosted":false,"is_playable":true,"language":"en-US",'
        f'"languages":["en-US"],"name":{_s(name)},"release_date":"2022-05-18",'
        f'"release_date_precision":"day","show":{{"id":"2VRS1IJCTn2Nlkg33ZVfkM",'
        f'"name":"99% Invisible","type":"show","uri":"spotify:show:2VRS1IJCTn2Nlkg33ZVfkM"}},'
        f'"track":false,"type":"episode","uri":"spotify:episode:{episode_id}"}}'
    )


def _local_json(name: str) -> str:
    uri = "spotify:local:Artist:Album:" + name.replace(" ", "+") + ":215"
    return (
        '{"album":{"album_type":null,"artists":[],"available_markets":[],"external_urls":{},'
        '"href":null,"id":null,"images":[],"name":"","release_date":null,'
        '"release_date_precision":null,"type":"album","uri":null},'
        '"artists":[{"external_urls":{},"href":null,"id":null,"name":"Local Artist",'
        '"type":"artist","uri":null}],"available_markets":[],"disc_number":0,'
        '"duration_ms":215000,"explicit":false,"external_ids":{},"external_urls":{},'
        f'"href":null,"id":null,"is_local":true,"name":{_s(name)},"popularity":0,'
        f'"preview_url":null,"track_number":0,"type":"track","uri":{_s(uri)}}}'
    )


@dataclass
class Counts:
    """Expected rows, computed from what was generated."""

    files: int = 0
    bytes: int = 0
    playlist_items: int = 0
    tracks: int = 0
    albums: int = 0
    artists: int = 0
    track_artists: int = 0
    item_types: dict[str, int] = field(
        default_factory=lambda: {"track": 0, "episode": 0, "local": 0, "missing": 0}
    )


class Catalog:
    """A pool of artists, albums and tracks that pages draw from (so ids repeat)."""

    def __init__(self, rng: random.Random, tracks: int) -> None:
        self.rng = rng
        artists = [Artist(_id(rng), _name(rng)) for _ in range(max(10, tracks // 8))]
        albums = []
        for _ in range(max(5, tracks // 4)):
            precision = rng.choices(["day", "month", "year"], weights=[90, 5, 5])[0]
            year = rng.randint(1960, 2026)
            release = {
                "day": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "month": f"{year}-{rng.randint(1, 12):02d}",
                "year": f"{year}",
            }[precision]
            album_type = rng.choice(["album", "single", "compilation"])
            albums.append(
                Album(
                    _id(rng),
                    _name(rng),
                    album_type,
                    release,
                    precision,
                    rng.randint(1, 20),
                    rng.sample(artists, k=rng.choice([1, 1, 1, 2])),
                )
            )
        self.tracks = []
        for _ in range(tracks):
            album = rng.choice(albums)
            extra = rng.sample(artists, k=rng.choices([0, 1, 2], weights=[75, 20, 5])[0])
            credits = [*album.artists[:1], *(a for a in extra if a not in album.artists[:1])]
            self.tracks.append(
                Track(
                    _id(rng),
                    _name(rng),
                    album,
                    credits,
                    rng.randint(60_000, 600_000),
                    None if rng.random() < 0.1 else rng.randint(0, 100),
                    "US" + "".join(rng.choices(string.ascii_uppercase + string.digits, k=10)),
                )
            )


def _page(catalog: Catalog, playlist_id: str, page: int, new_shape: bool, counts: Counts) -> str:
    rng = catalog.rng
    offset = page * ITEMS_PER_FILE
    seen_tracks: set[str] = set()
    seen_albums: set[str] = set()
    seen_artists: set[str] = set()
    items = []
    previous: Track | None = None
    for index in range(ITEMS_PER_FILE):
        roll = rng.random()
        added = (
            f'"added_at":"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T'
            f'{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z",'
            f'"added_by":{{"external_urls":{{"spotify":"https://open.spotify.com/user/ana"}},'
            f'"href":"https://api.spotify.com/v1/users/ana","id":"ana","type":"user",'
            f'"uri":"spotify:user:ana"}},'
        )
        if roll < 0.01:
            body, kind = "null", "missing"
            local = "false"
        elif roll < 0.02:
            body, kind, local = _local_json(f"My Recording {index}"), "local", "true"
        elif roll < 0.04:
            body, kind, local = _episode_json(_id(rng), _name(rng)), "episode", "false"
        else:
            track = (
                previous if (previous is not None and roll > 0.99) else rng.choice(catalog.tracks)
            )
            previous = track
            body, kind, local = track.json(index + 1), "track", "false"
            if track.id not in seen_tracks:
                seen_tracks.add(track.id)
                counts.track_artists += len(track.artists)
            seen_albums.add(track.album.id)
            seen_artists.update(a.id for a in (*track.artists, *track.album.artists))
        counts.item_types[kind] += 1
        content = f'"item":{body},"track":{body}' if new_shape else f'"track":{body}'
        items.append(
            f'{{{added}"is_local":{local},"primary_color":null,{content},'
            f'"video_thumbnail":{{"url":null}}}}'
        )
    counts.playlist_items += len(items)
    counts.tracks += len(seen_tracks)
    counts.albums += len(seen_albums)
    counts.artists += len(seen_artists)
    endpoint = "items" if new_shape else "tracks"
    base = f"https://api.spotify.com/v1/playlists/{playlist_id}/{endpoint}"
    return (
        f'{{"href":"{base}?offset={offset}&limit={ITEMS_PER_FILE}","items":[{",".join(items)}],'
        f'"limit":{ITEMS_PER_FILE},"next":null,"offset":{offset},"previous":null,"total":1000}}'
    )


def parse_size(text: str) -> int:
    """``1GB``, ``50MB``, ``300kB`` or a plain number of bytes."""
    units = {"GB": 10**9, "MB": 10**6, "KB": 10**3, "B": 1}
    upper = text.strip().upper()
    for unit, factor in units.items():
        if upper.endswith(unit):
            return int(float(upper[: -len(unit)]) * factor)
    return int(upper)


def generate(out: Path, size: int, seed: int = 7) -> Counts:
    """Write about ``size`` bytes of pages under ``out/pages`` and ``out/manifest.json``."""
    rng = random.Random(seed)
    files = max(1, round(size / BYTES_PER_FILE))
    catalog = Catalog(rng, tracks=max(50, files * 40))
    counts = Counts()
    pages = out / "pages"
    pages.mkdir(parents=True, exist_ok=True)
    pages_per_playlist = 10
    for number in range(files):
        playlist, page = divmod(number, pages_per_playlist)
        playlist_id = f"pl{playlist:05d}" + "x" * 15
        new_shape = playlist % 4 == 3
        text = _page(catalog, playlist_id, page, new_shape, counts)
        data = text.encode()
        # The seed's naming: one timestamped dump per page, nothing in the name about content.
        name = f"spotify_raw_2026-11-24 00:{number // 60 % 60:02d}:{number % 60:02d}.{number:06d}"
        (pages / f"{name}.json").write_bytes(data)
        counts.files += 1
        counts.bytes += len(data)
    manifest = {
        "files": counts.files,
        "bytes": counts.bytes,
        "expected_rows": {
            "playlist_items": counts.playlist_items,
            "tracks": counts.tracks,
            "albums": counts.albums,
            "artists": counts.artists,
            "track_artists": counts.track_artists,
        },
        "item_types": counts.item_types,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="directory to write the pages into")
    parser.add_argument("--size", default="1GB", help="total size, e.g. 1GB, 50MB (default 1GB)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    args = parser.parse_args(argv)
    counts = generate(args.out, parse_size(args.size), args.seed)
    print(f"wrote {counts.files} files, {counts.bytes / 1e6:.1f} MB to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
