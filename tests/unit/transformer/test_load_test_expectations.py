"""The load test's independent row counts agree with the transformer, page by page.

``bench/load_test.py`` (``bench.load``) checks the curated tables for missing rows against counts it
computes from what it generated. If those counts were wrong, a 5,000-object run
would report rows missing (or hide them); this pins them to the transformer's core.
"""

from __future__ import annotations

from spotify_etl_common.keys import parse_raw_key
from transformer.core import RawObject, transform

from bench.load.pages import EXTRACTED_AT, generate


def test_generated_pages_hold_exactly_the_rows_the_load_test_expects() -> None:
    pages, expected = generate(objects=60, items=50, seed=3)
    written = dict.fromkeys(expected.rows, 0)
    for key, body in pages.items():
        parts = parse_raw_key(key)
        assert parts is not None, key
        raw = RawObject(key, body, EXTRACTED_AT, parts.entity_id, parts.snapshot_id)
        tables = transform([raw]).tables
        for table in written:
            written[table] += tables[table].height
    assert written == expected.rows
    # The pages exercise what the check must tell apart: repeats, both shapes, odd items.
    assert expected.rows["tracks"] < expected.rows["playlist_items"]
    assert {b'"item":' in body for body in pages.values()} == {True, False}
    assert any(b'"is_local": true' in body for body in pages.values())
    assert all(expected.item_types.values()), expected.item_types  # episodes, locals, nulls
