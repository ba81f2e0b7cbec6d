"""Helpers for the API tests: a client that sends a person's token, paths, a snapshot of what
refusals must leave untouched, and the one error shape."""

from __future__ import annotations

import datetime as dt
import json

from django.test import Client

from clasi_fill import scored_everywhere
from equipoise.records.models import AuditEvent, DataQuery, FormRecord, FormRevision, Subject

NOW = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
BASE = "/api/v1"
LABS = {"lab_date": "2026-01-05", "lab_neutrophils_g_l": 2.5}
CLASI_SCREEN = {"assessment_date": "2026-01-05", "assessor": "assessor_a", "clasi_record": scored_everywhere({
    "regions": {"face": {"erythema": 3, "scale": 2, "dyspigmentation": 1, "scarring": 1}},
    "mucous_membrane": 1, "recent_hair_loss": 0, "nonscarring_alopecia": 0, "scarring_alopecia": 0,
    "dyspigmentation_12_months_or_more": True})}


class Api:
    """Calls the API as one person (or with no token at all when `name` is None)."""

    def __init__(self, tokens: dict[str, str]):
        self.tokens = tokens

    def call(self, name, method, path, body=None, *, raw=None, **extra):
        client = Client(enforce_csrf_checks=True)
        headers = dict(extra)
        if name is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {self.tokens[name]}"
        data = raw if raw is not None else (json.dumps(body) if body is not None else "")
        return getattr(client, method.lower())(BASE + path, data=data, content_type="application/json",
                                               **headers)

    def get(self, name, path, **extra):
        return self.call(name, "GET", path, **extra)

    def post(self, name, path, body=None, **kw):
        return self.call(name, "POST", path, body, **kw)

    def put(self, name, path, body=None, **kw):
        return self.call(name, "PUT", path, body, **kw)


def form_path(subject, form_id="labs", visit="SCR"):
    return f"/subjects/{subject.code}/visits/{visit}/forms/{form_id}"


def snapshot():
    """Everything a refused request must leave untouched (access.denied events aside)."""
    return {
        "subjects": list(Subject.objects.order_by("pk").values_list("code", "status")),
        "records": list(FormRecord.objects.order_by("pk").values_list("pk", "data", "state", "revision")),
        "revisions": FormRevision.objects.count(),
        "queries": list(DataQuery.objects.order_by("pk").values_list("pk", "status", "answer")),
        "events": list(AuditEvent.objects.exclude(action="access.denied").values_list("sequence", flat=True)),
    }


def denied_events(username):
    return AuditEvent.objects.filter(action="access.denied", username=username).count()


def assert_error(response, status, field=None, rule=None):
    """The one error shape: a sentence and field-naming errors."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert isinstance(body["detail"], str) and body["detail"].endswith(".") and not body["detail"][0].islower()
    for error in body["errors"]:
        assert {"field", "rule", "message"} <= set(error)
    if field is not None:
        assert any(e["field"] == field and (rule is None or e["rule"] == rule) for e in body["errors"]), body
    return body
