"""One JSON line per request on the `equipoise.requests` logger (standard error in production).

Each line carries the request id that `RequestIdMiddleware` gives the request and that every audit
event written during it records, so a log line and the audit trail can be joined. Nothing from the
request body or query string is logged: they may hold trial data.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("equipoise.requests")


def request_line(request: HttpRequest, response: HttpResponse | None, started: float,
                 error: BaseException | None = None) -> str:
    user = getattr(request, "user", None)
    fields = {
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
        "request_id": getattr(request, "request_id", ""),
        "method": request.method,
        "path": request.path,
        "status": response.status_code if response is not None else 500,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        "user": user.get_username() if user is not None and user.is_authenticated else "",
        "remote_addr": request.META.get("REMOTE_ADDR", ""),
    }
    if response is not None and not response.streaming:
        fields["bytes"] = len(response.content)
    if error is not None:
        fields["error"] = type(error).__name__
    return json.dumps(fields, ensure_ascii=False)


class RequestLogMiddleware:
    """Outermost middleware, so the line covers the whole request, redirects and refusals too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not logger.isEnabledFor(logging.INFO):
            return self.get_response(request)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        except BaseException as exc:
            logger.info(request_line(request, None, started, exc))
            raise
        logger.info(request_line(request, response, started))
        return response
