"""Reading request bodies: a size limit, then strict JSON (no duplicate keys, no NaN).

Django already refuses bodies whose Content-Length exceeds DATA_UPLOAD_MAX_MEMORY_SIZE; the
API keeps its own limit too, so a larger Django setting (or none) cannot open the API to
oversized bodies. Both refusals become 413 in `errors`.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja.parser import Parser

MAX_BODY_BYTES = 256 * 1024


class BodyTooLarge(Exception):
    def __init__(self, size: int, limit: int):
        super().__init__(f"the request body is {size} bytes, more than the limit of {limit} bytes")
        self.size, self.limit = size, limit


class BadJson(Exception):
    """The body is not the JSON object the route expects; the message says where and why."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise BadJson(f"key {key!r} appears twice in one object")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise BadJson(f"{name} is not a JSON number")


def parse_json_object(raw: bytes, limit: int = MAX_BODY_BYTES) -> dict[str, Any]:
    """Parse a request body: at most `limit` bytes, UTF-8 JSON, one object at the top level."""
    if len(raw) > limit:
        raise BodyTooLarge(len(raw), limit)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadJson(f"the body is not UTF-8 (byte {exc.start})") from None
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise BadJson(f"{exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if not isinstance(value, dict):
        raise BadJson(f"the body must be a JSON object, not {type(value).__name__}")
    return value


def declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class StrictJsonParser(Parser):
    """ninja's body parser with the checks above; Content-Length is checked before reading."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        if declared_length(request) > MAX_BODY_BYTES:
            raise BodyTooLarge(declared_length(request), MAX_BODY_BYTES)
        return parse_json_object(request.body)
