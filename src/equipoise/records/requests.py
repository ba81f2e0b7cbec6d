"""The request a page view receives, typed for what the middleware guarantees.

`LoginRequiredMiddleware` lets only a signed-in user reach a view that is not `login_not_required`,
and `RequestIdMiddleware` gives every request the id the audit trail records; the views annotate
their request as `SignedInRequest` so the type checker knows both; public views that record
an event take `IdentifiedRequest`.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest


class IdentifiedRequest(HttpRequest):
    """Any request past `RequestIdMiddleware`, the public views' included."""

    request_id: str


class SignedInRequest(IdentifiedRequest):
    user: User
