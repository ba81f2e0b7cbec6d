"""API bearer tokens: created here, audited; only a token's SHA-256 is stored, so a database leak
reveals none. A token is shown once, when it is created, and never again."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.models import User
from django.db import transaction

from equipoise.records.access import all_roles
from equipoise.records.actor import Actor
from equipoise.records.audit import record_event
from equipoise.records.audit_actions import AuditAction
from equipoise.records.models import ApiToken

# A recognisable prefix lets secret scanners spot a leaked token in a log or a repository.
TOKEN_PREFIX = "eqp_"
MAX_LABEL = 100


def token_digest(token: str) -> str:
    """The stored form of a token: its SHA-256, hex (tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token_text() -> str:
    """A fresh token: 256 bits from the OS's secure generator, URL-safe."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def create_token(user: User, label: str, now: dt.datetime, *, request_id: str = "") -> str:
    """Store a new token for `user` and return its text, which is never stored or shown again.

    The creation is audited (who, which label), never the token itself.
    """
    label = label.strip()
    if not label:
        raise ValueError("label must not be empty")
    if len(label) > MAX_LABEL:
        raise ValueError(f"label must be at most {MAX_LABEL} characters, not {len(label)}")
    if now.tzinfo is None:
        raise ValueError("now must carry a time zone")
    text = new_token_text()
    actor = Actor(user=user, role=",".join(sorted(all_roles(user))), request_id=request_id)
    with transaction.atomic(durable=True):
        token = ApiToken.objects.create(user=user, key_sha256=token_digest(text), label=label, created_at=now)
        record_event(actor, AuditAction.API_TOKEN_CREATE, "api_token", token.pk, site_code="",
                     changes={"label": [None, label]})
    return text
