"""The household's state contract: per-user state keys and the run summary model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from spotify_etl_common.household import UserRunSummary, summary_user, user_summary_key
from spotify_etl_common.keys import user_of_state_key, user_state_key, user_state_prefix


def test_user_state_keys_live_under_the_users_folder_percent_encoded() -> None:
    assert user_state_key("alice", "recently-played") == (
        "state/extractor/users/alice/recently-played.json"
    )
    assert user_state_prefix("a/b c") == "state/extractor/users/a%2Fb%20c/"
    assert user_of_state_key(user_state_key("a/b c", "summary")) == "a/b c"
    assert user_of_state_key("state/extractor/recently-played.json") is None


def test_an_empty_user_id_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        user_state_prefix("")


def test_summary_keys_are_recognised_among_a_users_other_documents() -> None:
    assert user_summary_key("bob") == "state/extractor/users/bob/summary.json"
    assert summary_user(user_summary_key("x.y")) == "x.y"
    assert summary_user(user_state_key("bob", "library-saved_tracks")) is None


def test_days_left_count_from_the_grants_end() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    summary = UserRunSummary(
        user_id="bob",
        last_run_id="r",
        last_run_at=now,
        last_status="extracted",
        grant_expires_at=now + timedelta(days=3, hours=12),
    )
    assert summary.days_left(now) == 3.5
    assert summary.model_copy(update={"grant_expires_at": None}).days_left(now) is None
    assert UserRunSummary.model_validate_json(summary.model_dump_json()) == summary
