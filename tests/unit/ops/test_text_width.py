"""Display width: wide characters take two columns, combining marks none; wrapping keeps all."""

from __future__ import annotations

import pytest
from spotify_etl.text_width import display_width, pad, wrap


@pytest.mark.parametrize(
    ("text", "width"),
    [
        ("abc", 3),
        ("宇多田ヒカル", 12),  # CJK and fullwidth katakana: two columns each
        ("방탄소년단", 10),  # Hangul syllables
        ("🎵🔥", 4),  # emoji in the wide range
        ("e\u0301", 1),  # e + combining acute accent
        ("Beyonce\u0301", 7),
        ("👍\ufe0f", 2),  # variation selector takes no column
        ("👩\u200d💻", 4),  # zero-width joiner takes none (terminals differ on the pair)
        ("\uff21\uff22", 4),  # fullwidth Latin
        ("", 0),
    ],
)
def test_display_width(text: str, width: int) -> None:
    assert display_width(text) == width


def test_pad_fills_to_the_display_width_and_never_cuts() -> None:
    assert pad("宇多", 6) == "宇多  "
    assert pad("e\u0301", 3) == "e\u0301  "
    assert pad("toolong", 3) == "toolong"


def test_wrap_breaks_at_spaces_within_the_width() -> None:
    assert wrap("one two three four", 9) == ["one two", "three", "four"]


def test_wrap_splits_a_word_wider_than_a_line_and_drops_nothing() -> None:
    lines = wrap("x" * 25, 10)
    assert lines == ["x" * 10, "x" * 10, "x" * 5]


def test_wrap_counts_wide_characters_as_two_columns() -> None:
    lines = wrap("宇多田ヒカル 初恋", 9)
    assert lines == ["宇多田ヒ", "カル 初恋"]
    assert all(display_width(line) <= 9 for line in lines)


def test_wrap_of_nothing_is_one_empty_line() -> None:
    assert wrap("", 10) == [""]
