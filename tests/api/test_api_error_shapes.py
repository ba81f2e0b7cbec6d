"""The pure pieces behind the error shape and body parsing (no database, no request)."""

import pytest

from equipoise.api.body import BadJson, BodyTooLarge, parse_json_object
from equipoise.api.errors import (
    error_body,
    field_of,
    from_pydantic,
    implied_error,
    rule_of,
    sentence,
)


@pytest.mark.parametrize("text, expected", [
    ("form labs at SCR is locked", "Form labs at SCR is locked."),
    ("lab_neutrophils_g_l must be at most 100", "Refused: lab_neutrophils_g_l must be at most 100."),
    ("'x' is not a field of form labs", "Refused: 'x' is not a field of form labs."),
    ("No such subject.", "No such subject."),
    ("  spaced \n out  ", "Spaced out."),
    ("", "The request was refused."),
])
def test_sentence(text, expected):
    assert sentence(text) == expected


@pytest.mark.parametrize("loc, field", [
    (("body", "body", "data"), "data"), (("body", "body"), "body"), (("query", "status"), "status"),
    (("path", "query_id"), "query_id"), (("body", "body", "data", "x"), "data.x"), ((), "body"),
])
def test_field_of(loc, field):
    assert field_of(loc) == field


@pytest.mark.parametrize("kind, rule", [
    ("missing", "required"), ("extra_forbidden", "unknown_field"), ("string_type", "type"),
    ("int_parsing", "type"), ("literal_error", "choices"), ("less_than_equal", "max"),
    ("timezone_aware", "timezone"), ("something_new", "something_new"),
])
def test_rule_of(kind, rule):
    assert rule_of(kind) == rule


def test_from_pydantic_names_field_and_rule():
    errors = from_pydantic([
        {"loc": ("body", "body", "reason"), "type": "string_type", "msg": "Input should be a valid string"},
        {"loc": ("body", "body", "extra"), "type": "extra_forbidden", "msg": "Extra inputs are not permitted"},
    ])
    assert errors == [
        {"field": "reason", "rule": "type", "message": "reason should be a valid string"},
        {"field": "extra", "rule": "unknown_field", "message": "extra is not a key this request accepts"},
    ]


def test_error_body_and_implied_errors():
    assert error_body("no such subject", [implied_error(404, "no such subject")]) == {
        "detail": "No such subject.",
        "errors": [{"field": "path", "rule": "not_found", "message": "no such subject"}]}
    assert implied_error(409, "locked")["field"] == "state"


def test_parse_json_object():
    assert parse_json_object(b'{"a": [1, 2.5, null]}') == {"a": [1, 2.5, None]}
    with pytest.raises(BodyTooLarge) as big:
        parse_json_object(b'{"a": "' + b"x" * 100 + b'"}', limit=50)
    assert big.value.size == 109 and big.value.limit == 50
    for raw, message in [(b'{"a": 1, "a": 2}', "twice"), (b"[]", "object"), (b'{"a": -Infinity}', "Infinity"),
                         (b"\xff", "UTF-8"), (b"{", "line 1 column 2")]:
        with pytest.raises(BadJson, match=message):
            parse_json_object(raw)
