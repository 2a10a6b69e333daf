"""A cut-off raw object is reported as truncated, not as malformed JSON at character 0."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from transformer.recognise import UnreadableObject, recognise
from transformer.truncation import truncation

EXAMPLES = Path(__file__).parents[2] / "data" / "reference_examples"
KEY = "raw/source=playlist_items/playlist_id=p/snapshot_id=s/page=0000.json"
RECORDED = sorted(EXAMPLES.glob("*.json"))


@pytest.mark.parametrize("path", RECORDED, ids=lambda p: p.name)
@pytest.mark.parametrize("fraction", [0.0005, 0.1, 0.5, 0.999])
def test_a_recorded_response_cut_anywhere_is_reported_as_truncated(
    path: Path, fraction: float
) -> None:
    body = path.read_bytes().rstrip()
    cut = body[: max(1, int(len(body) * fraction))]
    with pytest.raises(UnreadableObject) as caught:
        recognise(KEY, cut)
    assert caught.value.problem.startswith("raw object is truncated: its JSON ends ")
    assert "Syntax at character" not in caught.value.problem


@pytest.mark.parametrize("path", RECORDED, ids=lambda p: p.name)
def test_whole_recorded_responses_are_not_truncated(path: Path) -> None:
    assert truncation(path.read_bytes()) is None


def test_the_reason_says_what_was_left_open() -> None:
    assert truncation(b'{"items": [{"id": "a') == (
        "raw object is truncated: its JSON ends inside a string, with 2 open objects and "
        "1 open array (unexpected end: an interrupted write or a partial copy, "
        "to be fetched again)"
    )


@pytest.mark.parametrize(
    "body",
    [
        b'{"a": 1} trailing',  # complete, then garbage
        b'{"a": [1}',  # brackets that do not nest
        b'{"a": 1]}',
        b"not json",
        b'{"a": "x]}\\"", "b": 1}',  # brackets and escaped quotes inside strings do not count
    ],
)
def test_malformed_json_that_is_not_cut_is_not_called_truncated(body: bytes) -> None:
    assert truncation(body) is None


def test_malformed_json_keeps_its_parser_reason() -> None:
    body = json.dumps({"href": "https://api.spotify.com/v1/me/player/recently-played"})
    with pytest.raises(UnreadableObject, match="malformed JSON"):
        recognise(KEY, body.encode()[:-1] + b"]")
