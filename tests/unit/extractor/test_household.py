"""A household in one run: each token's answers land under its own user, a refused grant is
reported while the others go on, recently played first, shared entities once, state per user."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

from extractor.outcome import Status
from extractor.run import RunPlan, RunReport
from extractor.sources.library import LibraryPlan, LibrarySource
from extractor.spotify.grants import UserGrant
from extractor.spotify.turns import Turns
from fake_spotify.api import FakeConfig, FakeWebApi
from fake_spotify.catalog import Catalog, CatalogSpec, build_catalog
from fake_spotify.household import FakeUser
from spotify_etl_common.household import UserRunSummary, user_summary_key
from spotify_etl_common.keys import parse_raw_key, state_key, user_state_key
from spotify_etl_common.sources import Source

from tests.unit.extractor.library_doubles import FakeTransport, MemorySink, MemoryStore, run

STARTED = datetime(2026, 12, 1, 6, tzinfo=UTC)
GIVEN = STARTED - timedelta(days=30)
ALICE = FakeUser("alice-id", "Alice", "alice-token", taste=5, plays=40, saved_tracks=60)
BOB = FakeUser("bob-id", "Bob", "bob-token", taste=23, plays=70, saved_tracks=30)
CAROL = FakeUser("carol-id", "Carol", "carol-token", taste=41)
PLAN = RunPlan(
    recently_played=True,
    library=LibraryPlan(sources=(LibrarySource.SAVED_TRACKS,), mine=True),
    max_entities=1000,
)


def household_fake(config: FakeConfig | None = None) -> FakeWebApi:
    fake = FakeWebApi(build_catalog(CatalogSpec(playlists=1, items=5, plays=3)), config)
    for user in (ALICE, BOB, CAROL):
        fake.add_user(user)
    fake.refresh_tokens.revoke(CAROL.user_id)
    return fake


def grants() -> list[tuple[str, UserGrant | None]]:
    return [
        (u.display_name.lower(), UserGrant(u.refresh_token, GIVEN, u.user_id))
        for u in (ALICE, BOB, CAROL)
    ]


def extract(
    transport: FakeTransport, store: MemoryStore, sink: MemorySink, at: datetime = STARTED
) -> RunReport:
    return asyncio.run(run(transport, store, sink, PLAN, at, household=grants()))


def items_of(body: bytes, source: Source) -> set[str]:
    """What a raw page holds: played (track, time), saved tracks, or playlist ids."""
    data = json.loads(body)
    if source is Source.RECENTLY_PLAYED:
        return {f"{p['track']['id']}@{p['played_at']}" for p in data["items"]}
    if source is Source.SAVED_TRACKS:
        return {s["track"]["id"] for s in data["items"]}
    if source is Source.PLAYLISTS:
        return {data["id"]}
    return set()


def expected(catalog: Catalog, source: Source) -> set[str]:
    if source is Source.RECENTLY_PLAYED:
        stamp = "%Y-%m-%dT%H:%M:%S.000Z"
        return {f"{p.track_id}@{p.played_at.strftime(stamp)}" for p in catalog.plays}
    if source is Source.SAVED_TRACKS:
        return {s.id for s in catalog.library.tracks}
    return set(catalog.own_playlist_ids)


def test_each_users_objects_hold_only_their_own_items_and_a_refused_grant_leaves_the_others() -> (
    None
):
    fake = household_fake()
    transport, store, sink = FakeTransport(fake), MemoryStore(), MemorySink()

    report = extract(transport, store, sink)

    assert not report.ok
    [refused] = report.authorizations
    assert refused.startswith("user carol: ")
    assert "invalid_grant" in refused
    assert "`extractor auth --store --user carol`" in refused
    assert not report.failures, report.summary_lines()
    held: dict[tuple[str | None, Source], set[str]] = {}
    for key, body in store.objects.items():
        parts = parse_raw_key(key)
        if parts is not None and parts.source in (
            Source.RECENTLY_PLAYED,
            Source.SAVED_TRACKS,
            Source.PLAYLISTS,
        ):
            held.setdefault((parts.user_id, parts.source), set()).update(
                items_of(body, parts.source)
            )
    assert {user for user, _ in held} == {ALICE.user_id, BOB.user_id}
    for user in (ALICE, BOB):
        mine = fake.users[user.user_id]
        for source in (Source.RECENTLY_PLAYED, Source.SAVED_TRACKS, Source.PLAYLISTS):
            assert held[(user.user_id, source)] == expected(mine, source), (user, source)
    # the revoked user's token never reached the API; the others' answered only for them
    assert set(fake.requests_by_user()) == {ALICE.user_id, BOB.user_id, "app"}
    for message in sink.messages:
        parts = parse_raw_key(message.key)
        assert parts is not None
        assert message.user_id == parts.user_id


def test_every_users_recently_played_comes_before_any_other_request_and_entities_once() -> None:
    fake = household_fake()
    transport = FakeTransport(fake)

    extract(transport, MemoryStore(), MemorySink())

    order = [p for p in transport.order if p != "/me"]
    recent = [n for n, p in enumerate(order) if p == "/me/player/recently-played"]
    assert len(recent) >= 2  # alice's and bob's
    assert max(recent) < min(n for n, p in enumerate(order) if n not in recent)
    shared = [p for p in transport.order if p.startswith(("/albums/", "/artists/"))]
    assert shared
    assert len(shared) == len(set(shared))  # referenced by both users, fetched once
    assert transport.order.count("/me") == 2  # once per user per run


def test_the_quota_stops_every_user_and_each_resumes_where_they_stopped() -> None:
    store, sink = MemoryStore(), MemorySink()
    short = household_fake(FakeConfig(daily_quota=9))
    cut = extract(FakeTransport(short), store, sink)
    assert cut.quota is not None
    stopped_at = {
        user.user_id: json.loads(store.objects[user_state_key(user.user_id, "recently-played")])
        for user in (ALICE, BOB)
        if user_state_key(user.user_id, "recently-played") in store.objects
    }
    assert stopped_at  # the plays came first: at least one user's cursor moved

    fresh = household_fake()
    report = extract(FakeTransport(fresh), store, sink, STARTED + timedelta(hours=1))

    assert report.quota is None
    assert report.authorizations  # carol still refused
    for user in (ALICE, BOB):
        newest = max(p.played_at for p in fresh.users[user.user_id].plays)
        cursor = json.loads(store.objects[user_state_key(user.user_id, "recently-played")])
        assert cursor["after"] == int(newest.timestamp() * 1000)
        plays = {
            i
            for k, b in store.objects.items()
            if k.startswith(f"raw/source=recently_played/user={user.user_id}/")
            for i in items_of(b, Source.RECENTLY_PLAYED)
        }
        assert plays == expected(fresh.users[user.user_id], Source.RECENTLY_PLAYED)


def test_a_single_user_deployments_state_becomes_the_users_and_stays_theirs_in_a_household() -> (
    None
):
    fake = household_fake()
    store = MemoryStore()
    newest = max(p.played_at for p in fake.catalog.plays)
    cursor = int(newest.timestamp() * 1000)
    store.objects[state_key("recently-played")] = json.dumps({"after": cursor}).encode()
    plan = RunPlan(recently_played=True)
    transport = FakeTransport(fake)

    asyncio.run(run(transport, store, MemorySink(), plan, STARTED))  # the single user of old

    assert transport.paths["/me/player/recently-played"] == 1  # from the old cursor: nothing new
    assert not any(k.startswith("raw/source=recently_played/") for k in store.objects)
    assert json.loads(store.objects[state_key("me")])["id"] == fake.catalog.owner_id
    # the deployment becomes a household: the old user keeps the old documents, alice does not
    fake.add_user(FakeUser("fake-user-2", "Other", "other-token"))
    household = [
        ("me", UserGrant("fake-refresh-token", GIVEN, fake.catalog.owner_id)),
        ("alice", UserGrant(ALICE.refresh_token, GIVEN, ALICE.user_id)),
    ]
    asyncio.run(run(FakeTransport(fake), store, MemorySink(), plan, STARTED, household=household))
    keys = [k for k in store.objects if k.startswith("raw/source=recently_played/")]
    assert keys
    assert all(k.startswith(f"raw/source=recently_played/user={ALICE.user_id}/") for k in keys)


def test_each_user_gets_a_summary_and_the_refused_one_keeps_their_last_extraction() -> None:
    fake = household_fake()
    store = MemoryStore()
    fake.refresh_tokens.revoked.clear()
    extract(FakeTransport(fake), store, MemorySink())
    fake.refresh_tokens.revoke(CAROL.user_id)
    later = STARTED + timedelta(hours=1)
    report = extract(FakeTransport(fake), store, MemorySink(), later)

    def summary(user: FakeUser) -> UserRunSummary:
        return UserRunSummary.model_validate_json(store.objects[user_summary_key(user.user_id)])

    carol, bob = summary(CAROL), summary(BOB)
    assert (carol.name, carol.last_status, carol.grant_refused) == ("carol", "failed", True)
    assert carol.failed_runs == 1
    assert carol.last_extraction_at is not None
    assert carol.last_extraction_at < report.finished_at
    assert any("extractor auth --store --user carol" in f for f in carol.failures)
    assert (bob.last_status, bob.failures, bob.failed_runs) == ("extracted", [], 0)
    assert bob.last_extraction_at == report.finished_at
    assert bob.days_left(GIVEN) == 180
    assert bob.requests > 0


def test_a_users_missing_secret_is_reported_and_the_others_are_extracted() -> None:
    fake = household_fake()
    household = [("alice", UserGrant(ALICE.refresh_token, GIVEN, ALICE.user_id)), ("dan", None)]
    report = asyncio.run(
        run(FakeTransport(fake), MemoryStore(), MemorySink(), PLAN, STARTED, household=household)
    )
    assert report.problems == ["user dan: secret of dan missing"]
    named = {o.name for o in report.outcomes if o.status is Status.EXTRACTED}
    assert named == {"alice", None}  # alice's sources, and the shared entities


def test_turns_serve_waiting_users_round_robin_not_first_come() -> None:
    async def scenario() -> list[str]:
        turns = Turns(1)
        await turns.acquire("busy")  # holds the only slot
        waiting = [asyncio.create_task(turns.acquire("backfill")) for _ in range(5)]
        await asyncio.sleep(0)
        waiting.append(asyncio.create_task(turns.acquire("other")))
        await asyncio.sleep(0)
        for _ in range(6):
            turns.release()
            await asyncio.sleep(0)
        await asyncio.gather(*waiting)
        return turns.granted[1:]

    granted = asyncio.run(scenario())
    assert granted[:2] == ["backfill", "other"]  # the other user waits one turn, not five
    assert granted.count("backfill") == 5


def test_turns_hand_a_cancelled_waiters_slot_to_the_next() -> None:
    async def scenario() -> list[str]:
        turns = Turns(1)
        await turns.acquire("a")
        gone = asyncio.create_task(turns.acquire("b"))
        kept = asyncio.create_task(turns.acquire("c"))
        await asyncio.sleep(0)
        gone.cancel()
        await asyncio.sleep(0)
        turns.release()
        await kept
        return turns.granted

    assert asyncio.run(scenario()) == ["a", "c"]
