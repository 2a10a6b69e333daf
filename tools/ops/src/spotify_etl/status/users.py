"""The household in ``status``: per user, the last extraction, the grant's days left, failures.

The extractor writes one run summary per user it serves,
``state/extractor/users/<uid>/summary.json`` (``spotify_etl_common.household``:
``UserRunSummary`` and ``user_summary_key``, the extractor side's contract).
This module reads the fields it shows (:class:`SummaryDocument`, the names of
``UserRunSummary``; other fields are ignored) and renders one line per user.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from urllib.parse import unquote

from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError
from spotify_etl_common.s3 import S3Store

Renderer = Callable[[list[str], list[list[str]]], list[str]]
"""The report's table renderer: headers and rows to aligned lines."""
USERS_STATE_PREFIX = "state/extractor/users/"
SUMMARY_NAME = "summary.json"


class SummaryDocument(BaseModel):
    """What ``status`` reads of a user's run summary (``UserRunSummary``'s field names)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    user_id: str
    name: str | None = None
    display_name: str | None = None
    last_run_at: AwareDatetime
    last_status: str
    last_extraction_at: AwareDatetime | None = None
    grant_expires_at: AwareDatetime | None = None
    grant_refused: bool = False
    failures: list[str] = []
    failed_runs: int = 0


class UserStatus(BaseModel):
    """One user of the household as ``status`` shows them."""

    model_config = ConfigDict(frozen=True)

    user_id: str
    name: str | None
    display_name: str | None
    last_status: str
    last_run_at: datetime
    last_extraction_at: datetime | None
    grant_days_left: float | None
    grant_refused: bool
    failed_runs: int
    failures: list[str]


def summary_user(key: str) -> str | None:
    """The user id of a run summary's key, None for any other key under the prefix."""
    rest = key.removeprefix(USERS_STATE_PREFIX)
    if rest == key or rest.count("/") != 1:
        return None
    encoded, name = rest.split("/")
    return unquote(encoded) if name == SUMMARY_NAME and encoded else None


def user_status(document: SummaryDocument, now: datetime) -> UserStatus:
    """The line of one user (pure): days left until the grant ends, from ``now``."""
    days = (
        round((document.grant_expires_at - now).total_seconds() / 86400, 1)
        if document.grant_expires_at is not None
        else None
    )
    return UserStatus(
        user_id=document.user_id,
        name=document.name,
        display_name=document.display_name,
        last_status=document.last_status,
        last_run_at=document.last_run_at,
        last_extraction_at=document.last_extraction_at,
        grant_days_left=days,
        grant_refused=document.grant_refused,
        failed_runs=document.failed_runs,
        failures=list(document.failures),
    )


async def gather_users(store: S3Store, now: datetime) -> list[UserStatus]:
    """Every user's summary, by name then id; an unreadable one is shown as such."""
    found: list[UserStatus] = []
    async for info in store.list(USERS_STATE_PREFIX):
        user = summary_user(info.key)
        if user is None:
            continue
        try:
            document = SummaryDocument.model_validate_json(await store.get(info.key))
        except ValidationError as error:
            found.append(
                UserStatus(
                    user_id=user,
                    name=None,
                    display_name=None,
                    last_status="unreadable",
                    last_run_at=info.last_modified,
                    last_extraction_at=None,
                    grant_days_left=None,
                    grant_refused=False,
                    failed_runs=0,
                    failures=[f"{info.key} is unreadable ({error.error_count()} problems)"],
                )
            )
            continue
        found.append(user_status(document, now))
    return sorted(found, key=lambda u: (u.name or "", u.user_id))


def render_users(users: list[UserStatus], table: Renderer) -> list[str]:
    """The users' table and their failure lines (nothing without users); ``table`` is the
    report's table renderer."""
    if not users:
        return []
    rows = [
        [
            u.name or "-",
            u.user_id,
            _time(u.last_extraction_at),
            "grant refused" if u.grant_refused else u.last_status,
            "-" if u.grant_days_left is None else f"{u.grant_days_left:g}",
            str(u.failed_runs),
        ]
        for u in users
    ]
    headers = [
        "USER",
        "SPOTIFY ID",
        "LAST EXTRACTION",
        "LAST RUN",
        "GRANT DAYS LEFT",
        "FAILED RUNS",
    ]
    lines = table(headers, rows)
    for user in users:
        who = user.name or user.user_id
        if user.grant_refused:
            lines.append(
                f"  {who}: Spotify refused the grant; authorise again with: "
                f"extractor auth --store --user {user.name or '<name>'}"
            )
        lines.extend(f"  {who}: {failure}" for failure in user.failures)
    return [*lines, ""]


def _time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S %Z").strip() if value else "-"
