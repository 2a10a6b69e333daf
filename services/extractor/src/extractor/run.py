"""One run: every configured source once for every user, and the albums, artists, episodes,
shows they reference.

Users: each one's token first answers ``GET /me`` (who they are: the ``user=`` of
their raw keys and the folder of their state); a user whose grant fails is
reported and the others go on. Every user's recently played comes first (it
is what is lost when missed); then every other source of every user, and the
entities, side by side, the users taking turns for the app's slots
(:class:`~extractor.spotify.turns.Turns`) under one limiter and one circuit.
Albums, artists, episodes and shows are shared: one journal, one budget,
fetched once however many users reference them.

Sources fail independently: a bad playlist never stops the others. Entities
referenced by a playlist are journaled before its snapshot is saved and
fetched as soon as that playlist is done (and those left by earlier runs at
once), so the rate window stays full. The run's circuit stops every queued
request at once on a quota hit, a Retry-After past the bound, a dead accounts
service, the deadline or SIGTERM; what was fetched is still written and
announced. The report says what was extracted, skipped, stopped and failed,
one clear line per failure and one line for why the run stopped.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from spotify_etl_common.errors import SpotifyEtlError
from spotify_etl_common.household import SUMMARY_STATE, UserRunSummary
from spotify_etl_common.wanted import WANTED_STATE

from extractor import explain
from extractor.household.summary import UserReport, summarize
from extractor.outcome import Outcome, Status, failed
from extractor.output import Publisher
from extractor.sources.entities import (
    EntityBudget,
    StoredIndex,
    carry_over,
    fetch_entities,
    register,
)
from extractor.sources.library import LibraryPlan
from extractor.sources.library_models import Me
from extractor.sources.library_pages import LibraryResult
from extractor.sources.library_run import run_library
from extractor.sources.playlists import PlaylistResult, Register, extract_playlist
from extractor.sources.recent import RecentResult, extract_recent
from extractor.sources.refs import BadRef, PlaylistRef
from extractor.spotify.circuit import DEADLINE
from extractor.spotify.client import RequestCounters, SpotifyClient
from extractor.spotify.errors import AuthorizationExpired, QuotaExceeded
from extractor.spotify.grants import expiry_warning
from extractor.spotify.models import References, parse
from extractor.spotify.tokens import TokenKind
from extractor.state.documents import ME_STATE, MeState, StateStore
from extractor.state.gone import GoneBook
from extractor.state.journal import Entity, PendingJournal
from extractor.state.wanted import take_wanted

SourceRun = Callable[[Register], Awaitable[PlaylistResult | RecentResult | LibraryResult]]


@dataclass(frozen=True)
class RunPlan:
    """What one run extracts (from settings, parsed)."""

    playlists: Sequence[PlaylistRef | BadRef] = ()
    recently_played: bool = False
    items_endpoint: str = "items"
    max_entities: int = 200
    recent_max_pages: int = 20
    library: LibraryPlan = field(default_factory=LibraryPlan)
    gone_after: int = 3
    """Runs an entity may answer 404 before it is recorded as gone (EXTRACTOR_GONE_AFTER)."""


@dataclass
class RunReport:
    """The result of one run."""

    run_id: str
    outcomes: list[Outcome] = field(default_factory=list)
    counters: RequestCounters = field(default_factory=RequestCounters)
    objects_written: int = 0
    messages_sent: int = 0
    seconds: float = 0.0
    stop_reason: str | None = None
    """Why the run stopped early (quota, Retry-After past the bound, deadline, SIGTERM)."""
    quota: QuotaExceeded | None = None
    """The quota hit that stopped the run, if one did."""
    authorizations: list[str] = field(default_factory=list)
    """One line per refused user authorisation (invalid_grant), naming the user."""
    problems: list[str] = field(default_factory=list)
    """Run-level failures that belong to no source (a rotated token not stored)."""
    warnings: list[str] = field(default_factory=list)
    days_left: float | None = None
    """Days until the user's authorisation ends (None without a dated one)."""
    finished_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    busy: str | None = None
    """Set when another run held the lease: this run did nothing."""
    deadline: bool = False
    """The run was cut by its deadline (EXTRACTOR_RUN_DEADLINE)."""
    deferred_entities: int = 0
    """Albums, artists, episodes, shows and tracks left in the journal for the next run."""
    users: list[UserReport] = field(default_factory=list)
    """What the run did for each user."""

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status is Status.FAILED]

    @property
    def ok(self) -> bool:
        """Every configured source done and nothing else went wrong."""
        return (
            not self.failures
            and not self.problems
            and not self.authorizations
            and self.stop_reason is None
            and self.count(Status.STOPPED) == 0
        )

    @property
    def deferred(self) -> bool:
        """Cut by its deadline and nothing else went wrong: what it fetched is kept, the
        rest is the next run's (a clean stop, neither a success nor a failure)."""
        return (
            self.deadline
            and not self.failures
            and not self.problems
            and not self.authorizations
            and self.quota is None
        )

    @property
    def stopped_sources(self) -> list[str]:
        """The sources the stop left unfinished (the next run goes on with them)."""
        return [o.source for o in self.outcomes if o.status is Status.STOPPED]

    def count(self, status: Status) -> int:
        return sum(1 for o in self.outcomes if o.status is status)

    def stop_line(self) -> str | None:
        """One line saying why the run stopped early, and when to try again."""
        if self.quota is not None:
            wait = self.quota.retry_after
            when = (
                f"retry after {self.finished_at + timedelta(seconds=wait):%Y-%m-%d %H:%M} UTC "
                f"(Retry-After {wait:.0f} s)"
                if wait is not None
                else "Spotify sent no Retry-After: retry tomorrow"
            )
            return (
                "Spotify's daily request quota for this app is exhausted (429 QUOTA_EXCEEDED): "
                f"the run stopped its Spotify work and kept what it fetched; {when}"
            )
        if self.deadline:
            sources = ", ".join(self.stopped_sources) or "no source"
            lead = (
                "the run deadline (EXTRACTOR_RUN_DEADLINE) was reached"
                if self.stop_reason in (None, DEADLINE)
                else self.stop_reason
            )
            return (
                f"{lead}: no new request started; "
                f"deferred to the next run: {sources}; {self.deferred_entities} albums, artists, "
                "episodes, shows and tracks wait in the journal; what was fetched is written "
                "and announced and state advanced for exactly that"
            )
        if self.stop_reason is not None:
            return f"run stopped early: {self.stop_reason}; what was fetched is kept"
        return None

    def summary_lines(self) -> list[str]:
        """Human summary: one headline, the run-level lines, then one line per failure."""
        head = (
            f"run {self.run_id}: {self.count(Status.EXTRACTED)} extracted, "
            f"{self.count(Status.SKIPPED)} skipped, {self.count(Status.STOPPED)} stopped, "
            f"{len(self.failures)} failed; "
            f"{self.objects_written} objects written, {self.messages_sent} messages sent, "
            f"{self.counters.requests} Spotify requests ({self.counters.rate_limited} answered 429)"
        )
        lines = [head]
        lines += [f"WARNING {w}" for w in self.warnings]
        if (stop := self.stop_line()) is not None:
            lines.append(f"{'DEFERRED' if self.deferred else 'STOPPED'} {stop}")
        lines += [f"FAILED {a}" for a in self.authorizations]
        lines += [f"FAILED {p}" for p in self.problems]
        lines += [f"FAILED {o.line()}" for o in self.failures]
        return lines


