"""replace_sources on moto: one transaction per batch, exact replays, conflicts redone."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from pyiceberg.catalog.glue import GlueCatalog
from pyiceberg.exceptions import CommitFailedException
from pyiceberg.table import Table
from spotify_etl_common.errors import PermanentError, TransientError
from spotify_etl_common.tables import TABLES
from spotify_etl_lake.catalog import catalog_properties
from spotify_etl_lake.commit import RetryPolicy, replace_sources
from spotify_etl_lake.tables import ensure_table

from .conftest import LakeOnMoto, MotoEndpoints

pytestmark = pytest.mark.integration
ARTISTS = TABLES["artists"]
NO_WAIT = RetryPolicy(attempts=3, first_wait=1.0, max_wait=1.0)


def rows(table: Table) -> Counter[tuple[str, str, str]]:
    """Every row of the table's current snapshot as (source_key, artist_id, name)."""
    scanned = table.refresh().scan().to_arrow()
    return Counter(
        zip(
            scanned.column("source_key").to_pylist(),
            scanned.column("artist_id").to_pylist(),
            scanned.column("name").to_pylist(),
            strict=True,
        )
    )


def files(table: Table) -> set[str]:
    return set(table.refresh().inspect.files().column("file_path").to_pylist())


@pytest.fixture
def artists(on_moto: LakeOnMoto) -> Table:
    return ensure_table(on_moto.catalog, on_moto.lake, ARTISTS).table


def test_new_sources_enter_with_their_files_registered_where_they_are(
    on_moto: LakeOnMoto, artists: Table
) -> None:
    a = on_moto.put_artists("raw/a.json", "A1", "A2")
    b = on_moto.put_artists("raw/b.json", "B1")

    committed = replace_sources(artists, ["raw/a.json", "raw/b.json"], [a, b])

    assert committed.attempts == 1
    assert rows(artists) == Counter(
        {("raw/a.json", "A1", "n"): 1, ("raw/a.json", "A2", "n"): 1, ("raw/b.json", "B1", "n"): 1}
    )
    assert files(artists) == {a, b}


def test_a_redelivered_file_leaves_the_rows_as_they_were(
    on_moto: LakeOnMoto, artists: Table
) -> None:
    source = "raw/source=artists/artist_id=A1.json"  # longer than 16 characters, as they are
    a = on_moto.put_artists(source, "A1", "A2")
    replace_sources(artists, [source], [a])
    before = rows(artists)

    replace_sources(artists.refresh(), [source], [a])

    assert rows(artists) == before
    assert files(artists) == {a}
    # full source_key bounds: the old file is dropped from metadata, not read and rewritten
    operations = [str(s.summary.operation.value) for s in artists.snapshots()[-2:] if s.summary]
    assert operations == ["delete", "append"]


def test_a_replay_with_other_rows_replaces_exactly_that_sources_rows(
    on_moto: LakeOnMoto, artists: Table
) -> None:
    old = on_moto.put_artists("raw/a.json", "A1", "A2")
    other = on_moto.put_artists("raw/b.json", "B1")
    replace_sources(artists, ["raw/a.json", "raw/b.json"], [old, other])
    new = on_moto.put_artists("raw/a.json", "A1", name="renamed")

    replace_sources(artists.refresh(), ["raw/a.json"], [new])

    assert rows(artists) == Counter(
        {("raw/a.json", "A1", "renamed"): 1, ("raw/b.json", "B1", "n"): 1}
    )
    assert files(artists) == {new, other}


def test_a_source_that_now_gives_no_rows_loses_its_old_rows(
    on_moto: LakeOnMoto, artists: Table
) -> None:
    replace_sources(artists, ["raw/a.json"], [on_moto.put_artists("raw/a.json", "A1")])

    replace_sources(artists.refresh(), ["raw/a.json"], [])

    assert rows(artists) == Counter()


