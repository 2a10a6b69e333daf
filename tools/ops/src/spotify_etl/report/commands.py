"""``spotify-etl report --out FILE.html``: query the report views, write the page.

Gathers (one DuckDB over the local stack, or Athena with the queries in flight
together), decides in :mod:`spotify_etl.report.build`, writes the file. The
Vega bundle is made in a thread while the queries run. Progress on stderr; the
path and a one-line summary on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from importlib import metadata
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
from spotify_etl_common.errors import SpotifyEtlError
from spotify_etl_views import load_views

from spotify_etl.local.state import find_local_stack, state_dir
from spotify_etl.query.commands import athena_runner, local_runner
from spotify_etl.query.local_engine import Rows
from spotify_etl.query.target import AthenaTarget, LocalTarget, TargetError, choose_target
from spotify_etl.query.transpile import to_duckdb
from spotify_etl.report.build import Report, build_report
from spotify_etl.report.datasets import DATASETS
from spotify_etl.report.page import plural
from spotify_etl.report.specs import Records
from spotify_etl.report.values import rows_as_records
from spotify_etl.report.zoned_sql import zoned_query
from spotify_etl.report.zones import Zone, ZoneError, choose_zone
from spotify_etl.terminal import progress as start_progress

EXIT_FAILED = 1
EXIT_USAGE = 2
ATHENA_AT_ONCE = 4
"""Athena queries in flight together (an account runs 20-25 at once; leave room)."""


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def run_report(args: argparse.Namespace) -> int:
    started = time.monotonic()
    try:
        zone = choose_zone(args.tz)
    except ZoneError as error:
        print(f"spotify-etl report: {error}", file=sys.stderr)
        return EXIT_USAGE
    stack = find_local_stack()
    try:
        target = choose_target(os.environ, stack.env() if stack else None, args.athena)
    except TargetError as error:
        print(f"spotify-etl report: {error}", file=sys.stderr)
        return EXIT_FAILED
    try:
        line = write_report(target, args.out, zone, args.year, started)
    except duckdb.Error as error:
        print(f"spotify-etl report: DuckDB: {error}", file=sys.stderr)
        return EXIT_FAILED
    except SpotifyEtlError as error:
        print(f"spotify-etl report: {error.reason}", file=sys.stderr)
        return EXIT_FAILED
    except ValueError as error:
        print(f"spotify-etl report: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(line, flush=True)
    return 0


def write_report(
    target: LocalTarget | AthenaTarget,
    out: Path,
    zone: Zone,
    year: int | None,
    started: float | None = None,
) -> str:
    """Query the views, build the page, write it to ``out``; the closing line (path, size,
    time, what the page says). Raises ``duckdb.Error``, ``SpotifyEtlError`` or
    ``ValueError`` saying what failed."""
    started = time.monotonic() if started is None else started
    with ThreadPoolExecutor(max_workers=1) as pool:
        bundle = pool.submit(vega_bundle)  # made while the queries run
        data = gather(target, zone)
        script, vega_lite = bundle.result()
    report = build_report(
        data,
        zone=zone,
        year=year,
        engine=engine_name(target),
        generated_at=datetime.now(ZoneInfo(zone.name)),
        vega_script=script,
        vega_lite=vega_lite,
    )
    size = write_page(out, report.html)
    return summary(out, size, time.monotonic() - started, report)


def engine_name(target: LocalTarget | AthenaTarget) -> str:
    if isinstance(target, LocalTarget):
        return f"DuckDB over the local stack's Parquet ({target.origin})"
    return f"Athena (database {target.database}, workgroup {target.workgroup})"


def gather(target: LocalTarget | AthenaTarget, zone: Zone) -> dict[str, Records]:
    """Every data set's records, queried in ``zone``."""
    views = load_views()
    queries = {d.key: zoned_query(d.sql, views, zone.name) for d in DATASETS}
    _say(f"report: {len(queries)} queries on {engine_name(target)}; times in {zone.name}")
    if isinstance(target, LocalTarget):
        results = _local(target, queries)
    else:
        results = asyncio.run(_athena(target, queries))
    tz = ZoneInfo(zone.name)
    return {
        d.key: rows_as_records(d.columns, results[d.key].columns, results[d.key].rows, tz)
        for d in DATASETS
    }


