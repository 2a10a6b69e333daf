"""The lake's boundary: pyiceberg's, pyarrow's and botocore's errors as the error tree.

pyiceberg calls Glue through boto3 and reads and writes S3 through pyarrow, so
one lake call can fail in three vocabularies. :func:`translating_lake` turns
them into :class:`TransientError` (a connection, a throttled or failing
service: try again later) or :class:`PermanentError` (a file the table cannot
take: it will fail again the same way), with ``action`` first in the reason.
A lost commit race (``CommitFailedException``) is not translated here: the
committer retries it (:mod:`spotify_etl_lake.commit`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from spotify_etl_common.aws_errors import translating
from spotify_etl_common.errors import PermanentError, SpotifyEtlError, TransientError


@contextmanager
def translating_lake(action: str) -> Iterator[None]:
    """Run pyiceberg calls; raise what they raise as the error tree (conflicts excepted)."""
    try:
        with translating(action):
            yield
    except SpotifyEtlError:
        raise
    except FileNotFoundError as error:
        raise PermanentError(f"{action} failed: a file is missing: {error}") from error
    except OSError as error:  # pyarrow's S3 errors: connection, throttling, 5xx
        raise TransientError(f"{action} failed: {error}") from error
    except ValueError as error:  # a file the table cannot take (schema, duplicate)
        raise PermanentError(f"{action} failed: {error}") from error
