"""Streaming history from Spotify's data export: rows of ``plays`` (pure, no I/O).

Reads the raw ``streaming_history`` objects ``spotify-etl import-history``
writes and the export's own files alike (a JSON array of rows of one format,
:mod:`spotify_etl_common.streaming_history`). The format is recognised from the
keys of the first row; only the fields the table needs are read, so the IP
addresses and user agents of an original file are never parsed, let alone kept,
and an address inside the free text of ``platform`` is replaced by
``[address]`` as the importer does.

Every row becomes a play, those Spotify knows nothing about (no names, no URI)
and zero-millisecond ones included; ``origin`` is ``export``. Recently played
rows get ``origin`` ``recently_played`` and null export columns
(:data:`RECENTLY_PLAYED_COLUMNS`).
"""

from __future__ import annotations

import json

import polars as pl
from spotify_etl_common.streaming_history import HistoryKind, kind_of, without_addresses

EXPORT = "export"
RECENTLY_PLAYED = "recently_played"
_S = pl.String()
_PROBE_BYTES = 65_536
MS_THRESHOLD = 100_000_000_000
"""``offline_timestamp`` at or above this is in milliseconds (1e11 s is the year 5138; 1e11 ms
is 1973): both units occur in real exports."""

_BOOLEANS = ("shuffle", "skipped", "offline", "incognito_mode")
READ_SCHEMAS: dict[HistoryKind, pl.Schema] = {
    HistoryKind.EXTENDED: pl.Schema(
        {
            "ts": _S,
            "platform": _S,
            "ms_played": pl.Int64(),
            "conn_country": _S,
            "master_metadata_track_name": _S,
            "master_metadata_album_artist_name": _S,
            "master_metadata_album_album_name": _S,
            "spotify_track_uri": _S,
            "episode_name": _S,
            "episode_show_name": _S,
            "spotify_episode_uri": _S,
            "reason_start": _S,
            "reason_end": _S,
            # Booleans read as text: some older files write 0/1, which a Boolean read rejects.
            **dict.fromkeys(_BOOLEANS, _S),
            "offline_timestamp": pl.Int64(),
        }
    ),
    HistoryKind.ACCOUNT_MUSIC: pl.Schema(
        {"endTime": _S, "artistName": _S, "trackName": _S, "msPlayed": pl.Int64()}
    ),
    HistoryKind.ACCOUNT_PODCAST: pl.Schema(
        {"endTime": _S, "podcastName": _S, "episodeName": _S, "msPlayed": pl.Int64()}
    ),
}
"""Polars read schemas: the fields of each format the table needs, nothing else."""
_NUMERIC = {
    k: [n for n, t in schema.items() if t == pl.Int64()] for k, schema in READ_SCHEMAS.items()
}

EXPORT_COLUMNS = (
    "ms_played",
    "episode_id",
    "reason_start",
    "reason_end",
    "shuffle",
    "skipped",
    "offline",
    "offline_at",
    "incognito_mode",
    "platform",
    "conn_country",
    "track_name",
    "artist_name",
    "album_name",
    "episode_name",
    "show_name",
)
"""Columns of ``plays`` only the export fills."""


class NotHistory(Exception):
    """A JSON array that cannot be read as a streaming history; ``problem`` says why."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def recently_played_columns() -> list[pl.Expr]:
    """The export columns as nulls and ``origin``, for rows of a recently played page."""
    return [
        *(pl.lit(None).alias(c) for c in EXPORT_COLUMNS),
        pl.lit(RECENTLY_PLAYED).alias("origin"),
    ]


_BOM = b"\xef\xbb\xbf"
"""The UTF-8 byte order mark some tools put before the export's files."""


def _without_bom(body: bytes) -> bytes:
    stripped = body.lstrip()
    return stripped[len(_BOM) :] if stripped.startswith(_BOM) else body


