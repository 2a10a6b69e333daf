"""Text as a terminal lays it out: display width, padding and wrapping (pure).

East Asian wide and fullwidth characters (CJK, most emoji) take two columns;
combining marks, variation selectors, zero-width joiners and other format
characters take none; everything else one (``unicodedata``'s tables).
"""

from __future__ import annotations

import unicodedata

_ZERO_WIDTH_CATEGORIES = frozenset({"Mn", "Me", "Cf"})


def char_width(char: str) -> int:
    """Columns one character takes: 0, 1 or 2."""
    if unicodedata.category(char) in _ZERO_WIDTH_CATEGORIES or unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in {"W", "F"} else 1


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal."""
    return sum(char_width(c) for c in text)


def pad(text: str, width: int) -> str:
    """``text`` followed by spaces up to ``width`` columns (never cut)."""
    return text + " " * max(0, width - display_width(text))


def _split(word: str, width: int) -> list[str]:
    """A word wider than ``width`` in pieces of at most ``width`` columns."""
    pieces: list[str] = []
    current, used = "", 0
    for char in word:
        size = char_width(char)
        if used + size > width and current:
            pieces.append(current)
            current, used = "", 0
        current += char
        used += size
    return [*pieces, current] if current else pieces


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns, broken at spaces where it can be.

    Nothing is dropped: a word wider than a line is split across lines.
    """
    lines: list[str] = []
    current, used = "", 0
    for word in text.split():
        for piece in _split(word, width):
            size = display_width(piece)
            if current and used + 1 + size <= width:
                current, used = f"{current} {piece}", used + 1 + size
                continue
            if current:
                lines.append(current)
            current, used = piece, size
    return [*lines, current] if current else lines or [""]
