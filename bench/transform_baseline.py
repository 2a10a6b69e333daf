"""The original design's pandas transform, kept as the benchmark's baseline.

Faithful to the seed's Lambda (a typical pandas Spotify ETL): ``json.load``
each raw file, one at a time; loop over ``items`` building dicts for
``album``, ``artist`` and ``songs``; ``pd.DataFrame``; ``drop_duplicates``;
``pd.to_datetime``; ``to_csv`` of each frame (locally instead of
``s3.put_object``; the seed then moved the raw file to ``processed/``).

Two guards were added so it survives the benchmark corpus, which the seed's
code did not: items whose track is null, an episode or a local file are
skipped (the seed raised ``TypeError``/``KeyError``), and ``pd.to_datetime`` gets
``format="mixed"`` (the seed choked on year-only release dates). Featured
artists still collapse to the first album artist in ``songs``, as in the seed.

    uv run python -m bench.transform_baseline RAW_DIR OUT_DIR
"""

from __future__ import annotations

import json
import sys
import time
from io import StringIO
from pathlib import Path

import pandas as pd


def album(data: dict) -> list[dict]:  # type: ignore[type-arg]
    album_list = []
    for row in data["items"]:
        album_id = row["track"]["album"]["id"]
        album_name = row["track"]["album"]["name"]
        album_release_date = row["track"]["album"]["release_date"]
        album_total_tracks = row["track"]["album"]["total_tracks"]
        album_url = row["track"]["album"]["external_urls"]["spotify"]
        album_element = {
            "album_id": album_id,
            "name": album_name,
            "release_date": album_release_date,
            "total_tracks": album_total_tracks,
            "url": album_url,
        }
        album_list.append(album_element)
    return album_list


def artist(data: dict) -> list[dict]:  # type: ignore[type-arg]
    artist_list = []
    for row in data["items"]:
        for key, value in row.items():
            if key == "track":
                for artist in value["artists"]:
                    artist_dict = {
                        "artist_id": artist["id"],
                        "artist_name": artist["name"],
                        "external_url": artist["href"],
                    }
                    artist_list.append(artist_dict)
    return artist_list


def songs(data: dict) -> list[dict]:  # type: ignore[type-arg]
    song_list = []
    for row in data["items"]:
        song_id = row["track"]["id"]
        song_name = row["track"]["name"]
        song_duration = row["track"]["duration_ms"]
        song_url = row["track"]["external_urls"].get("spotify")
        song_popularity = row["track"].get("popularity")
        song_added = row["added_at"]
        album_id = row["track"]["album"]["id"]
        artist_id = (
            row["track"]["album"]["artists"][0]["id"] if row["track"]["album"]["artists"] else None
        )
        song_element = {
            "song_id": song_id,
            "song_name": song_name,
            "duration_ms": song_duration,
            "url": song_url,
            "popularity": song_popularity,
            "song_added": song_added,
            "album_id": album_id,
            "artist_id": artist_id,
        }
        song_list.append(song_element)
    return song_list


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    buffer = StringIO()
    df.to_csv(buffer, index=False)
    path.write_text(buffer.getvalue())


def transform_file(path: Path, out: Path, stamp: str) -> int:
    """One raw file to ``album``, ``artist`` and ``songs`` CSVs; returns rows written."""
    with open(path) as handle:
        data = json.load(handle)
    # Guard added for the benchmark: the seed crashed on these items.
    data["items"] = [
        row
        for row in data["items"]
        if row.get("track")
        and row["track"].get("type") == "track"
        and not row["track"].get("is_local")
    ]
    album_df = pd.DataFrame(album(data))
    album_df = album_df.drop_duplicates(subset=["album_id"])
    artist_df = pd.DataFrame(artist(data))
    artist_df = artist_df.drop_duplicates(subset=["artist_id"])
    song_df = pd.DataFrame(songs(data))
    album_df["release_date"] = pd.to_datetime(album_df["release_date"], format="mixed")
    song_df["song_added"] = pd.to_datetime(song_df["song_added"])
    for name, df in (("album", album_df), ("artist", artist_df), ("songs", song_df)):
        target = out / f"{name}_data" / f"{name}_transformed_{stamp}.csv"
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_csv(df, target)
    return len(album_df) + len(artist_df) + len(song_df)


def transform_folder(raw: Path, out: Path) -> int:
    """Every ``*.json`` under ``raw``, one file at a time, as the seed's Lambda did."""
    rows = 0
    for number, path in enumerate(sorted(raw.rglob("*.json"))):
        rows += transform_file(path, out, f"{number:06d}")
    return rows


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: transform_baseline.py RAW_DIR OUT_DIR", file=sys.stderr)
        return 2
    started = time.perf_counter()
    rows = transform_folder(Path(args[0]), Path(args[1]))
    print(f"pandas baseline: {rows} rows in {time.perf_counter() - started:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
