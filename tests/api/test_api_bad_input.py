"""Bad input changes nothing and is answered with the status, the field and the rule.

Site scoping (404), read-only roles (403) and locked forms (409) are covered route by route in
the other modules; here are the body problems: unknown keys, wrong types, out-of-range values,
malformed JSON, oversized bodies, a missing reason for change, naive datetimes."""

import json

import pytest
from api_testing import LABS, assert_error, form_path, snapshot


def labs_put(api, subject, body=None, **kw):
    return api.put("inv_a", form_path(subject), body, **kw)


@pytest.mark.parametrize("body, field, rule", [
    # keys of the request body itself
    ({"data": LABS, "reason": "x", "comment": "hi"}, "comment", "unknown_field"),
    ({"reason": "x"}, "data", "required"),
    ({"data": [1, 2], "reason": "x"}, "data", "type"),
    ({"data": "lab_date=2026-01-05", "reason": "x"}, "data", "type"),
    ({"data": LABS, "reason": 12}, "reason", "type"),
    ({"data": LABS, "reason": "x" * 2001}, "reason", "max_length"),
    # the form's fields, checked against the protocol
    ({"data": {**LABS, "not_a_field": 1}, "reason": "x"}, "not_a_field", "unknown_field"),
    ({"data": {**LABS, "lab_neutrophils_g_l": "2.0"}, "reason": "x"}, "lab_neutrophils_g_l", "type"),
    ({"data": {**LABS, "lab_neutrophils_g_l": True}, "reason": "x"}, "lab_neutrophils_g_l", "type"),
    ({"data": {**LABS, "lab_date": "05/01/2026"}, "reason": "x"}, "lab_date", "type"),
    ({"data": {**LABS, "lab_date": 20260105}, "reason": "x"}, "lab_date", "type"),
    ({"data": {**LABS, "lab_neutrophils_g_l": 101}, "reason": "x"}, "lab_neutrophils_g_l", "max"),
    ({"data": {**LABS, "lab_platelets_g_l": -1}, "reason": "x"}, "lab_platelets_g_l", "min"),
])
def test_bad_body_is_400_naming_field_and_rule(api, subject_a, body, field, rule):
    before = snapshot()
    error = assert_error(labs_put(api, subject_a, body), 400, field, rule)
    assert field in error["detail"]
    assert snapshot() == before


@pytest.mark.parametrize("raw, fragment", [
    (b'{"data": {"lab_date": "2026-01-05"', "line 1"),
    (b"{'data': {}}", "double quotes"),
    (b'{"data": {}, "reason": "x"} trailing', "Extra data"),
    (b'[{"data": {}}]', "JSON object"),
    (b'"just a string"', "JSON object"),
    (b'{"data": {"lab_neutrophils_g_l": NaN}}', "NaN"),
    (b'{"data": {"lab_neutrophils_g_l": Infinity}}', "Infinity"),
    (b'{"data": {}, "data": {"lab_date": "2026-01-05"}}', "twice"),
    (b'{"data": {}, "reason": "\xff\xfe"}', "UTF-8"),
])
def test_malformed_json_is_400(api, subject_a, raw, fragment):
    before = snapshot()
    error = assert_error(labs_put(api, subject_a, raw=raw), 400, "body", "json")
    assert fragment in error["detail"] and error["detail"].startswith("The request body is not valid JSON")
    assert snapshot() == before


def test_empty_body_is_400(api, subject_a):
    before = snapshot()
    assert_error(labs_put(api, subject_a, raw=b""), 400, "body", "required")
    assert snapshot() == before


def oversized_body():
    body = json.dumps({"data": LABS, "reason": "x" * (300 * 1024)})
    assert len(body) > 256 * 1024
    return body


def test_oversized_body_is_413(api, subject_a):
    before = snapshot()
    error = assert_error(labs_put(api, subject_a, raw=oversized_body()), 413, "body", "max_size")
    assert "262144" in error["detail"]
    assert_error(api.post("inv_a", "/subjects", raw=oversized_body()), 413)
    assert snapshot() == before


def test_api_keeps_its_own_limit_when_django_allows_more(api, subject_a, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None
    before = snapshot()
    assert_error(labs_put(api, subject_a, raw=oversized_body()), 413, "body", "max_size")
    assert snapshot() == before


def test_missing_reason_for_change_is_400_naming_reason(api, subject_a):
    before = snapshot()
    for body in ({"data": {**LABS, "lab_neutrophils_g_l": 3.0}},
                 {"data": {**LABS, "lab_neutrophils_g_l": 3.0}, "reason": "   "}):
        error = assert_error(labs_put(api, subject_a, body), 400, "reason", "required")
        assert "reason" in error["detail"]
    assert snapshot() == before


@pytest.mark.parametrize("value, rule", [
    ("2026-01-05T10:30:00", "timezone"),
    ("2026-01-05 10:30", "timezone"),
    ("yesterday at ten", "type"),
])
def test_naive_or_unreadable_datetimes_are_refused(api, subject_a, value, rule):
    before = snapshot()
    body = {"data": {"pregnancy_test_datetime": value, "pregnancy_test_result": "negative"}}
    error = assert_error(api.put("inv_a", form_path(subject_a, "pregnancy_test"), body), 400,
                         "pregnancy_test_datetime", rule)
    assert "pregnancy_test_datetime" in error["detail"]
    assert snapshot() == before


def test_enum_outside_its_choices_is_refused(api, subject_a):
    before = snapshot()
    body = {"data": {"pregnancy_test_datetime": "2026-01-05T10:30:00Z", "pregnancy_test_result": "unclear"}}
    assert_error(api.put("inv_a", form_path(subject_a, "pregnancy_test"), body), 400,
                 "pregnancy_test_result", "choices")
    assert snapshot() == before


def test_cross_field_edit_check_names_both_fields(api, subject_a):
    before = snapshot()
    body = {"data": {"screening_date": "2026-01-05", "consent_date": "2026-01-09"}}
    response = api.put("inv_a", form_path(subject_a, "screening"), body)
    error = assert_error(response, 400, "consent_date")
    assert {"consent_date", "screening_date"} <= {e["field"] for e in error["errors"]}
    assert snapshot() == before


def test_bad_path_and_query_values_are_400_or_404(api, subject_a):
    assert_error(api.post("inv_a", "/queries/abc/answer", {"answer": "x"}), 400, "query_id", "type")
    assert_error(api.get("inv_a", "/queries?status=everything"), 400, "status", "choices")
    unknown = assert_error(api.get("inv_a", "/no/such/route"), 404, "path", "not_found")
    assert "/api/v1/no/such/route" in unknown["detail"]
    assert_error(api.get(None, "/no/such/route"), 401)
    assert_error(api.get("inv_a", "/"), 404, "path", "not_found")


def test_errors_never_show_a_traceback(api, subject_a):
    for response in (labs_put(api, subject_a, raw=b"{"), labs_put(api, subject_a, {"data": 1})):
        assert b"Traceback" not in response.content and response["Content-Type"].startswith("application/json")
