"""The AWS boundary: one translation of botocore errors into the error tree, and a pure tree."""

from __future__ import annotations

import subprocess
import sys

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from spotify_etl_common.aws_errors import (
    ENTITY_NOT_FOUND,
    MISSING_OBJECT,
    translate_botocore_error,
    translate_client_error,
    translating,
)
from spotify_etl_common.errors import PermanentError, SpotifyEtlError, TransientError


def client_error(code: str, status: int, message: str = "msg") -> ClientError:
    return ClientError(
        {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": status},
        },
        "Op",
    )


@pytest.mark.parametrize(
    ("code", "status"),
    [("SlowDown", 503), ("ThrottlingException", 400), ("Boom", 500), ("TooMany", 429)],
)
def test_throttling_5xx_and_429_are_transient(code: str, status: int) -> None:
    error = translate_client_error(client_error(code, status), "PUT s3://b/k")
    assert isinstance(error, TransientError)
    assert error.reason == f"PUT s3://b/k failed: {code}: msg"


@pytest.mark.parametrize("code", ["AccessDenied", "ValidationException", "NoSuchBucket"])
def test_other_4xx_are_permanent_with_code_and_message(code: str) -> None:
    error = translate_client_error(client_error(code, 403, "no way"), "GET s3://b/k")
    assert isinstance(error, PermanentError)
    assert error.reason == f"GET s3://b/k failed: {code}: no way"


def test_an_answer_without_a_message_names_its_code_twice_rather_than_nothing() -> None:
    error = translate_client_error(client_error("Gone", 410, ""), "x")
    assert error.reason == "x failed: Gone: Gone"


def test_connection_and_timeout_errors_are_transient_and_say_which() -> None:
    refused = translate_botocore_error(EndpointConnectionError(endpoint_url="http://x"), "receive")
    slow = translate_botocore_error(ReadTimeoutError(endpoint_url="http://x"), "receive")
    assert isinstance(refused, TransientError)
    assert refused.reason.startswith("receive failed (connection error): ")
    assert slow.reason.startswith("receive failed (timeout error): ")


def test_translating_raises_the_tree_with_the_library_error_as_cause() -> None:
    original = client_error("AccessDenied", 403)
    with (
        pytest.raises(PermanentError, match=r"^HEAD s3://b/k failed: AccessDenied") as caught,
        translating("HEAD s3://b/k"),
    ):
        raise original
    assert caught.value.__cause__ is original
    with (
        pytest.raises(TransientError, match=r"^LIST s3://b/ failed \(connection error\)"),
        translating("LIST s3://b/"),
    ):
        raise ConnectionClosedError(endpoint_url="http://x")


def test_an_expected_missing_code_ends_the_block_quietly_and_is_recorded() -> None:
    reached_after_call = False
    with translating("GET s3://b/k", missing=MISSING_OBJECT) as outcome:
        raise client_error("NoSuchKey", 404)
    assert (outcome.code, outcome.missing) == ("NoSuchKey", True)
    with translating("GET s3://b/k", missing=MISSING_OBJECT) as fine:
        reached_after_call = True
    assert reached_after_call
    assert (fine.code, fine.missing) == (None, False)


def test_a_tolerated_code_is_recorded_but_is_not_missing() -> None:
    with translating("create", missing=ENTITY_NOT_FOUND, tolerated={"AlreadyExists"}) as outcome:
        raise client_error("AlreadyExists", 400)
    assert (outcome.code, outcome.missing) == ("AlreadyExists", False)


def test_a_missing_code_of_another_service_is_still_an_error() -> None:
    with pytest.raises(PermanentError), translating("GET", missing=ENTITY_NOT_FOUND):
        raise client_error("NoSuchKey", 404)


def test_errors_that_are_not_the_sdks_pass_through_untouched() -> None:
    with pytest.raises(ValueError, match="bad"), translating("x"):
        raise ValueError("bad")
    with pytest.raises(PermanentError, match=r"^ours$"), translating("x"):
        raise PermanentError("ours")


def test_the_error_tree_and_the_pure_modules_load_without_botocore() -> None:
    code = (
        "import sys\n"
        "import spotify_etl_common.errors, spotify_etl_common.keys, spotify_etl_common.messages\n"
        "assert 'botocore' not in sys.modules, 'botocore was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_tree_error_is_a_spotify_etl_error() -> None:
    assert issubclass(TransientError, SpotifyEtlError)
    assert issubclass(PermanentError, SpotifyEtlError)
    assert TransientError("r", retry_after=3).retry_after == 3
