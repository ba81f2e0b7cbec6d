"""Request id for the audit trail.

Login is required everywhere by Django's own `LoginRequiredMiddleware` (settings.MIDDLEWARE); the
views anyone may reach carry `login_not_required`: the public trial page, the login page, the
language switch, and the API, which authenticates its own requests with tokens
(`equipoise.api.auth`) and answers an unauthenticated call itself with 401.
"""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        # An attribute HttpRequest does not declare; the views read it as SignedInRequest.request_id.
        setattr(request, "request_id", request_id)  # noqa: B010
        response = self.get_response(request)
        response["X-Request-Id"] = request_id
        return response
