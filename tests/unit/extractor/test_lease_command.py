"""``extractor lease``: who holds the run lease; ``--break RUN_ID`` only while that run holds it."""

from __future__ import annotations

from datetime import timedelta

from extractor.state import lease

from tests.unit.extractor.test_grants_and_lease import NOW, MemoryStore


async def test_the_lease_shows_its_run_when_it_was_taken_and_when_it_expires() -> None:
    store = MemoryStore()
    assert (await lease.inspect(store)).lines(NOW) == [
        "no lease (state/extractor/lease.json absent): the next run takes it"
    ]
    held = await lease.take(store, lease.lease_for("run-1", NOW, 3300), NOW)
    assert isinstance(held, lease.Held)
    assert (await lease.inspect(store)).lines(NOW + timedelta(minutes=5)) == [
        "run:        run-1",
        "taken at:   2026-12-01 12:00:00 UTC",
        "expires at: 2026-12-01 12:55:00 UTC",
        "state:      held for 50 min more",
    ]
    later = (await lease.inspect(store)).lines(NOW + timedelta(hours=2))
    assert later[-1].startswith("state:      expired (its run never released it")
    await lease.release(store, held)
    assert (await lease.inspect(store)).lines(NOW)[-1] == (
        "state:      released: free, the next run takes it"
    )


async def test_break_releases_the_lease_only_while_the_named_run_holds_it() -> None:
    store = MemoryStore()
    killed = await lease.take(store, lease.lease_for("killed", NOW, 3300), NOW)
    assert isinstance(killed, lease.Held)

    wrong = await lease.break_lease(store, "another-run")
    assert not wrong.done
    assert "held by run killed, not another-run" in wrong.line
    assert not lease.is_free(store.objects[lease.LEASE_KEY][0], NOW)

    broken = await lease.break_lease(store, "killed")
    assert broken.done
    assert lease.is_free(store.objects[lease.LEASE_KEY][0], NOW)
    # the next run takes it at once, without waiting for the expiry
    assert isinstance(await lease.take(store, lease.lease_for("next", NOW, 3300), NOW), lease.Held)
    again = await lease.break_lease(store, "killed")
    assert not again.done  # the next run holds it now: left alone
    assert "held by run next" in again.line


class RacingStore(MemoryStore):
    """Another run takes the lease between the read and the conditional write."""

    async def read_versioned(self, key: str) -> tuple[bytes, str] | None:
        found = await super().read_versioned(key)
        taken = lease.lease_for("taker", NOW, 3300).model_dump_json().encode()
        self.objects[key] = (taken, "etag-of-the-taker")
        return found


async def test_break_writes_only_on_the_etag_it_read() -> None:
    store = RacingStore()
    await lease.take(store, lease.lease_for("killed", NOW, 3300), NOW)
    result = await lease.break_lease(store, "killed")
    assert not result.done
    assert "changed while breaking it" in result.line
    holder = lease.LeaseDocument.model_validate_json(store.objects[lease.LEASE_KEY][0])
    assert holder.run_id == "taker"
    assert not holder.released
