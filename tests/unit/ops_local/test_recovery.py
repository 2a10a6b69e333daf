"""What ``local up`` announces again: raw objects lacking a curated file, files never committed."""

from __future__ import annotations

from datetime import UTC, date, datetime

from spotify_etl.local.recovery import Pending, pending_work, recovery_run_id
from spotify_etl_common.keys import curated_key, entity_key, recently_played_key
from spotify_etl_common.source_tables import TABLES_OF
from spotify_etl_common.sources import Source

DAY = date(2026, 11, 24)
PLAYS = recently_played_key(1_790_000_000_000)
ARTIST = entity_key(Source.ARTISTS, "a1")


def files_of(raw: str, source: Source, content: bytes = b"PAR1") -> list[str]:
    return [curated_key(table, DAY, raw, content) for table in TABLES_OF[source]]


def test_a_transformed_and_committed_raw_object_is_left_alone() -> None:
    files = files_of(PLAYS, Source.RECENTLY_PLAYED)
    assert pending_work([PLAYS], files, committed=set(files)) == Pending()


def test_a_raw_object_without_files_is_announced_again() -> None:
    assert pending_work([PLAYS], [], committed=set()) == Pending(raw=(PLAYS,))


def test_a_partly_transformed_raw_object_is_announced_again_and_its_files_are_not() -> None:
    """The transformer rewrites and announces every file of it: announcing them too would be
    twice."""
    written = files_of(PLAYS, Source.RECENTLY_PLAYED)[:2]
    assert pending_work([PLAYS], written, committed=set()) == Pending(raw=(PLAYS,))


def test_files_written_but_not_committed_are_announced_again() -> None:
    plays = files_of(PLAYS, Source.RECENTLY_PLAYED)
    artist = files_of(ARTIST, Source.ARTISTS)
    pending = pending_work([PLAYS, ARTIST], plays + artist, committed=set(plays))
    assert pending == Pending(files=tuple(artist))


def test_a_file_an_older_snapshot_committed_counts_as_committed() -> None:
    """Committed is what the caller passes: every snapshot's files, not the current one's."""
    artist = files_of(ARTIST, Source.ARTISTS)
    assert pending_work([ARTIST], artist, committed=set(artist)).files == ()


def test_compacted_files_and_foreign_keys_are_never_announced() -> None:
    compacted = "curated/plays/data/00000-0-abc.parquet"
    metadata = "curated/plays/metadata/00001-abc.metadata.json"
    stray = "raw/notes.txt"
    assert pending_work([stray], [compacted, metadata], committed=set()) == Pending()


def test_each_is_announced_once_in_key_order() -> None:
    other = recently_played_key(1_790_000_100_000)
    pending = pending_work([other, PLAYS, PLAYS], [], committed=set())
    assert pending.raw == tuple(sorted({PLAYS, other}))


def test_the_run_id_names_the_recovery_and_its_time() -> None:
    when = datetime(2026, 11, 24, 1, 15, tzinfo=UTC)
    assert recovery_run_id(when) == "recovery-20261124T011500Z"


def test_an_older_version_of_a_committed_objects_file_is_not_announced_again() -> None:
    """A replay that gave other bytes left the older file behind, unreferenced: announcing it
    would put the older rows back over the newer ones."""
    newer = files_of(PLAYS, Source.RECENTLY_PLAYED, b"newer")
    older = files_of(PLAYS, Source.RECENTLY_PLAYED, b"older")
    assert pending_work([PLAYS], newer + older, committed=set(newer)) == Pending()
