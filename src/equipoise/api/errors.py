"""Every refusal the API gives has one shape: {"detail": sentence, "errors": [{field, rule, message}]}.

Pure functions turn refusals (pydantic errors, records' ActionRefused) into that shape; the
handlers installed on the API map each exception class to its status. No traceback ever
reaches a client: an unexpected error is logged and answered with the request id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from equipoise.api.body import MAX_BODY_BYTES, BadJson, BodyTooLarge
from equipoise.records.actions.errors import ActionRefused

logger = logging.getLogger(__name__)

# pydantic's error types, grouped under the rule names the records layer already uses.
_RULES = {
    "missing": "required",
    "extra_forbidden": "unknown_field",
    "string_too_long": "max_length",
    "string_too_short": "min_length",
    "too_long": "max_length",
    "too_short": "min_length",
    "literal_error": "choices",
    "enum": "choices",
    "greater_than": "min",
    "greater_than_equal": "min",
    "less_than": "max",
    "less_than_equal": "max",
    "timezone_aware": "timezone",
    "string_pattern_mismatch": "pattern",
}
# Where a parameter came from in ninja's error locations; the body's single parameter is `body`.
_SOURCES = ("body", "query", "path", "header", "cookie", "form")
BODY_PARAM = "body"


def sentence(text: str) -> str:
    """One sentence with a final full stop. A message that opens with a field name keeps the
    name as written (lab_neutrophils_g_l, not Lab_neutrophils_g_l) behind "Refused: "."""
    text = " ".join(text.split())
    if not text:
        return "The request was refused."
    first = text.split(" ", 1)[0]
    if first.isalpha() and first.islower():
        text = text[0].upper() + text[1:]
    elif not first[0].isupper():
        text = "Refused: " + text
    return text if text.endswith((".", "!", "?")) else text + "."


def error_body(detail: str, errors: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    return {"detail": sentence(detail), "errors": [dict(e) for e in errors]}


# When a refusal names no field itself, what it is about follows from its status.
_STATUS_SUBJECT = {400: ("request", "invalid"), 403: ("role", "permission"), 404: ("path", "not_found"),
                   409: ("state", "conflict")}


def implied_error(status: int, message: str) -> dict[str, str]:
    field, rule = _STATUS_SUBJECT.get(status, ("request", "refused"))
    return {"field": field, "rule": rule, "message": message}


def rule_of(pydantic_type: str) -> str:
    if pydantic_type in _RULES:
        return _RULES[pydantic_type]
    if pydantic_type.endswith(("_type", "_parsing")) or pydantic_type in ("model_attributes_type",):
        return "type"
    return pydantic_type


def field_of(loc: Iterable[Any]) -> str:
    """ninja's location ("body", "body", "data") as the field a client wrote ("data")."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in _SOURCES:
        source = parts.pop(0)
        if source == "body" and parts and parts[0] == BODY_PARAM:
            parts.pop(0)
    return ".".join(parts) or "body"


def from_pydantic(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """pydantic/ninja validation errors as {field, rule, message}, the message naming the field."""
    out = []
    for error in errors:
        field = field_of(error.get("loc", ()))
        rule = rule_of(str(error.get("type", "")))
        text = str(error.get("msg", "is invalid"))
        if rule == "required":
            message = f"{field} is required"
        elif rule == "unknown_field":
            message = f"{field} is not a key this request accepts"
        elif text.startswith("Input should be "):
            message = f"{field} should be {text.removeprefix('Input should be ')}"
        else:
            message = f"{field}: {text[0].lower() + text[1:] if text else text}"
        out.append({"field": field, "rule": rule, "message": message})
    return out


def summary(errors: Sequence[Mapping[str, Any]]) -> str:
    messages = [str(e["message"]) for e in errors[:3]]
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return "; ".join(messages) + more if messages else "the request was refused"


def _respond(api: NinjaAPI, request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
    response = api.create_response(request, body, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="equipoise"'
    return response


def install_error_handlers(api: NinjaAPI) -> None:
    """Map every refusal to its status and the one error shape."""

    def validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = from_pydantic(exc.errors)
        return _respond(api, request, 400, error_body(f"the request was refused: {summary(errors)}", errors))

    def refused(request: HttpRequest, exc: ActionRefused) -> HttpResponse:
        errors = [{"field": e.field, "rule": e.rule, "message": e.message}
                  for e in exc.errors] or [implied_error(exc.status, exc.message)]
        return _respond(api, request, exc.status, error_body(exc.message, errors))

    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        message = str(exc) or "not found"
        return _respond(api, request, 404, error_body(message, [implied_error(404, message)]))

    def forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
        message = f"your role may not do this ({exc})" if str(exc) else "your role may not do this"
        return _respond(api, request, 403, error_body(message, [implied_error(403, message)]))

    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return _respond(api, request, 401, error_body(
            "a valid API token is required in the header Authorization: Bearer <token>",
            [{"field": "Authorization", "rule": "token", "message": "missing, malformed or unknown token"}]))

    def too_large(request: HttpRequest, exc: Exception) -> HttpResponse:
        limit = exc.limit if isinstance(exc, BodyTooLarge) else MAX_BODY_BYTES
        return _respond(api, request, 413, error_body(
            f"the request body is larger than the limit of {limit} bytes",
            [{"field": "body", "rule": "max_size", "message": f"body must be at most {limit} bytes"}]))

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        cause = exc.__cause__
        if isinstance(cause, BodyTooLarge):
            return too_large(request, cause)
        if isinstance(cause, BadJson):
            return _respond(api, request, 400, error_body(
                f"the request body is not valid JSON: {cause}",
                [{"field": "body", "rule": "json", "message": str(cause)}]))
        return _respond(api, request, exc.status_code,
                        error_body(str(exc), [implied_error(exc.status_code, str(exc))]))

    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        request_id = getattr(request, "request_id", "")
        logger.exception("API error (request %s)", request_id)
        return _respond(api, request, 500, error_body(
            f"internal error; quote request id {request_id} to the trial's support"))

    # One handler per exception class (ninja's annotation of add_exception_handler wants a handler
    # taking the class too, which none of these is called with, hence the plain Callable).
    handlers: dict[type[Exception], Callable[..., HttpResponse]] = {
        ValidationError: validation, ActionRefused: refused, Http404: not_found,
        PermissionDenied: forbidden, AuthenticationError: unauthenticated,
        RequestDataTooBig: too_large, BodyTooLarge: too_large, HttpError: http_error,
        Exception: unexpected,
    }
    for exc_class, handler in handlers.items():
        api.add_exception_handler(exc_class, handler)
