"""Request id for the audit trail, and login required everywhere but the public pages."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

PUBLIC_PREFIXES = ("/trials/", "/login/", "/static/", "/i18n/", "/api/", "/health/")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-Id"] = request.request_id
        return response


class LoginRequiredMiddleware:
    """Everything needs a login except the public trial pages and the login itself.

    The API authenticates its own requests with tokens (`equipoise.api.auth`), so it is passed
    through here and refuses unauthenticated calls itself with 401.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(PUBLIC_PREFIXES) or request.user.is_authenticated:
            return self.get_response(request)
        return redirect(f"{settings.LOGIN_URL}?next={request.path}")
