"""Tell a cut-off raw object from malformed JSON (pure; only run once parsing failed).

A body that stops inside a string, or with objects or arrays still open, and is
otherwise well nested, was cut: an interrupted write, a partial copy, a
download that ended early. That needs a new fetch, not a fix of the JSON.
"""

from __future__ import annotations

import re

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")
_PAIRS = {ord("}"): ord("{"), ord("]"): ord("[")}


def truncation(body: bytes) -> str | None:
    """Why ``body`` looks cut off ("ends inside 2 open objects..."), or None if it does not.

    None also for a body whose brackets do not nest: that is malformed, not cut.
    """
    text = _STRING.sub(b'""', body)
    in_string = b'"' in text.replace(b'""', b"")
    if in_string:
        text = text[: text.rfind(b'"', 0, len(text))]
    open_brackets: list[int] = []
    for match in _BRACKET.finditer(text):
        char = match.group()[0]
        if char in _PAIRS:
            if not open_brackets or open_brackets.pop() != _PAIRS[char]:
                return None
        else:
            open_brackets.append(char)
    if not open_brackets and not in_string:
        return None
    objects = open_brackets.count(ord("{"))
    arrays = len(open_brackets) - objects
    still_open = [
        f"{count} open {name}{'s' if count != 1 else ''}"
        for count, name in ((objects, "object"), (arrays, "array"))
        if count
    ]
    where = " and ".join(still_open) if still_open else "the top level"
    inside = "inside a string, " if in_string else ""
    return (
        f"raw object is truncated: its JSON ends {inside}with {where} "
        "(unexpected end: an interrupted write or a partial copy, to be fetched again)"
    )