def is_array(body: bytes) -> bool:
    """Whether ``body`` is a JSON array (every other raw object is a JSON object), a byte
    order mark before it allowed."""
    return _without_bom(body).lstrip()[:1] == b"["


def is_history(body: bytes) -> bool:
    """Whether ``body`` is a streaming-history file: a JSON array of plays of one of the
    formats (:func:`~spotify_etl_common.streaming_history.kind_of`), or an empty array."""
    if not is_array(body):
        return False
    try:
        first = _first_row(_without_bom(body))
    except NotHistory:
        return False
    return first is None or kind_of(first.keys()) is not None


def _first_row(body: bytes) -> dict[str, object] | None:
    """The first element of the array ``body`` (None for ``[]``), decoded on its own."""
    text = body[:_PROBE_BYTES].decode("utf-8", errors="ignore")
    start = text.index("[") + 1
    while start < len(text) and text[start] in " \t\r\n":
        start += 1
    if text[start : start + 1] == "]":
        return None
    decoder = json.JSONDecoder()
    try:
        row, _ = decoder.raw_decode(text, start)
    except json.JSONDecodeError:
        try:  # a first element longer than the probe: decode the whole body
            rows = json.loads(body)
        except json.JSONDecodeError as error:
            raise NotHistory(f"malformed JSON ({error})") from None
        row = rows[0] if rows else None
    if not isinstance(row, dict):
        raise NotHistory(
            "unexpected JSON shape (an array whose first element is not an object: "
            "neither a Spotify response nor a streaming history)"
        )
    return row


TIME_FORMATS: dict[HistoryKind, tuple[str, ...]] = {
    HistoryKind.EXTENDED: (
        "%Y-%m-%dT%H:%M:%S%.f%#z",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
    ),
    HistoryKind.ACCOUNT_MUSIC: ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S%.f%#z"),
    HistoryKind.ACCOUNT_PODCAST: ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S%.f%#z"),
}
"""End-time forms read, the format's own first (``2024-01-15T14:30:12Z``, ``2024-01-15
14:30``); a time without an offset is UTC."""


def _utc(expr: pl.Expr, kind: HistoryKind) -> pl.Expr:
    text = expr.str.strip_chars()
    return pl.coalesce(
        text.str.to_datetime(fmt, time_unit="us", time_zone="UTC", strict=False)
        if "%#z" not in fmt
        else text.str.to_datetime(fmt, time_unit="us", strict=False).dt.convert_time_zone("UTC")
        for fmt in TIME_FORMATS[kind]
    )


def _flag(column: str) -> pl.Expr:
    text = pl.col(column).str.to_lowercase()
    return (
        pl.when(text.is_in(["true", "1"]))
        .then(True)
        .when(text.is_in(["false", "0"]))
        .then(False)
        .otherwise(None)
        .alias(column)
    )


def _uri_id(column: str, kind: str) -> pl.Expr:
    prefix = f"spotify:{kind}:"
    uri = pl.col(column)
    return pl.when(uri.str.starts_with(prefix)).then(uri.str.strip_prefix(prefix))


def offline_at(seconds_or_ms: pl.Expr) -> pl.Expr:
    """``offline_timestamp`` as a UTC time, whichever unit the row used; 0 and less are null."""
    unit_ms = (
        pl.when(seconds_or_ms >= MS_THRESHOLD).then(seconds_or_ms).otherwise(seconds_or_ms * 1000)
    )
    return (
        pl.when(seconds_or_ms > 0)
        .then(pl.from_epoch(unit_ms, time_unit="ms"))
        .cast(pl.Datetime("us"))
        .dt.replace_time_zone("UTC")
    )


def _without_addresses(platforms: pl.Series) -> pl.Series:
    """``platform`` with any IP address in it replaced, as the importer's scrub does (one
    function, :func:`~spotify_etl_common.streaming_history.without_addresses`, called once per
    distinct value: a file has a few devices, and most rows name none with an address)."""
    changed = {}
    for value in platforms.drop_nulls().unique():
        scrubbed = without_addresses(value)
        if scrubbed != value:
            changed[value] = scrubbed
    return platforms.replace(changed) if changed else platforms


