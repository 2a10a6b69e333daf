"""A run cut by its deadline is deferred (exit 0, ExtractionDeferred 1); SIGTERM, failures not."""

from __future__ import annotations

import json

import pytest
from extractor.main import log_report
from extractor.outcome import Outcome, Status
from extractor.run import RunReport
from extractor.spotify.circuit import Circuit
from spotify_etl_common.logs import configure_logging


def _cut(**more: object) -> RunReport:
    report = RunReport(
        run_id="r",
        outcomes=[
            Outcome("playlist a", Status.EXTRACTED, objects=3),
            Outcome("playlist b", Status.STOPPED, error="playlist b stopped"),
            Outcome("saved_tracks", Status.STOPPED, error="saved_tracks stopped"),
        ],
        stop_reason="the run deadline (EXTRACTOR_RUN_DEADLINE) passed",
        deadline=True,
        deferred_entities=7,
    )
    for name, value in more.items():
        setattr(report, name, value)
    return report


def _metrics(report: RunReport, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    configure_logging("extractor", "INFO")
    capsys.readouterr()
    log_report(report)
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.startswith("{")]
    [summary] = [x for x in lines if x["event"] == "extract.run.summary"]
    return dict(summary)


def test_a_deadline_cut_is_deferred_naming_what_waits(capsys: pytest.CaptureFixture[str]) -> None:
    report = _cut()
    assert report.deferred
    assert not report.ok
    summary = _metrics(report, capsys)
    assert [summary[m] for m in ("ExtractionSucceeded", "ExtractionFailed")] == [0, 0]
    assert summary["ExtractionDeferred"] == 1
    assert summary["level"] == "info"
    assert summary["deferred_sources"] == ["playlist b", "saved_tracks"]
    assert summary["deferred_entities"] == 7
    [line] = [x for x in report.summary_lines() if not x.startswith("run ")]
    assert line.startswith("DEFERRED the run deadline (EXTRACTOR_RUN_DEADLINE) was reached")
    assert "playlist b, saved_tracks; 7 albums, artists, episodes, shows and tracks" in line


def test_a_deadline_cut_with_a_failure_is_a_failed_run(capsys: pytest.CaptureFixture[str]) -> None:
    failing = Outcome("playlist c", Status.FAILED, error="playlist c failed: 404")
    report = _cut()
    report.outcomes.append(failing)
    assert not report.deferred
    summary = _metrics(report, capsys)
    assert (summary["ExtractionFailed"], summary["ExtractionDeferred"]) == (1, 0)


def test_sigterm_is_a_stop_not_a_deferral(capsys: pytest.CaptureFixture[str]) -> None:
    report = _cut(stop_reason="a stop signal (SIGTERM) arrived", deadline=False)
    assert not report.deferred
    summary = _metrics(report, capsys)
    assert (summary["ExtractionFailed"], summary["ExtractionDeferred"]) == (1, 0)
    assert any(
        x.startswith("STOPPED run stopped early: a stop signal") for x in report.summary_lines()
    )


def test_the_circuit_tells_a_deadline_from_a_signal() -> None:
    now = [0.0]
    at_deadline = Circuit(deadline=1.0, clock=lambda: now[0])
    signalled = Circuit(deadline=1.0, clock=lambda: now[0])
    signalled.stop("a stop signal (SIGTERM) arrived")
    now[0] = 2.0
    assert at_deadline.tripped
    assert at_deadline.deadline_reached
    assert signalled.tripped
    assert not signalled.deadline_reached
