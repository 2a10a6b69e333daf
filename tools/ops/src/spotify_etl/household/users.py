"""The household's users as the operator CLI knows them: their grants' secrets.

``extractor auth --store --user NAME`` keeps each user's grant in Secrets
Manager as ``${SPOTIFY_USER_SECRET_PREFIX}NAME`` (default prefix
``spotify-etl/users/``): ``{"refresh_token", "authorized_at", "id",
"display_name"}``. The CLI reads ``id`` (the Spotify user id the lake's raw
keys and ``user_id`` columns carry) and ``display_name``, never keeps or prints
the token.

Which users are configured: the names of the secrets under the prefix, what
the CLI can list on the local stack and on AWS alike. ``EXTRACTOR_USERS`` is
the extractor task's variable, not the operator's: when it is set in the CLI's
environment too, its names count as well (a user named there without a secret
yet is still a user).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from spotify_etl_common.aws_errors import translating
from spotify_etl_common.errors import SpotifyEtlError

DEFAULT_SECRET_PREFIX = "spotify-etl/users/"  # noqa: S105 (a name, not a secret)
SECRET_PREFIX_VARIABLE = "SPOTIFY_USER_SECRET_PREFIX"  # noqa: S105 (a variable name)
USERS_VARIABLE = "EXTRACTOR_USERS"
NOT_FOUND = frozenset({"ResourceNotFoundException"})


class UserError(ValueError):
    """A user the CLI cannot resolve; the message says what to do."""


class HouseholdUser(BaseModel):
    """One user: the household name and what ``/me`` answered when they authorised."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    name: str
    id: str
    display_name: str | None = None


@dataclass(frozen=True)
class SecretsEndpoint:
    """Where Secrets Manager is (the common client factory reads these two members)."""

    aws_region: str
    endpoint: str | None

    def endpoint_for(self, service: str) -> str | None:
        """Secrets Manager's endpoint (None: real AWS)."""
        return self.endpoint if service == "secretsmanager" else None


def secrets_endpoint(env: Mapping[str, str] = os.environ) -> SecretsEndpoint:
    """Secrets Manager of ``env``: ``AWS_ENDPOINT_URL_SECRETSMANAGER``, else the shared one."""
    return SecretsEndpoint(
        env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
        env.get("AWS_ENDPOINT_URL_SECRETSMANAGER") or env.get("AWS_ENDPOINT_URL") or None,
    )


def secret_prefix(env: Mapping[str, str] = os.environ) -> str:
    """``SPOTIFY_USER_SECRET_PREFIX``, or the default."""
    return env.get(SECRET_PREFIX_VARIABLE) or DEFAULT_SECRET_PREFIX


def named_in_env(env: Mapping[str, str] = os.environ) -> list[str]:
    """The names ``EXTRACTOR_USERS`` lists in ``env`` (none when unset)."""
    return [n.strip() for n in env.get(USERS_VARIABLE, "").split(",") if n.strip()]


def parse_user(name: str, secret: str, secret_id: str) -> HouseholdUser:
    """The user of one secret's text; ``UserError`` when it holds no user id."""
    try:
        fields: Any = json.loads(secret)
        return HouseholdUser.model_validate({**fields, "name": name})
    except (ValueError, TypeError, ValidationError):
        raise UserError(
            f"secret {secret_id} holds no Spotify user id (its JSON lacks 'id'): authorise "
            f"the user again with: extractor auth --store --user {name}"
        ) from None


class Household:
    """The users' secrets through a Secrets Manager client (aiobotocore)."""

    def __init__(self, client: Any, prefix: str = DEFAULT_SECRET_PREFIX) -> None:
        self._client = client
        self.prefix = prefix

    async def names(self) -> list[str]:
        """Names of the users whose secret is under the prefix, sorted."""
        found: set[str] = set()
        token: str | None = None
        while True:
            try:
                with translating(f"ListSecrets under {self.prefix}"):
                    page = await self._client.list_secrets(
                        Filters=[{"Key": "name", "Values": [self.prefix]}],
                        **({"NextToken": token} if token else {}),
                    )
            except SpotifyEtlError as error:
                raise UserError(f"cannot list the users' secrets: {error.reason}") from None
            for entry in page.get("SecretList", []):
                name = str(entry.get("Name", ""))
                if name.startswith(self.prefix) and len(name) > len(self.prefix):
                    found.add(name.removeprefix(self.prefix))
            token = page.get("NextToken")
            if not token:
                return sorted(found)

    async def user(self, name: str) -> HouseholdUser:
        """The user ``name``; ``UserError`` naming the secret when there is none."""
        secret_id = f"{self.prefix}{name}"
        try:
            with translating(f"GetSecretValue {secret_id}", missing=NOT_FOUND) as outcome:
                answer = await self._client.get_secret_value(SecretId=secret_id)
        except SpotifyEtlError as error:
            raise UserError(f"cannot read the user's secret: {error.reason}") from None
        if outcome.missing:
            raise UserError(
                f"no user {name}: there is no secret {secret_id} (users are authorised with "
                f"extractor auth --store --user {name}); or pass the Spotify user id with "
                "--user-id"
            )
        return parse_user(name, str(answer.get("SecretString", "")), secret_id)


async def configured(household: Household, env: Mapping[str, str] = os.environ) -> list[str]:
    """Every configured user: the secrets under the prefix and the names of
    ``EXTRACTOR_USERS`` if the CLI's environment sets it."""
    return sorted({*await household.names(), *named_in_env(env)})


async def user_id_for(
    name: str | None, user_id: str | None, env: Mapping[str, str] = os.environ
) -> str | None:
    """The Spotify user id ``--user NAME`` (through its secret) or ``--user-id`` names; None
    when neither is given."""
    if user_id is not None or name is None:
        return user_id
    from spotify_etl_common.aws import secretsmanager_client

    async with secretsmanager_client(secrets_endpoint(env)) as client:
        return (await Household(client, secret_prefix(env)).user(name)).id
