"""Athena (Trino) view SQL -> DuckDB SQL with sqlglot: one source of truth for both engines."""

from __future__ import annotations

import sqlglot
from spotify_etl_views import View


def to_duckdb(sql: str) -> str:
    """One Athena statement as DuckDB SQL; ``ValueError`` saying what could not be read."""
    try:
        statements = sqlglot.transpile(sql, read="athena", write="duckdb")
    except sqlglot.errors.ParseError as error:
        raise ValueError(f"cannot read Athena SQL: {error}") from error
    if len(statements) != 1:
        raise ValueError(f"expected one SQL statement, got {len(statements)}")
    return statements[0]


def duckdb_view_sql(view: View) -> str:
    """``CREATE OR REPLACE VIEW`` of a packaged view, transpiled for DuckDB."""
    return f'CREATE OR REPLACE VIEW "{view.name}" AS\n{to_duckdb(view.select)}'
