"""Generate a realistic corpus of raw playlist-item pages, with a manifest of expected rows.

Each file is one page of ``GET /playlists/{id}/tracks`` (legacy shape, key
``track``) or ``GET /playlists/{id}/items`` (2026 shape, key ``item`` plus the
deprecated duplicate ``track``), drawn and rendered by :mod:`bench.corpus` (the
fake's payloads, full market lists, the odd items at fixed rates). The
manifest's expected row counts are computed from what was drawn, independently
of the transformer:

    uv run python -m bench.transform_corpus OUT_DIR [--size 1GB] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from bench.corpus import Expected, Renderer, random_catalog, random_entries

ITEMS_PER_FILE = 100
PAGES_PER_PLAYLIST = 10
BYTES_PER_FILE = 1_000_000_000 // 2_400
"""About 420 kB per page: 2,400 files of 100 items make 1 GB."""


def parse_size(text: str) -> int:
    """``1GB``, ``50MB``, ``300kB`` or a plain number of bytes."""
    units = {"GB": 10**9, "MB": 10**6, "KB": 10**3, "B": 1}
    upper = text.strip().upper()
    for unit, factor in units.items():
        if upper.endswith(unit):
            return int(float(upper[: -len(unit)]) * factor)
    return int(upper)


def generate(out: Path, size: int, seed: int = 7) -> Expected:
    """Write about ``size`` bytes of pages under ``out/pages`` and ``out/manifest.json``."""
    rng = random.Random(seed)
    files = max(1, round(size / BYTES_PER_FILE))
    catalog = random_catalog(rng, tracks=max(50, files * 40))
    render = Renderer(catalog)
    expected = Expected()
    pages = out / "pages"
    pages.mkdir(parents=True, exist_ok=True)
    written = 0
    for number in range(files):
        playlist, page = divmod(number, PAGES_PER_PLAYLIST)
        playlist_id = f"pl{playlist:05d}" + "x" * 15
        entries = random_entries(rng, catalog, ITEMS_PER_FILE)
        expected.add_page(catalog, entries)
        body = render.page(
            playlist_id,
            entries,
            page * ITEMS_PER_FILE,
            PAGES_PER_PLAYLIST * ITEMS_PER_FILE,
            legacy=playlist % 4 != 3,
        )
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        # The seed's naming: one timestamped dump per page, nothing in the name about content.
        name = f"spotify_raw_2026-11-24 00:{number // 60 % 60:02d}:{number % 60:02d}.{number:06d}"
        (pages / f"{name}.json").write_bytes(data)
        written += len(data)
    manifest = {
        "files": files,
        "bytes": written,
        "expected_rows": expected.rows,
        "item_types": expected.item_types,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return expected


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="directory to write the pages into")
    parser.add_argument("--size", default="1GB", help="total size, e.g. 1GB, 50MB (default 1GB)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    args = parser.parse_args(argv)
    generate(args.out, parse_size(args.size), args.seed)
    manifest = json.loads((args.out / "manifest.json").read_text())
    print(f"wrote {manifest['files']} files, {manifest['bytes'] / 1e6:.1f} MB to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
