"""The load test's raw playlist-item pages, keyed like the extractor's, and the rows they hold."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

from spotify_etl_common.keys import playlist_items_key

from bench.corpus import Expected, Renderer, random_catalog, random_entries

EXTRACTED_AT = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
PAGES_PER_PLAYLIST = 20


def generate(objects: int, items: int, seed: int = 7) -> tuple[dict[str, bytes], Expected]:
    """``objects`` pages of ``items`` playlist items each, keyed like the extractor's.

    Odd playlists have the 2026 ``/items`` shape, even ones the legacy ``/tracks``
    one; ids repeat across pages (one catalogue), market lists are the fake's.
    """
    rng = random.Random(seed)
    catalog = random_catalog(rng, max(50, objects * items // 20))
    render = Renderer(catalog, markets=None)
    pages: dict[str, bytes] = {}
    expected = Expected()
    for number in range(objects):
        playlist, page = divmod(number, PAGES_PER_PLAYLIST)
        playlist_id = f"pl{playlist:06d}" + "x" * 14
        entries = random_entries(rng, catalog, items)
        expected.add_page(catalog, entries)
        body = render.page(
            playlist_id, entries, page * items, PAGES_PER_PLAYLIST * items, legacy=playlist % 2 == 0
        )
        key = playlist_items_key(playlist_id, f"snap{playlist % 7}", page)
        pages[key] = json.dumps(body, ensure_ascii=False).encode()
    return pages, expected
