"""The worker's settle policy is a pure function from how handling ended to a decision."""

from __future__ import annotations

import asyncio

import pytest
from spotify_etl_common.errors import PermanentError, SpotifyEtlError, TransientError
from spotify_etl_common.worker_settle import Action, Outcome, Settlement, settle

CAP = 900


def test_success_is_deleted() -> None:
    assert settle(None, max_retry_delay=CAP) == Settlement(Outcome.HANDLED, Action.DELETE)
    assert settle(None, max_retry_delay=CAP).ok


def test_a_body_that_failed_validation_is_poison_dead_lettered_with_its_reason() -> None:
    decided = settle(
        PermanentError("invalid Job message: n: missing"), max_retry_delay=CAP, poison=True
    )
    assert decided == Settlement(
        Outcome.POISON, Action.DEAD_LETTER, "invalid Job message: n: missing", "PermanentError"
    )


def test_a_permanent_error_is_dead_lettered_at_once() -> None:
    class MissingObject(PermanentError):
        pass

    decided = settle(MissingObject("s3://b/k does not exist"), max_retry_delay=CAP)
    assert decided.outcome is Outcome.DEAD_LETTERED
    assert decided.action is Action.DEAD_LETTER
    assert (decided.reason, decided.error_type) == ("s3://b/k does not exist", "MissingObject")
    assert not decided.ok


def test_a_transient_error_without_delay_is_left_for_its_visibility_timeout() -> None:
    decided = settle(TransientError("throttled"), max_retry_delay=CAP)
    assert decided == Settlement(Outcome.RETRY, Action.LEAVE, "throttled", "TransientError")
    assert decided.retry_in is None


@pytest.mark.parametrize(
    ("retry_after", "expected"), [(3, 3), (2.2, 3), (0, 0), (-5, 0), (5000, CAP)]
)
def test_a_transient_error_with_retry_after_is_delayed_rounded_up_and_capped(
    retry_after: float, expected: int
) -> None:
    decided = settle(TransientError("429", retry_after=retry_after), max_retry_delay=CAP)
    assert (decided.outcome, decided.action, decided.retry_in) == (
        Outcome.RETRY,
        Action.DELAY,
        expected,
    )


def test_an_error_of_the_tree_that_is_neither_kind_is_retried() -> None:
    decided = settle(SpotifyEtlError("odd"), max_retry_delay=CAP)
    assert (decided.outcome, decided.action, decided.crashed) == (
        Outcome.RETRY,
        Action.LEAVE,
        False,
    )


def test_a_crash_is_retried_and_marked_so_its_traceback_reaches_the_line() -> None:
    decided = settle(KeyError("track"), max_retry_delay=CAP)
    assert decided == Settlement(
        Outcome.RETRY, Action.LEAVE, "unexpected KeyError: 'track'", "KeyError", crashed=True
    )


def test_a_cancelled_handler_gives_its_message_back() -> None:
    assert settle(asyncio.CancelledError(), max_retry_delay=CAP) == Settlement(
        Outcome.GIVEN_BACK, Action.GIVE_BACK
    )


def test_outcomes_are_the_strings_of_the_log_line() -> None:
    assert [str(o) for o in Outcome] == [
        "handled",
        "poison",
        "dead_lettered",
        "retry",
        "given_back",
    ]
