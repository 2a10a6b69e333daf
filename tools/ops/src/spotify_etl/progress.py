"""A plain progress line on stderr: ``label: done/total (pct)``, redrawn in place on a TTY."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Counts work done; redraws at most every ``interval`` seconds."""

    def __init__(
        self, label: str, total: int, stream: TextIO | None = None, interval: float = 0.2
    ) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.interval = interval
        self._last = 0.0
        self._decile = 0
        self._printed = -1

    def line(self) -> str:
        """The progress text for the current count."""
        if self.total <= 0:
            return f"{self.label}: {self.done}"
        pct = 100 * self.done / self.total
        width = 30
        filled = round(width * self.done / self.total)
        bar = "#" * filled + "." * (width - filled)
        return f"{self.label}: [{bar}] {self.done}/{self.total} ({pct:.0f}%)"

    def advance(self, count: int) -> None:
        """Add ``count`` finished items and redraw if due."""
        self.done += count
        now = time.monotonic()
        if now - self._last >= self.interval or self.done >= self.total:
            self._last = now
            self._draw(final=False)

    def close(self) -> None:
        """Draw the final state and end the line."""
        self._draw(final=True)

    def _draw(self, final: bool) -> None:
        if self.stream.isatty():
            self.stream.write("\r" + self.line() + ("\n" if final else ""))
        else:  # a log file or CI: one line per tenth, and the final one
            decile = 10 * self.done // self.total if self.total > 0 else 0
            if (not final and decile <= self._decile) or self._printed == self.done:
                return
            self._decile, self._printed = decile, self.done
            self.stream.write(self.line() + "\n")
        self.stream.flush()
