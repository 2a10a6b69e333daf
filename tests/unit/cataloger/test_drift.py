"""Drift between a Glue table and its declaration, in words."""

from __future__ import annotations

from dataclasses import replace

from cataloger.definitions import Projection, table_input
from cataloger.drift import drift, from_input
from spotify_etl_common.tables import TABLES, Table

ALBUMS = TABLES["albums"]


def declared(table: Table = ALBUMS, projection: Projection | None = None):  # type: ignore[no-untyped-def]
    return from_input(table_input("bkt", table, projection))


def test_a_table_equal_to_its_declaration_has_no_drift() -> None:
    assert drift(declared(), declared()) == ()


def test_a_table_that_gained_a_column_drifts_with_the_column_named() -> None:
    older = replace(ALBUMS, columns=tuple(c for c in ALBUMS.columns if c.name != "release_year"))
    reasons = drift(declared(older), declared())
    assert reasons[0] == "columns added: release_year"


def test_crawler_guessed_types_drift_and_are_listed() -> None:
    guessed = declared()
    guessed = replace(
        guessed,
        columns=tuple((n, "bigint" if n == "total_tracks" else t) for n, t in guessed.columns),
        partition_keys=(("dt", "date"),),
    )
    assert drift(guessed, declared()) == (
        "column types restored: total_tracks bigint -> int",
        "partition keys (('dt', 'date'),) -> (('dt', 'string'),)",
    )


def test_turning_projection_off_drifts_on_the_stale_projection_parameters() -> None:
    reasons = drift(declared(projection=Projection("2024-01-01")), declared())
    assert len(reasons) == 1
    assert reasons[0].startswith("parameters: projection.dt.format")
