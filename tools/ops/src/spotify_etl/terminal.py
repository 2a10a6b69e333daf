"""The CLI's tables and progress bars, drawn by rich (imported only when something is drawn).

Tables are rendered to plain text: no colour, no markup (every cell is literal
text, ``[address]`` included), at their natural width, columns aligned by
display width (a CJK character or an emoji takes two columns, a combining
accent none) and trailing spaces cut. So a pipe, a log file or a test reads
the same aligned text a terminal shows. A progress bar is drawn only on a
terminal; anywhere else (a log, CI) progress is one plain line per tenth, and
the last one.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol, TextIO

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

TEXT_WIDTH = 100_000
"""Width tables are laid out in: wider than any table, so that none is wrapped or cut."""


def cells(values: Iterable[str]) -> list[Text]:
    """``values`` as literal rich text (no markup, no emoji codes)."""
    from rich.text import Text

    return [Text(value) for value in values]


def plain_text(renderable: RenderableType, width: int = TEXT_WIDTH) -> str:
    """``renderable`` (a rich table) as plain text lines, trailing spaces cut."""
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        color_system=None,
        force_terminal=False,
        force_jupyter=False,
        force_interactive=False,
        no_color=True,
        highlight=False,
        emoji=False,
        markup=False,
        legacy_windows=False,
    )
    console.print(renderable)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines())


class Progress(Protocol):
    """Work done out of a known total, shown as it advances."""

    def advance(self, count: int) -> None:
        """Add ``count`` finished items."""

    def close(self) -> None:
        """Show the final state and end the display (an error then starts a line of its own)."""


def progress(label: str, total: int, stream: TextIO | None = None) -> Progress:
    """A rich bar on a terminal, plain lines elsewhere; on ``stream`` (default stderr)."""
    out = stream if stream is not None else sys.stderr
    return _Bar(label, total, out) if out.isatty() else _Lines(label, total, out)


class _Bar:
    """rich's progress bar: label, bar, done/total, percentage, elapsed time."""

    def __init__(self, label: str, total: int, stream: TextIO) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
        )
        from rich.progress import Progress as RichProgress

        self._bar = RichProgress(
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            console=Console(file=stream),
        )
        self._task = self._bar.add_task(label, total=total if total > 0 else None)
        self._bar.start()

    def advance(self, count: int) -> None:
        self._bar.advance(self._task, count)

    def close(self) -> None:
        self._bar.stop()


class _Lines:
    """``label: done/total (pct%)`` once per tenth of the total, and once at the end."""

    def __init__(self, label: str, total: int, stream: TextIO) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self.stream = stream
        self._tenth = 0
        self._printed = -1

    def line(self) -> str:
        if self.total <= 0:
            return f"{self.label}: {self.done}"
        return f"{self.label}: {self.done}/{self.total} ({100 * self.done / self.total:.0f}%)"

    def advance(self, count: int) -> None:
        self.done += count
        tenth = 10 * self.done // self.total if self.total > 0 else 0
        if tenth > self._tenth:
            self._tenth = tenth
            self._write()

    def close(self) -> None:
        self._write()

    def _write(self) -> None:
        if self._printed != self.done:
            self._printed = self.done
            self.stream.write(self.line() + "\n")
            self.stream.flush()
