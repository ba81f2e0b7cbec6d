"""The request an API route receives: `TokenAuth` put the token's user in `auth` (a call without a
valid token never reaches a route), and `RequestIdMiddleware` gave it the id the audit trail records."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest


class ApiRequest(HttpRequest):
    auth: User
    request_id: str
