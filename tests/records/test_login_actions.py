"""Failed logins, the lockout they lead to, a login that clears them, and the statistician's view
of the concealed list are actions, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from equipoise.allocation.actions.lists import record_list_view
from equipoise.allocation.models import RandomizationList
from equipoise.records.actions.errors import ActionRefused
from equipoise.records.actor import Actor
from equipoise.records.audit import verify_ledger
from equipoise.records.models import AuditEvent, LoginFailure
from equipoise.records.protocol_versions import current_version
from equipoise.records.roles import Role

PASSWORD = "correct-horse-battery"


def test_failures_and_the_lockout_are_audited_under_the_name_typed(people, settings):
    client = Client()
    for _ in range(settings.LOGIN_LOCKOUT_FAILURES):
        client.post("/login/", {"username": "Inv_A", "password": "wrong"})
    failures = AuditEvent.objects.filter(action="login.failure").order_by("sequence")
    assert failures.count() == settings.LOGIN_LOCKOUT_FAILURES
    assert {e.username for e in failures} == {"inv_a"} and failures.last().changes["recent_failures"] == [
        settings.LOGIN_LOCKOUT_FAILURES - 1, settings.LOGIN_LOCKOUT_FAILURES]
    lockout = AuditEvent.objects.get(action="login.lockout")
    assert lockout.username == "inv_a" and lockout.sequence == failures.last().sequence + 1
    assert f"{settings.LOGIN_LOCKOUT_FAILURES} failed logins" in lockout.reason
    # While locked, even the right password is refused and nothing more is written.
    before = AuditEvent.objects.count()
    client.post("/login/", {"username": "inv_a", "password": PASSWORD})
    assert AuditEvent.objects.count() == before
    assert verify_ledger().intact


def test_a_successful_login_clears_earlier_failures_and_says_so(people):
    client = Client()
    client.post("/login/", {"username": "inv_a", "password": "wrong"})
    assert LoginFailure.objects.filter(username="inv_a").count() == 1
    assert client.post("/login/", {"username": "inv_a", "password": PASSWORD}).status_code == 302
    assert not LoginFailure.objects.exists()
    cleared = AuditEvent.objects.get(action="login.failures_cleared")
    assert cleared.changes == {"failures": [1, 0]}
    # A login without earlier failures writes nothing.
    before = AuditEvent.objects.count()
    assert Client().post("/login/", {"username": "inv_a", "password": PASSWORD}).status_code == 302
    assert AuditEvent.objects.count() == before


def test_the_statisticians_view_of_the_concealed_list_is_an_audited_action(people, client):
    rlist = RandomizationList.objects.create(protocol_version=current_version("nct06965244"), sha256="0" * 64,
                                             loaded_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
                                             loaded_by=people["stat"])
    with pytest.raises(ActionRefused):
        record_list_view(Actor(user=people["dm"], role=Role.DATA_MANAGER.value), rlist)
    record_list_view(Actor(user=people["stat"], role=Role.STATISTICIAN.value), rlist)
    event = AuditEvent.objects.get(action="randomization.list_view")
    assert event.username == "stat" and event.object_id == str(rlist.pk)
