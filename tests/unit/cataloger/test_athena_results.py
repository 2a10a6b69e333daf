"""Athena result pages become column names and rows."""

from __future__ import annotations

from typing import Any

from spotify_etl_common.athena import QueryResult, parse_results


def page(rows: list[list[str | None]], columns: list[str], token: str | None = None) -> Any:
    data = [{"Data": [{} if v is None else {"VarCharValue": v} for v in row]} for row in rows]
    out: dict[str, Any] = {
        "ResultSet": {
            "Rows": data,
            "ResultSetMetadata": {"ColumnInfo": [{"Name": c} for c in columns]},
        }
    }
    if token:
        out["NextToken"] = token
    return out


def test_header_row_dropped_and_nulls_kept_across_pages() -> None:
    pages = [
        page([["a", "b"], ["1", None]], ["a", "b"], token="t"),
        page([["a", "b"]], ["a", "b"]),
    ]
    assert parse_results(pages) == QueryResult(("a", "b"), (("1", None), ("a", "b")))
