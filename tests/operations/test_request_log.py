"""One JSON line per request, carrying the request id the audit trail records for its writes."""

from __future__ import annotations

import json
import logging

import pytest

from equipoise.records.models import AuditEvent


@pytest.fixture
def request_log(caplog):
    caplog.set_level(logging.INFO, logger="equipoise.requests")
    return caplog


def lines(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "equipoise.requests"]


def test_a_write_and_its_log_line_share_the_request_id(client, people, request_log):
    client.force_login(people["inv_a"])
    response = client.post("/subjects/new/", {"site": "TNN"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(object_type="subject")
    (line,) = [ln for ln in lines(request_log) if ln["path"] == "/subjects/new/"]
    assert line["request_id"] == response["X-Request-Id"] == event.request_id
    assert line["method"] == "POST" and line["status"] == 302 and line["user"] == "inv_a"
    assert isinstance(line["duration_ms"], float) and line["time"].endswith("+00:00")


def test_nothing_from_the_query_string_or_body_is_logged(client, people, request_log):
    client.post("/login/?next=/subjects/S-SECRET/", {"username": "inv_a", "password": "not-the-password"})
    (line,) = lines(request_log)
    assert line["path"] == "/login/" and "S-SECRET" not in json.dumps(line)
    assert "not-the-password" not in json.dumps(line)


def test_no_line_below_info(client, people, caplog):
    caplog.set_level(logging.WARNING, logger="equipoise.requests")
    client.get("/login/")
    assert lines(caplog) == []
