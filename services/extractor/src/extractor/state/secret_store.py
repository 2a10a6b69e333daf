"""The refresh token in AWS Secrets Manager (``SPOTIFY_REFRESH_TOKEN_SECRET``): thin adapter.

Read once at the start of a run; a rotated token is written back with
PutSecretValue at once, keeping ``authorized_at``. ``extractor auth --store``
writes (or first creates) the secret. The value never reaches a log line.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from spotify_etl_common.aws_errors import Outcome, translating
from spotify_etl_common.errors import PermanentError

from extractor.spotify.grants import AUTH_COMMAND, UserGrant, parse_secret, secret_text

NOT_FOUND = frozenset({"ResourceNotFoundException"})
"""Secrets Manager's answer for a secret that does not exist."""
DENIED = frozenset({"AccessDeniedException", "AccessDenied"})
"""Answers for a role without the permission asked for."""


class SecretsManagerGrant:
    """One secret holding ``{"refresh_token", "authorized_at"}``."""

    can_keep = True

    def __init__(self, client: Any, secret_id: str, command: str = AUTH_COMMAND) -> None:
        self._client = client
        self.secret_id = secret_id
        self.description = f"secret {secret_id}"
        self.command = command
        """What to run when the secret is missing or unreadable (names the household user)."""

    async def load(self) -> UserGrant:
        """The stored grant; a missing or unreadable secret is one clear error."""
        with self._translating("GetSecretValue") as outcome:
            answer = await self._client.get_secret_value(SecretId=self.secret_id)
        self._raise_for(outcome, "GetSecretValue")
        return parse_secret(str(answer.get("SecretString", "")), self.secret_id, self.command)

    async def keep(self, grant: UserGrant) -> None:
        """Write a rotated grant back (PutSecretValue: a new version of the same secret)."""
        self._raise_for(await self._put(grant), "PutSecretValue")

    async def store(self, grant: UserGrant) -> None:
        """Write ``grant``, creating the secret if it does not exist yet (``auth --store``)."""
        outcome = await self._put(grant)
        if not outcome.missing:
            self._raise_for(outcome, "PutSecretValue")
            return
        with self._translating("CreateSecret") as created:
            await self._client.create_secret(Name=self.secret_id, SecretString=secret_text(grant))
        self._raise_for(created, "CreateSecret")

    async def _put(self, grant: UserGrant) -> Outcome:
        with self._translating("PutSecretValue") as outcome:
            await self._client.put_secret_value(
                SecretId=self.secret_id, SecretString=secret_text(grant)
            )
        return outcome

    def _translating(self, action: str) -> AbstractContextManager[Outcome]:
        return translating(
            f"{action} on secret {self.secret_id}", missing=NOT_FOUND, tolerated=DENIED
        )

    def _raise_for(self, outcome: Outcome, action: str) -> None:
        """The clear error for a missing secret or a denied call (nothing when it worked)."""
        if outcome.missing:
            raise PermanentError(
                f"{action} on secret {self.secret_id}: it does not exist; "
                f"run `{self.command}` to create it"
            )
        if outcome.code is not None:
            raise PermanentError(
                f"{action} on secret {self.secret_id} was denied: the role needs "
                f"secretsmanager:{action} on that secret"
            )
