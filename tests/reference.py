"""Where the recorded Spotify responses live (origin: tests/data/reference_examples/README.md).

They were recorded by two public client libraries (licences beside them) and
cover legacy shapes, a playlist item without ``track``, episodes and recently
played; every transformer and extractor model must read all of them.
"""

from __future__ import annotations

from pathlib import Path

EXAMPLES = Path(__file__).parent / "data" / "reference_examples"