SHARED_VIEWS = ("play_items",)
"""Views every play chart reads (through ``report_plays``) that do not depend on the zone."""


def share_views(run: Callable[[str], object], views: Sequence[str] = SHARED_VIEWS) -> None:
    """On DuckDB, compute each of ``views`` once: a temporary table of its rows, which
    DuckDB reads instead of the view of the same name (the temporary schema comes first),
    in the queries and inside the other views. The answers are the same rows; without it
    each chart's query would work out ``distinct_plays`` again (2.2 s once instead of about
    1.5 s a query at 250,000 plays). Athena keeps no such state: there each query is whole."""
    for view in views:
        run(f'CREATE OR REPLACE TEMPORARY TABLE "{view}" AS SELECT * FROM main."{view}"')


def _local(target: LocalTarget, queries: Mapping[str, str]) -> dict[str, Rows]:
    _say("report: reading the lake's files")
    with local_runner(target) as run:
        share_views(run)
        return _each(queries, lambda sql: run(to_duckdb(sql)))


def _each(queries: Mapping[str, str], run: Callable[[str], Rows]) -> dict[str, Rows]:
    progress = start_progress("report: querying the views", len(queries))
    results: dict[str, Rows] = {}
    for key, sql in queries.items():
        try:
            results[key] = run(sql)
        except duckdb.Error as error:
            raise duckdb.Error(f"data set {key}: {error}") from error
        progress.advance(1)
    progress.close()
    return results


async def _athena(target: AthenaTarget, queries: Mapping[str, str]) -> dict[str, Rows]:
    progress = start_progress("report: querying the views on Athena", len(queries))
    limit = asyncio.Semaphore(ATHENA_AT_ONCE)
    async with athena_runner(target) as run:

        async def one(key: str, sql: str) -> tuple[str, Rows]:
            async with limit:
                rows = await run(sql)
            progress.advance(1)
            return key, rows

        done = await asyncio.gather(*(one(k, s) for k, s in queries.items()))
    progress.close()
    return dict(done)


BUNDLE_SNIPPET = "window.vegaEmbed = vegaEmbed;"
"""What the bundle exposes: Vega-Embed, the one function the page calls."""


def vega_bundle(cache: Path | None = None) -> tuple[str, str]:
    """Vega, Vega-Lite and Vega-Embed as one script (vl-convert's offline bundle, for the
    Vega-Lite version Altair writes), and that version. Making it takes 1.5-3 s of CPU, so
    it is kept in ``cache`` (by default the state folder's ``cache/``) per version."""
    import altair as alt

    version = alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0]
    folder = state_dir() / "cache" if cache is None else cache
    kept = folder / f"vega-bundle-{metadata.version('vl-convert-python')}-vl{version}.js"
    try:
        return kept.read_text(encoding="utf-8"), version
    except OSError:
        pass
    import vl_convert

    script = vl_convert.javascript_bundle(snippet=BUNDLE_SNIPPET, vl_version=version)
    with contextlib.suppress(OSError):  # no cache is only slower
        folder.mkdir(parents=True, exist_ok=True)
        partial = kept.with_name(f".{kept.name}.{os.getpid()}.partial")
        partial.write_text(script, encoding="utf-8")
        partial.replace(kept)
    return script, version


def write_page(path: Path, html: str) -> int:
    """Write ``html`` to ``path`` whole (a temporary file renamed over it); its size."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    data = html.encode("utf-8")
    partial.write_bytes(data)
    partial.replace(path)
    return len(data)


def summary(path: Path, size: int, seconds: float, report: Report) -> str:
    """The closing line: where, how big, how long, and what the page says."""
    card = report.card
    year = ""
    if card is not None and card.summary is not None:
        s = card.summary
        top = f", top artist {card.top_artists[0].name}" if card.top_artists else ""
        year = f" {card.year}: {plural(int(str(s['plays'])), 'play')}{top}."
    return (
        f"report: {path} ({size / 1e6:.1f} MB, {report.charts} charts, {seconds:.1f} s): "
        f"{report.headline}{year}"
    )
