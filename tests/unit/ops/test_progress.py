"""The plain progress line: a bar on a TTY, one line per tenth in a log."""

from __future__ import annotations

import io

from spotify_etl.progress import Progress


def test_log_output_has_one_line_per_tenth_and_a_final_line() -> None:
    stream = io.StringIO()
    progress = Progress("replay transform", 100, stream=stream, interval=0)
    for _ in range(100):
        progress.advance(1)
    progress.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 10
    assert lines[0].endswith("10/100 (10%)")
    assert lines[-1] == "replay transform: [" + "#" * 30 + "] 100/100 (100%)"


def test_unknown_total_shows_the_count() -> None:
    stream = io.StringIO()
    progress = Progress("redrive", 0, stream=stream)
    progress.advance(3)
    progress.close()
    assert stream.getvalue().splitlines()[-1] == "redrive: 3"
