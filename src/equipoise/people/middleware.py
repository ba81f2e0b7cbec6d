"""A signed-in session owing its second factor reaches only the pages that collect it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from equipoise.people.session_tracking import ENROLMENT_OWED, SECOND_FACTOR_OWED

OPEN_PREFIXES = ("/trials/", "/static/", "/i18n/", "/api/", "/logout/", "/account/invitation/",
                 "/account/password-reset/")


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(OPEN_PREFIXES):
            return self.get_response(request)
        session = request.session
        if session.get(SECOND_FACTOR_OWED) and not user.is_verified():
            target = reverse("second-factor")
        elif session.get(ENROLMENT_OWED):
            target = reverse("two-factor")
        else:
            return self.get_response(request)
        if request.path == target:
            return self.get_response(request)
        return redirect(f"{target}?next={request.path}")
