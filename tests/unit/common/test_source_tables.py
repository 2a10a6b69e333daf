"""Every raw source says which curated tables it yields, and each of them is declared."""

from __future__ import annotations

from spotify_etl_common.source_tables import TABLES_OF
from spotify_etl_common.sources import Source
from spotify_etl_common.tables import TABLES


def test_every_source_yields_declared_tables() -> None:
    assert set(TABLES_OF) == set(Source)
    for source, tables in TABLES_OF.items():
        assert tables, source
        assert set(tables) <= set(TABLES), source
