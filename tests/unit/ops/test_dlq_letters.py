"""Dead letters: reading the worker's reasons, shaping redriven copies, planning batches."""

from __future__ import annotations

import json

from spotify_etl.dlq.letters import (
    ORIGINAL_ID,
    DeadLetter,
    next_batch_size,
    redrive_attributes,
    redrive_message,
    render_list,
    render_reason_counts,
    render_show,
)
from spotify_etl_common.sqs import OutgoingMessage, ReceivedMessage


def letter(message_id: str = "m-1", **attributes: str) -> ReceivedMessage:
    return ReceivedMessage(
        message_id=message_id,
        receipt_handle="h",
        body='{"key": "raw/x.json"}',
        attributes=attributes,
        receive_count=1,
        sent_timestamp_ms=0,
    )


WORKER_ATTRIBUTES = {
    "error.reason": "invalid RawObjectWritten message: key: Field required",
    "error.type": "PermanentError",
    "error.source_queue": "spotify-etl-transform",
    "error.failed_at": "2026-11-24T01:00:00+00:00",
    "error.receive_count": "1",
    "trace": "abc",
}


def test_redriven_copy_keeps_originals_drops_error_attributes_and_names_the_letter() -> None:
    assert redrive_attributes(letter("dl-9", **WORKER_ATTRIBUTES)) == {
        "trace": "abc",
        ORIGINAL_ID: "dl-9",
    }


def test_a_letter_redriven_before_keeps_its_first_original_id() -> None:
    received = letter("dl-2", **{ORIGINAL_ID: "dl-1", "error.reason": "again"})
    assert redrive_attributes(received)[ORIGINAL_ID] == "dl-1"


def test_redrive_message_carries_the_same_body() -> None:
    assert redrive_message(letter("x")) == OutgoingMessage(
        '{"key": "raw/x.json"}', {ORIGINAL_ID: "x"}
    )


def test_batches_stop_at_max_and_are_at_most_ten() -> None:
    assert next_batch_size(None, 500) == 10
    assert [next_batch_size(25, moved) for moved in (0, 10, 20, 25, 30)] == [10, 10, 5, 0, 0]


def test_dead_letter_reads_the_worker_reason_attributes() -> None:
    dead = DeadLetter.of(letter("m", **WORKER_ATTRIBUTES))
    assert (
        dead.reason,
        dead.error_type,
        dead.source_queue,
        dead.failed_at,
        dead.receive_count,
    ) == (
        WORKER_ATTRIBUTES["error.reason"],
        "PermanentError",
        "spotify-etl-transform",
        "2026-11-24T01:00:00+00:00",
        "1",
    )


def test_a_letter_moved_by_sqs_itself_has_no_reason() -> None:
    dead = DeadLetter.of(letter("m"))
    assert dead.reason is None
    assert "m" in render_list([dead])


def test_list_shows_id_failed_at_and_reason_per_row() -> None:
    text = render_list([DeadLetter.of(letter("id-1", **WORKER_ATTRIBUTES))]).splitlines()
    assert text[0].split() == ["MESSAGE", "ID", "FAILED", "AT", "TYPE", "REASON"]
    assert text[1].startswith("id-1")
    assert "2026-11-24T01:00:00+00:00" in text[1]
    assert "invalid RawObjectWritten message" in text[1]
    assert render_list([]) == "no dead letters"


def test_long_reasons_wrap_whole_under_the_reason_column() -> None:
    reason = (
        "s3://spotify-etl/raw/source=playlist_items/playlist_id=p1/snapshot_id=s/page=0003.json: "
        "raw object is truncated: the JSON ends at byte 8192 of the object's 8192 bytes "
        "(an interrupted upload?); fix the object or drop the message " + "x" * 150
    )
    dead = DeadLetter.of(letter("id-1", **{**WORKER_ATTRIBUTES, "error.reason": reason}))
    lines = render_list([dead, DeadLetter.of(letter("id-2"))], reason_width=60).splitlines()
    column = lines[0].index("REASON")
    first = lines[1].index("s3://")
    assert first == column
    continuation = lines[2 : lines.index(next(r for r in lines if r.startswith("id-2")))]
    assert len(continuation) >= 3
    assert all(line[:column].strip() == "" for line in continuation)
    assert all(len(line) - column <= 60 for line in lines[1:])
    shown = " ".join([lines[1][column:], *(line[column:] for line in continuation)])
    assert shown.replace(" ", "") == reason.replace(" ", "")  # every character, in order
    assert lines[-1].startswith("id-2")
    assert lines[-1].endswith("  -")
    assert f"error.reason: {reason}" in render_show(dead)


def test_show_prints_every_attribute_and_the_pretty_body() -> None:
    text = render_show(DeadLetter.of(letter("m", **WORKER_ATTRIBUTES)))
    for name, value in WORKER_ATTRIBUTES.items():
        assert f"  {name}: {value}" in text
    body = text.split("body:\n", 1)[1]
    assert json.loads(body) == {"key": "raw/x.json"}
    assert "\n  " in body


def test_redrive_dry_run_counts_reasons_most_common_first_and_wraps_them_whole() -> None:
    long = "s3://b/raw/k.json: raw object is truncated: " + "y" * 120
    letters = [
        DeadLetter.of(letter("a", **{"error.reason": "short"})),
        DeadLetter.of(letter("b", **{"error.reason": long})),
        DeadLetter.of(letter("c", **{"error.reason": long})),
        DeadLetter.of(letter("d")),
    ]
    lines = render_reason_counts(letters, width=50).splitlines()
    assert lines[0] == "       2  s3://b/raw/k.json: raw object is truncated:"
    assert lines[-2:] == ["       1  short", "       1  (no reason)"]
    wrapped = lines[1:-2]
    assert all(line.startswith(" " * 10) for line in wrapped)
    assert "".join(line.strip() for line in wrapped) == "y" * 120
