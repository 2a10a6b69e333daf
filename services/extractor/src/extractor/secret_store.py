"""The refresh token in AWS Secrets Manager (``SPOTIFY_REFRESH_TOKEN_SECRET``): thin adapter.

Read once at the start of a run; a rotated token is written back with
PutSecretValue at once, keeping ``authorized_at``. ``extractor auth --store``
writes (or first creates) the secret. The value never reaches a log line.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from spotify_etl_common.aws_errors import (
    error_code,
    translate_botocore_error,
    translate_client_error,
)
from spotify_etl_common.errors import PermanentError, SpotifyEtlError

from extractor.grants import AUTH_COMMAND, UserGrant, parse_secret, secret_text


class SecretsManagerGrant:
    """One secret holding ``{"refresh_token", "authorized_at"}``."""

    can_keep = True

    def __init__(self, client: Any, secret_id: str) -> None:
        self._client = client
        self.secret_id = secret_id
        self.description = f"secret {secret_id}"

    async def load(self) -> UserGrant:
        """The stored grant; a missing or unreadable secret is one clear error."""
        try:
            answer = await self._client.get_secret_value(SecretId=self.secret_id)
        except (ClientError, BotoCoreError) as error:
            raise self._error(error, "GetSecretValue") from error
        return parse_secret(str(answer.get("SecretString", "")), self.secret_id)

    async def keep(self, grant: UserGrant) -> None:
        """Write a rotated grant back (PutSecretValue: a new version of the same secret)."""
        try:
            await self._client.put_secret_value(
                SecretId=self.secret_id, SecretString=secret_text(grant)
            )
        except (ClientError, BotoCoreError) as error:
            raise self._error(error, "PutSecretValue") from error

    async def store(self, grant: UserGrant) -> None:
        """Write ``grant``, creating the secret if it does not exist yet (``auth --store``)."""
        try:
            await self._client.put_secret_value(
                SecretId=self.secret_id, SecretString=secret_text(grant)
            )
        except ClientError as error:
            if error_code(error) != "ResourceNotFoundException":
                raise self._error(error, "PutSecretValue") from error
            try:
                await self._client.create_secret(
                    Name=self.secret_id, SecretString=secret_text(grant)
                )
            except (ClientError, BotoCoreError) as again:
                raise self._error(again, "CreateSecret") from again
        except BotoCoreError as error:
            raise self._error(error, "PutSecretValue") from error

    def _error(self, error: ClientError | BotoCoreError, action: str) -> SpotifyEtlError:
        if isinstance(error, ClientError):
            code = error_code(error)
            if code == "ResourceNotFoundException":
                return PermanentError(
                    f"{action} on secret {self.secret_id}: it does not exist; "
                    f"run `{AUTH_COMMAND}` to create it"
                )
            if code in ("AccessDeniedException", "AccessDenied"):
                return PermanentError(
                    f"{action} on secret {self.secret_id} was denied: the role needs "
                    f"secretsmanager:{action} on that secret"
                )
            return translate_client_error(error, f"{action} on secret {self.secret_id}")
        return translate_botocore_error(error, f"{action} on secret {self.secret_id}")
