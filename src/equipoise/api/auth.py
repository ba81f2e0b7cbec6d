"""Bearer tokens for the API. Only a token's SHA-256 is stored, so a database leak reveals none.

A token is shown once, when it is created (`equipoise api token create USERNAME`, through the
action `records.actions.api_tokens.create_token`); after that the system can only check it.
Token calls carry no cookie, so CSRF does not apply to them.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja.security import HttpBearer

from equipoise.records.actions.api_tokens import TOKEN_PREFIX, token_digest
from equipoise.records.models import ApiToken


def user_for_token(token: str) -> User | None:
    """The active user a token belongs to, or None for an unknown token or an inactive user."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = ApiToken.objects.select_related("user").filter(key_sha256=token_digest(token)).first()
    if row is None or not row.user.is_active:
        return None
    return row.user


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; a missing or unknown token makes the API answer 401."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token.strip())
        if user is not None:
            # The pages and the access helper read request.user; a token call has no session.
            request.user = user
        return user
