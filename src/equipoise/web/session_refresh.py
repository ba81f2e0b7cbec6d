"""Keep the 30-minute idle timeout without writing the session on every page view.

Saving the session on every request (`SESSION_SAVE_EVERY_REQUEST`) made each page view a database
write: on SQLite, whose transactions start IMMEDIATE, every read took the write lock. Here the
session is saved again only when the last save is more than `SESSION_REFRESH_SECONDS` old, so the
expiry still slides with activity (to within that many seconds) while most page views write nothing.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse

TOUCHED = "_equipoise_touched"


class SessionRefreshMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            if now - int(session.get(TOUCHED, 0)) >= settings.SESSION_REFRESH_SECONDS:
                session[TOUCHED] = now  # marks the session modified: SessionMiddleware saves it
        return response
