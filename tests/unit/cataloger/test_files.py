"""The check of an announced file is pure: what S3 said in, a reason (or None) out."""

from __future__ import annotations

from typing import Any, cast

import pytest
from botocore.exceptions import ClientError
from cataloger.files import CuratedFiles, FileProbe, file_problem
from spotify_etl_common.errors import PermanentError
from spotify_etl_common.messages import TableFileWritten

KEY = "curated/albums/dt=2026-11-24/0123abcd.parquet"


def message(key: str = KEY, day: str = "2026-11-24", table: str = "albums") -> TableFileWritten:
    return TableFileWritten(
        table=table,
        bucket="b",
        key=key,
        partition={"dt": day},
        rows=2,
        schema_version=1,
        source_key="raw/source=albums/album_id=A1.json",
    )


def parquet_tail(footer: int) -> bytes:
    return footer.to_bytes(4, "little") + b"PAR1"


def test_a_sound_parquet_file_has_no_problem() -> None:
    assert file_problem(message(), FileProbe(size=900, tail=parquet_tail(400))) is None


def test_a_missing_file_says_so_and_what_to_do() -> None:
    problem = file_problem(message(), None)
    assert problem is not None
    assert problem.startswith(f"s3://b/{KEY} does not exist")
    assert "spotify-etl replay --stage transform" in problem


@pytest.mark.parametrize(
    ("probe", "expected"),
    [
        (
            FileProbe(size=13, tail=b'tems": []}'),
            "is not a Parquet file (13 bytes, no PAR1 footer)",
        ),
        (FileProbe(size=8, tail=parquet_tail(0)), "is not a Parquet file (8 bytes"),
        (FileProbe(size=40, tail=parquet_tail(300)), "is a truncated Parquet file"),
    ],
)
def test_what_is_not_parquet_or_is_cut_short_is_named(probe: FileProbe, expected: str) -> None:
    problem = file_problem(message(), probe)
    assert problem is not None
    assert expected in problem


def test_a_file_under_another_table_or_day_than_the_message_says_is_refused() -> None:
    sound = FileProbe(size=900, tail=parquet_tail(400))
    other_table = file_problem(message(table="tracks"), sound)
    assert other_table is not None
    assert "is not a file of table tracks" in other_table
    other_day = file_problem(message(day="2031-01-01"), sound)
    assert other_day is not None
    assert "lies in dt=2026-11-24" in other_day


class ForbiddingS3:
    """S3 as a role without s3:ListBucket sees a missing key: HEAD answers 403."""

    async def head_object(self, **request: Any) -> dict[str, Any]:
        answer = {"Error": {"Code": "403", "Message": "Forbidden"}}
        raise ClientError({**answer, "ResponseMetadata": {"HTTPStatusCode": 403}}, "HeadObject")


async def test_a_403_on_head_is_poison_naming_both_causes() -> None:
    with pytest.raises(PermanentError, match="answered 403: the file does not exist, or"):
        await CuratedFiles(cast(Any, ForbiddingS3())).check(message())
