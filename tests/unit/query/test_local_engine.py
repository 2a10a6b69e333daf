"""The local engine's loading: tables from local files or Arrow rows, scratch files, lock-down."""

from __future__ import annotations

from concurrent.futures import Future
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pytest
from spotify_etl.query.local_engine import connect, save
from spotify_etl_common.tables import TABLES
from spotify_etl_lake.read import TableRead

AT = datetime(2026, 12, 1, tzinfo=UTC)
ARTISTS = {"artists": TABLES["artists"]}


def artists_file(path: Path, *rows: tuple[str, str]) -> str:
    pl.DataFrame(
        {
            "artist_id": [r[0] for r in rows],
            "name": [r[1] for r in rows],
            "source_key": ["raw/k"] * len(rows),
            "extracted_at": [AT] * len(rows),
        }
    ).write_parquet(path)
    return str(path)


def done(data: bytes) -> Future[bytes]:
    future: Future[bytes] = Future()
    future.set_result(data)
    return future


def test_a_table_is_the_union_of_its_files_with_missing_columns_as_typed_nulls(
    tmp_path: Path,
) -> None:
    files = [
        artists_file(tmp_path / "a.parquet", ("A1", "One")),
        artists_file(tmp_path / "b.parquet", ("A2", "Two")),
    ]
    con = connect({"artists": files}, ARTISTS, [])
    rows = con.execute("SELECT artist_id, name, url FROM artists ORDER BY 1").fetchall()
    assert rows == [("A1", "One", None), ("A2", "Two", None)]
    assert con.execute("SELECT typeof(url), typeof(extracted_at) FROM artists").fetchone() == (
        "VARCHAR",
        "TIMESTAMP WITH TIME ZONE",
    )


def test_rows_read_by_pyiceberg_load_like_files() -> None:
    rows = pa.table({"artist_id": ["A1"], "name": ["One"]})
    con = connect({"artists": rows}, ARTISTS, [])
    assert con.execute("SELECT artist_id, name, uri FROM artists").fetchall() == [
        ("A1", "One", None)
    ]


def test_a_table_without_rows_is_an_empty_view_of_its_declared_columns() -> None:
    con = connect({}, ARTISTS, [])
    assert con.execute("SELECT count(*) FROM artists").fetchone() == (0,)
    assert [d[0] for d in con.execute("SELECT * FROM artists").description] == list(
        TABLES["artists"].column_names
    )


def test_once_loaded_the_connection_reads_no_file(tmp_path: Path) -> None:
    outside = artists_file(tmp_path / "outside.parquet", ("A9", "Secret"))
    con = connect({}, ARTISTS, [])
    with pytest.raises(duckdb.PermissionException):
        con.execute(f"SELECT * FROM read_parquet('{outside}')").fetchall()
    with pytest.raises(duckdb.Error):
        con.execute("SET enable_external_access = true")


def test_downloaded_files_are_named_by_number_inside_the_scratch_folder(tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    source = artists_file(tmp_path / "a.parquet", ("A1", "One"))
    body = Path(source).read_bytes()
    odd = TableRead("artists", "iceberg", ("s3://b/curated/../../../../etc/x.parquet",))
    plain = TableRead("tracks", "iceberg", ("s3://b/curated/tracks/data/y.parquet",))
    saved = save([(odd, [done(body)]), (plain, [done(body)])], scratch)
    assert saved == {
        "artists": [str(scratch / "000000.parquet")],
        "tracks": [str(scratch / "000001.parquet")],
    }
    assert sorted(p.name for p in tmp_path.rglob("*.parquet")) == [
        "000000.parquet",
        "000001.parquet",
        "a.parquet",
    ]