def _extended(rows: pl.DataFrame) -> pl.DataFrame:
    return rows.select(
        _utc(pl.col("ts"), HistoryKind.EXTENDED).alias("played_at"),
        _uri_id("spotify_track_uri", "track").alias("track_id"),
        pl.lit(None, _S).alias("context_type"),
        pl.lit(None, _S).alias("context_uri"),
        "ms_played",
        _uri_id("spotify_episode_uri", "episode").alias("episode_id"),
        "reason_start",
        "reason_end",
        _flag("shuffle"),
        _flag("skipped"),
        _flag("offline"),
        offline_at(pl.col("offline_timestamp")).alias("offline_at"),
        _flag("incognito_mode"),
        pl.col("platform").map_batches(_without_addresses, return_dtype=_S),
        "conn_country",
        pl.col("master_metadata_track_name").alias("track_name"),
        pl.col("master_metadata_album_artist_name").alias("artist_name"),
        pl.col("master_metadata_album_album_name").alias("album_name"),
        "episode_name",
        pl.col("episode_show_name").alias("show_name"),
    )


def _account(rows: pl.DataFrame, kind: HistoryKind) -> pl.DataFrame:
    music = kind is HistoryKind.ACCOUNT_MUSIC
    names = {
        "track_name": "trackName" if music else None,
        "artist_name": "artistName" if music else None,
        "episode_name": None if music else "episodeName",
        "show_name": None if music else "podcastName",
    }
    columns = {
        "played_at": _utc(pl.col("endTime"), kind),
        "ms_played": pl.col("msPlayed"),
        **{n: pl.col(field) if field else pl.lit(None, _S) for n, field in names.items()},
    }
    return rows.select(
        *(expr.alias(name) for name, expr in columns.items()),
        *(pl.lit(None).alias(c) for c in ("track_id", "context_type", "context_uri")),
        *(pl.lit(None).alias(c) for c in EXPORT_COLUMNS if c not in columns),
    )


def read_history(body: bytes) -> pl.DataFrame:
    """``body`` (a JSON array) as ``plays`` rows without lineage; :class:`NotHistory` if it is
    not a streaming history, or has a row without a readable end time."""
    body = _without_bom(body)
    first = _first_row(body)
    kind = HistoryKind.EXTENDED if first is None else kind_of(first.keys())
    if kind is None:
        assert first is not None
        names = ", ".join(sorted(first)[:8]) or "none"
        raise NotHistory(
            f"a JSON array, but not a Spotify streaming history (first row's keys: {names}; "
            "expected ts and ms_played, or endTime and msPlayed)"
        )
    try:
        rows = pl.read_json(body, schema=READ_SCHEMAS[kind])
    except pl.exceptions.PolarsError:
        # Polars' message quotes the offending value, and the export's own files hold IP
        # addresses: the reason (a DLQ attribute, a log line) names the fields, never a value.
        raise NotHistory(
            f"unreadable {kind} streaming history (a value of the wrong type: "
            f"{', '.join(_NUMERIC[kind])} must be whole numbers, the other fields text or "
            "booleans); import the file with `spotify-etl import-history`, which reads each "
            "value in its type"
        ) from None
    plays = _extended(rows) if kind is HistoryKind.EXTENDED else _account(rows, kind)
    plays = plays.with_columns(pl.lit(EXPORT).alias("origin"))
    untimed = plays.get_column("played_at").null_count()
    if untimed:
        field = "ts" if kind is HistoryKind.EXTENDED else "endTime"
        raise NotHistory(f"{untimed} of {plays.height} {kind} rows have no readable {field}")
    return plays


def plays_table(rows: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The core's builder for the ``streaming_history`` source: the rows, with lineage."""
    return {"plays": rows}
