"""The local grants: every secret of the local Secrets Manager, kept in a file of the user's.

moto keeps secrets in memory; the refresh tokens stored there (``extractor auth
--store``, the household's ``spotify-etl/users/...``) would be gone after a
restart and every user would have to authorise again. So the local stack's moto
writes them to ``grants.json`` in the state directory after every change
(:mod:`spotify_etl.local.moto_host`), ``local down`` writes them once more, and
``local up`` puts them back. The file is replaced atomically, mode 0600 in a
0700 directory; no value is ever logged or printed (``repr`` hides it).
"""

from __future__ import annotations

import base64
import os
import tempfile
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

PRIVATE_FILE = 0o600


class GrantsError(ValueError):
    """The grants file cannot be read; the message says which file and what to do."""


class StoredSecret(BaseModel):
    """One secret: its name and current value (a string or bytes)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    secret_string: str | None = Field(default=None, repr=False)
    secret_binary: str | None = Field(default=None, repr=False)
    """A binary value, base64."""


class Grants(BaseModel):
    """The grants file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Literal[1] = 1
    secrets: tuple[StoredSecret, ...] = ()


def read_grants(path: Path) -> Grants:
    """The grants kept in ``path`` (none if it does not exist)."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return Grants()
    try:
        return Grants.model_validate_json(text)
    except ValidationError as error:
        raise GrantsError(
            f"{path} is not a grants file ({error.error_count()} problems): the local "
            "refresh tokens cannot be restored from it; move it aside and authorise again "
            "(`extractor auth --store`)"
        ) from None


def write_grants(path: Path, grants: Grants) -> None:
    """Replace ``path`` atomically with ``grants``, readable by the user alone."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=".grants-", dir=path.parent)
    try:
        os.fchmod(descriptor, PRIVATE_FILE)
        with os.fdopen(descriptor, "w") as file:
            file.write(grants.model_dump_json())
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def snapshot(secretsmanager: Any) -> Grants:
    """Every live secret of ``secretsmanager`` with its current value."""
    secrets = []
    for page in secretsmanager.get_paginator("list_secrets").paginate():
        for entry in page.get("SecretList", []):
            if entry.get("DeletedDate"):
                continue  # scheduled for deletion: not a grant any more
            value = secretsmanager.get_secret_value(SecretId=entry["ARN"])
            secrets.append(
                StoredSecret(
                    name=value["Name"],
                    secret_string=value.get("SecretString"),
                    secret_binary=_base64(value.get("SecretBinary")),
                )
            )
    return Grants(secrets=tuple(sorted(secrets, key=lambda s: s.name)))


def _base64(value: bytes | None) -> str | None:
    return base64.b64encode(value).decode() if value is not None else None


def restore(secretsmanager: Any, grants: Grants) -> int:
    """Create (or set the value of) each kept secret; how many there were."""
    for secret in grants.secrets:
        value: dict[str, Any] = (
            {"SecretString": secret.secret_string}
            if secret.secret_string is not None
            else {"SecretBinary": base64.b64decode(secret.secret_binary or "")}
        )
        try:
            secretsmanager.create_secret(Name=secret.name, **value)
        except secretsmanager.exceptions.ResourceExistsException:
            secretsmanager.put_secret_value(SecretId=secret.name, **value)
    return len(grants.secrets)


def save(secretsmanager: Any, path: Path) -> int:
    """Write every secret of ``secretsmanager`` to ``path``; how many there were."""
    grants = snapshot(secretsmanager)
    write_grants(path, grants)
    return len(grants.secrets)
