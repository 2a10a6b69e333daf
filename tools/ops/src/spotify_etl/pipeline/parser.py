"""``spotify-etl run-local``: the main job on the embedded local stack, end to end.

1. the local stack (moto) is brought up, or reused;
2. without Spotify credentials, the fake Spotify Web API is started (and said so);
3. ``extractor run-once`` writes raw objects and transform messages;
4. ``transformer`` and ``cataloger`` run as processes until both queues are empty;
5. top tracks and top artists are printed from the views (DuckDB over the Parquet).

With ``--no-extract``, steps 2 and 3 are skipped: the workers drain what is
already queued (after ``replay``, ``dlq redrive`` or an import), with the same
progress lines. The local stack stays up for ``spotify-etl query`` until
``spotify-etl local down``.
"""

from __future__ import annotations

import argparse

from spotify_etl.lazy import lazy


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``run-local``."""
    run = commands.add_parser(
        "run-local",
        help="run the whole pipeline once on the local stack (what `make run` does)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("--playlists", type=int, default=4, help="fake: playlists the user owns")
    run.add_argument("--items", type=int, default=150, help="fake: items per playlist")
    run.add_argument("--plays", type=int, default=50, help="fake: recently played entries")
    run.add_argument("--top", type=int, default=10, help="rows of top tracks and artists")
    run.add_argument(
        "--no-extract",
        action="store_true",
        help="no extractor, no fake: run the workers until both queues are empty "
        "(after replay, dlq redrive or an import)",
    )
    run.set_defaults(run=lazy("spotify_etl.pipeline.commands", "run_local"))
