"""What a ``transform-files`` run, or one batch of it, did: counts, rows per table, errors."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Outcome:
    """What a run (or one batch of it) did."""

    files: int = 0
    bytes: int = 0
    written: int = 0
    rows: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    """Members of a zip that are not streaming history (a download's other files)."""

    def add(self, other: Outcome) -> None:
        """Fold ``other`` into this outcome."""
        self.files += other.files
        self.bytes += other.bytes
        self.written += other.written
        self.rows.update(other.rows)
        self.errors.extend(other.errors)
        self.ignored.extend(other.ignored)
