"""The CLI's terminal output: rich's bar on a terminal, plain lines in a log, literal table text."""

from __future__ import annotations

import io

from spotify_etl.terminal import cells, plain_text, progress


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_a_log_gets_one_line_per_tenth_and_a_final_line() -> None:
    stream = io.StringIO()
    shown = progress("replay transform", 100, stream=stream)
    for _ in range(100):
        shown.advance(1)
    shown.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 10
    assert lines[0] == "replay transform: 10/100 (10%)"
    assert lines[-1] == "replay transform: 100/100 (100%)"


def test_a_log_line_for_an_unfinished_run_says_where_it_stopped() -> None:
    stream = io.StringIO()
    shown = progress("import-history objects", 40, stream=stream)
    shown.advance(13)
    shown.close()  # an error stopped it: the last line says how far it got
    assert stream.getvalue().splitlines() == [
        "import-history objects: 13/40 (32%)",
    ]


def test_unknown_total_shows_the_count() -> None:
    stream = io.StringIO()
    shown = progress("redrive", 0, stream=stream)
    shown.advance(3)
    shown.close()
    assert stream.getvalue().splitlines()[-1] == "redrive: 3"


def test_a_terminal_gets_richs_bar_with_the_count_and_percentage() -> None:
    stream = Terminal()
    shown = progress("replay transform", 20, stream=stream)
    shown.advance(20)
    shown.close()
    drawn = stream.getvalue()
    assert "replay transform" in drawn
    assert "20/20" in drawn
    assert "100%" in drawn
    assert "\x1b[" in drawn  # drawn in place, as a terminal is
    assert "replay transform: 20/20" not in drawn  # not the log form


def test_table_cells_are_literal_text_never_markup() -> None:
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    table.add_column("platform")
    table.add_row(*cells(["cast [address] (tv)"]))
    table.add_row(*cells(["[bold]x[/bold] :smile:"]))
    assert plain_text(table).splitlines() == [
        "platform",
        "cast [address] (tv)",
        "[bold]x[/bold] :smile:",
    ]