@dataclass
class UserRun:
    """One user of a run, as the shell built them: their client (their tokens, the app's
    pacing) and what is known before asking Spotify."""

    client: SpotifyClient
    name: str | None = None
    """Household name (None: the single user of a deployment without EXTRACTOR_USERS)."""
    problem: str | None = None
    """Why the user's grant could not be loaded (their secret): they are not extracted."""
    known_id: str | None = None
    """The Spotify id known before the run (the grant's ``id``), for the report."""


@dataclass
class _Active:
    """A user whose token answered ``/me``: their publisher and state for this run."""

    user: UserRun
    report: UserReport
    publisher: Publisher
    state: StateStore


async def run_once(
    client: SpotifyClient,
    state: StateStore,
    publisher: Publisher,
    plan: RunPlan,
    users: Sequence[UserRun] | None = None,
) -> RunReport:
    """Run every source of ``plan`` once for every user (``users``; None: the one user whose
    tokens ``client`` has). ``client`` is the app's own: carried-over entities use it when no
    user can."""
    started = time.monotonic()
    report = RunReport(run_id=publisher.run.run_id)
    users = list(users) if users is not None else [UserRun(client)]
    household = any(u.name is not None for u in users)
    for ref in plan.playlists:
        if isinstance(ref, BadRef):
            report.outcomes.append(failed(f"playlist {ref.text!r}", explain.bad_ref(ref)))
    me = await state.read_document(ME_STATE, MeState)

    async def identify(user: UserRun) -> _Active | UserReport:
        """Who the user's token belongs to (``/me``), or the report of why they are left out."""
        known = user.known_id or (me.id if me is not None and not household else None)
        found = UserReport(user.name, known, grant=user.client.tokens.grant)
        if user.problem is not None:
            found.problems.append(user.problem)
            return found
        if not user.client.tokens.has_user:  # app token only: keys and state as before
            return _Active(user, found, publisher, state)
        try:
            answer = await user.client.get("/me", token=TokenKind.USER)
            who = parse(Me, answer.data, "/me")
        except SpotifyEtlError as error:
            if isinstance(error, AuthorizationExpired):
                found.refused = error.reason
            else:
                line = f"GET /me (who the user is) failed, no source of theirs ran: {error.reason}"
                found.outcomes.append(replace(failed(WHO, line, error), user=known, name=user.name))
            return found
        found.user_id, found.display_name = who.id, who.display_name
        owner = (me is None and not household) or (me is not None and me.id == who.id)
        if me is None and not household:  # the documents from before the household are theirs
            await state.write_document(ME_STATE, MeState(id=who.id, display_name=who.display_name))
        return _Active(
            user, found, publisher.for_user(who.id), state.for_user(who.id, inherit=owner)
        )

    identified = await asyncio.gather(*(identify(u) for u in users))
    active = [a for a in identified if isinstance(a, _Active)]
    reports = [a.report if isinstance(a, _Active) else a for a in identified]
    entity_client = next((a.user.client for a in active if a.user.client.tokens.has_user), client)
    book = await GoneBook.load(state, plan.gone_after, publisher.run.started_at)
    budget = EntityBudget(
        remaining=plan.max_entities,
        index=StoredIndex(publisher),
        episodes=entity_client.tokens.has_user,
        shows_remaining=plan.library.max_shows,
        book=book,
    )
    journal = await PendingJournal.load(state)
    await journal.done([e for e in journal.entities if book.is_gone(e)])  # never fetched again
    try:  # the tracks imported plays name: carried over like the rest of the journal
        await take_wanted(state, journal, budget.index.stored, book.is_gone)
    except SpotifyEtlError as error:
        report.problems.append(
            f"the tracks the imported history wants ({state.key(WANTED_STATE)}) were not "
            f"taken into the journal: {error.reason}; the next run tries again"
        )
    # claimed before any source runs: a stored entity left by a killed run is announced
    carried = budget.claim_new(sorted(journal.entities))
    later: list[tuple[SpotifyClient, list[Entity]]] = []
    """Entities recently played referenced: fetched with the other sources, after every play."""

    async def keeping_errors(entities: list[Entity], work: Awaitable[None]) -> None:
        """Run ``work`` on ``entities``; a failure (announcing, journaling) joins the budget."""
        try:
            await work
        except SpotifyEtlError as error:
            budget.errors.append((entities[0], error))

    async def fetch(on: SpotifyClient, entities: list[Entity]) -> None:
        if entities:
            await keeping_errors(entities, fetch_entities(on, publisher, entities, budget, journal))

    def runner(who: _Active, defer: bool = False) -> Callable[[SourceRun], Awaitable[Outcome]]:
        """How ``who``'s sources run: their references journaled, then fetched at once (or,
        ``defer``, once every user's recently played is done)."""

        async def source(extract: SourceRun) -> Outcome:
            registered: list[Entity] = []

            async def journal_references(references: References) -> None:
                registered.extend(await register(references, budget, journal))

            result = await extract(journal_references)
            if defer:
                later.append((who.user.client, registered))
            else:
                await fetch(who.user.client, registered)
            outcome = result.outcome
            return replace(outcome, user=who.report.user_id, name=who.user.name)

        return source

    def playlist(who: _Active, ref: PlaylistRef) -> SourceRun:
        async def run(reg: Register) -> PlaylistResult:
            return await extract_playlist(
                who.user.client, who.state, who.publisher, ref.playlist_id, plan.items_endpoint, reg
            )

        return run

    def recent(who: _Active) -> SourceRun:
        async def run(reg: Register) -> RecentResult:
            return await extract_recent(
                who.user.client, who.state, who.publisher, plan.recent_max_pages, reg
            )

        return run

    async def recently_played(who: _Active) -> list[Outcome]:
        if not plan.recently_played:
            return []
        return [await runner(who, defer=True)(recent(who))]

    async def everything_else(who: _Active) -> list[Outcome]:
        source = runner(who)
        tasks = [source(playlist(who, r)) for r in plan.playlists if isinstance(r, PlaylistRef)]
        playlists, libraries = await asyncio.gather(asyncio.gather(*tasks), library(who, source))
        return [*playlists, *libraries]

    async def library(
        who: _Active, source: Callable[[SourceRun], Awaitable[Outcome]]
    ) -> list[Outcome]:
        if not plan.library.active:
            return []
        configured = {r.playlist_id for r in plan.playlists if isinstance(r, PlaylistRef)}
        return await run_library(
            who.user.client,
            who.state,
            who.publisher,
            plan.library,
            source,
            lambda playlist_id: source(playlist(who, PlaylistRef(playlist_id, playlist_id))),
            configured,
        )

    async def carried_over() -> None:
        if carried:
            work = carry_over(entity_client, publisher, carried, budget, journal)
            await keeping_errors(carried, work)

    async def referenced_by_plays() -> None:
        await asyncio.gather(*(fetch(on, entities) for on, entities in later))

    # every user's recently played first: the source that loses data when missed
    firsts = await asyncio.gather(*(recently_played(a) for a in active))
    rest, _, _ = await asyncio.gather(
        asyncio.gather(*(everything_else(a) for a in active)), carried_over(), referenced_by_plays()
    )
    for who, first, others in zip(active, firsts, rest, strict=True):
        who.report.outcomes.extend([*first, *others])
    for user_report in reports:
        report.outcomes.extend(user_report.outcomes)
    if budget.seen:
        report.outcomes.append(budget.outcome())
    circuit = client.circuit
    report.stop_reason = circuit.stop_reason
    report.deadline = circuit.deadline_reached
    report.deferred_entities = len(journal.entities)
    if isinstance(circuit.cause, QuotaExceeded):
        report.quota = circuit.cause
    report.finished_at = datetime.now(UTC)
    clients = {id(c): c for c in [client, *(u.client for u in users)]}
    for user, user_report in zip(users, reports, strict=True):
        tokens = user.client.tokens
        refused = tokens.refusal
        if user_report.refused is None and isinstance(refused, AuthorizationExpired):
            user_report.refused = refused.reason
        user_report.problems.extend(tokens.problems)
        user_report.grant = tokens.grant or user_report.grant
        user_report.requests = user.client.counters.requests
        named = _naming(user.name)
        if user_report.refused is not None:
            report.authorizations.append(named(user_report.refused))
        report.problems.extend(named(p) for p in user_report.problems)
        report.warnings.extend(named(w) for w in tokens.warnings)
        grant = user_report.grant
        if grant is not None and grant.authorized_at is not None:
            left = grant.days_left(report.finished_at)
            if left is not None:
                report.days_left = left if report.days_left is None else min(report.days_left, left)
            soon = expiry_warning(grant, report.finished_at, tokens.auth_command)
            if soon is not None:
                report.warnings.append(named(soon))
    for who in active:
        who.report.objects_written = who.publisher.objects_written
    if budget.missing:
        report.warnings.append(
            explain.entities_missing(budget.missing, book.newly_gone, book.after)
        )
    report.counters = RequestCounters.total([c.counters for c in clients.values()])
    publishers = {id(p): p for p in [publisher, *(a.publisher for a in active)]}
    report.objects_written = sum(p.objects_written for p in publishers.values())
    report.messages_sent = sum(p.messages_sent for p in publishers.values())
    report.users = reports
    await _write_summaries(state, report)
    report.seconds = time.monotonic() - started
    return report


WHO = "who the user is"
"""The source name of a user's ``GET /me``."""


def _naming(name: str | None) -> Callable[[str], str]:
    """Lines about a household user start with their name."""
    return (lambda line: line) if name is None else (lambda line: f"user {name}: {line}")


async def _write_summaries(state: StateStore, report: RunReport) -> None:
    """Each user's summary document (``spotify-etl status`` reads them); a failure to write
    one is a run problem, not a lost run."""
    for user in report.users:
        if user.user_id is None:
            continue
        mine = state.for_user(user.user_id)
        try:
            previous = await mine.read_document(SUMMARY_STATE, UserRunSummary)
        except SpotifyEtlError:
            previous = None  # unreadable: start it again
        summary = summarize(user, previous, report.run_id, report.finished_at, report.deferred)
        if summary is None:
            continue
        try:
            await mine.write_document(SUMMARY_STATE, summary)
        except SpotifyEtlError as error:
            report.problems.append(f"the run summary of {user.user_id} was not written: {error}")
