"""`/health/`: database, migrations, audit chain head and the scheduler's heartbeat."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from equipoise.operations.health import SCHEDULER
from equipoise.operations.models import Heartbeat


def test_green_with_a_recent_heartbeat_and_needs_no_login(client, db):
    Heartbeat.objects.create(name=SCHEDULER, at=timezone.now() - dt.timedelta(seconds=30))
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "migrations", "audit_head", "scheduler"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["migrations"]["detail"] == "all applied"
    assert response["Cache-Control"].startswith("max-age=0")


def test_red_without_a_heartbeat(client, db):
    response = client.get("/health/")
    assert response.status_code == 503
    scheduler = response.json()["checks"]["scheduler"]
    assert scheduler == {"ok": False, "detail": "no heartbeat yet: is `equipoise worker` running?"}


def test_red_with_a_stale_heartbeat(client, db, settings):
    settings.HEARTBEAT_MAX_AGE_SECONDS = 120
    Heartbeat.objects.create(name=SCHEDULER, at=timezone.now() - dt.timedelta(minutes=10))
    response = client.get("/health/")
    assert response.status_code == 503
    assert "limit 120 s" in response.json()["checks"]["scheduler"]["detail"]


def test_the_audit_head_is_reported_by_sequence_only(client, people, actor_of):
    from equipoise.records.actions.subjects import create_subject

    Heartbeat.objects.create(name=SCHEDULER, at=timezone.now())
    create_subject(actor_of(people["inv_a"], "investigator", "TNN"), people["site_a"], "nct06965244")
    detail = client.get("/health/").json()["checks"]["audit_head"]["detail"]
    assert detail.startswith("sequence ") and int(detail.split()[1]) >= 1


def test_writes_are_refused(client, db):
    assert client.post("/health/").status_code == 405