def test_a_replay_after_compaction_replaces_only_its_rows_inside_the_compacted_file(
    on_moto: LakeOnMoto, artists: Table
) -> None:
    paths = [on_moto.put_artists(f"raw/{n}.json", f"X{n}") for n in range(3)]
    replace_sources(artists, [f"raw/{n}.json" for n in range(3)], paths)
    everything = artists.refresh().scan().to_arrow()
    artists.overwrite(everything)  # what maintenance does: the month in one file
    assert len(files(artists)) == 1

    replay = on_moto.put_artists("raw/1.json", "X1", name="again")
    replace_sources(artists.refresh(), ["raw/1.json"], [replay])

    assert rows(artists) == Counter(
        {
            ("raw/0.json", "X0", "n"): 1,
            ("raw/1.json", "X1", "again"): 1,
            ("raw/2.json", "X2", "n"): 1,
        }
    )


def test_a_replay_lands_in_one_commit_so_readers_see_before_or_after(
    on_moto: LakeOnMoto, artists: Table
) -> None:
    replace_sources(artists, ["raw/a.json"], [on_moto.put_artists("raw/a.json", "A1")])
    loaded = artists.refresh()
    states = len(loaded.metadata.metadata_log)

    replace_sources(loaded, ["raw/a.json"], [on_moto.put_artists("raw/a.json", "A1", name="m")])

    # one new metadata file: no table state between the delete and the add was ever current
    assert len(artists.refresh().metadata.metadata_log) == states + 1


def test_a_commit_that_lost_to_another_writer_is_redone_on_the_new_state(
    on_moto: LakeOnMoto, artists: Table
) -> None:
    stale = on_moto.catalog.load_table(artists.name())
    # another cataloger commits between our load and our commit
    replace_sources(artists, ["raw/b.json"], [on_moto.put_artists("raw/b.json", "B1")])
    waits: list[float] = []

    committed = replace_sources(
        stale,
        ["raw/a.json"],
        [on_moto.put_artists("raw/a.json", "A1")],
        policy=NO_WAIT,
        sleep=waits.append,
        jitter=lambda: 0.0,
    )

    assert committed.attempts == 2
    assert waits == [0.5]
    assert rows(artists) == Counter({("raw/a.json", "A1", "n"): 1, ("raw/b.json", "B1", "n"): 1})


class LosingCatalog(GlueCatalog):
    """A Glue catalog whose first ``losses`` commits lose a race (moto never makes one)."""

    def __init__(self, losses: int, **properties: Any) -> None:
        super().__init__("losing", None, **properties)
        self.losses = losses
        self.commits = 0

    def commit_table(self, table: Any, requirements: Any, updates: Any) -> Any:
        self.commits += 1
        if self.commits <= self.losses:
            raise CommitFailedException("injected: Glue saw a newer VersionId")
        return super().commit_table(table, requirements, updates)


def test_a_commit_that_keeps_losing_is_transient_and_lands_nothing(
    on_moto: LakeOnMoto, artists: Table, aws_env: Any
) -> None:
    catalog = LosingCatalog(losses=99, **catalog_properties(MotoEndpoints(aws_env.endpoint)))
    table = catalog.load_table(artists.name())
    waits: list[float] = []

    with pytest.raises(TransientError) as lost:
        replace_sources(
            table,
            ["raw/a.json"],
            [on_moto.put_artists("raw/a.json", "A1")],
            policy=NO_WAIT,
            sleep=waits.append,
        )

    assert catalog.commits == NO_WAIT.attempts
    assert len(waits) == NO_WAIT.attempts - 1
    assert "lost 3 commits in a row" in lost.value.reason
    assert rows(artists) == Counter()


def test_a_file_the_table_cannot_take_is_permanent_and_lands_nothing(
    on_moto: LakeOnMoto, artists: Table
) -> None:
    import polars as pl

    good = on_moto.put_artists("raw/a.json", "A1")
    bad = on_moto.put_frame("artists", pl.DataFrame({"artist_id": [1], "source_key": ["raw/b"]}))

    with pytest.raises(PermanentError):
        replace_sources(artists, ["raw/a.json", "raw/b"], [good, bad])

    assert rows(artists) == Counter()
