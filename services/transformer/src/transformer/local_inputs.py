"""The inputs and the tally of ``transform-files``: local paths, their raw keys, an outcome.

Kept apart from :mod:`transformer.local_files` (the process pool, in the parent)
and :mod:`transformer.file_batch` (one batch, in a worker) so that both import
it and neither imports the other: no import cycle, and no Polars in the parent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

RAW_MARKER = "/raw/source="


@dataclass
class Outcome:
    """What a run (or one batch of it) did."""

    files: int = 0
    bytes: int = 0
    written: int = 0
    rows: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def add(self, other: Outcome) -> None:
        """Fold ``other`` into this outcome."""
        self.files += other.files
        self.bytes += other.bytes
        self.written += other.written
        self.rows.update(other.rows)
        self.errors.extend(other.errors)


def find_files(paths: Iterable[Path]) -> list[Path]:
    """The files named, and every ``*.json`` under the folders named, once each, in order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.json") if p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"{path} does not exist")
    return list(dict.fromkeys(p.resolve() for p in found))


def source_key(path: Path) -> str:
    """The raw key of a local file: ``raw/...`` if it sits in a copy of the raw tree,
    else its absolute path."""
    text = path.resolve().as_posix()
    marker = text.find(RAW_MARKER)
    return text[marker + 1 :] if marker >= 0 else text
