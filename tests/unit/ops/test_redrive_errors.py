"""Which StartMessageMoveTask answers make redrive fall back to the copy loop."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from spotify_etl.dlq.redrive import is_unsupported


def client_error(code: str, status: int) -> ClientError:
    response: Any = {
        "Error": {"Code": code, "Message": "x"},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(response, "StartMessageMoveTask")


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("UnsupportedOperation", 400),
        ("AWS.SimpleQueueService.UnsupportedOperation", 400),
        ("InvalidAction", 400),
        ("500", 500),  # moto: NotImplementedError surfaces as a bare 500 page
        ("NotImplemented", 501),
    ],
)
def test_endpoints_without_the_api_fall_back(code: str, status: int) -> None:
    assert is_unsupported(client_error(code, status))


@pytest.mark.parametrize(
    "code", ["AccessDenied", "ResourceNotFoundException", "InvalidParameterValue"]
)
def test_real_refusals_are_reported_not_hidden(code: str) -> None:
    assert not is_unsupported(client_error(code, 400))
