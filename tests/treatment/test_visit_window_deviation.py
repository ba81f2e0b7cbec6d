"""A "visit done" outside its window asks for confirmation and records a deviation; a visit marked
done by mistake can be undone with a reason (issue 13 item 6)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from equipoise.records.actions.errors import ActionRefused
from equipoise.records.models import AuditEvent
from equipoise.treatment.actions.visits import mark_visit_done, undo_visit_done
from equipoise.treatment.models import ProtocolDeviation

from .conftest import today


@pytest.fixture
def w4(randomized):
    subject = randomized("methotrexate", sex="male", childbearing=None, days_ago=60)
    return subject.visits.get(visit_id="W4")  # window: days 21 to 35, long past


def test_a_date_outside_the_window_needs_confirmation_then_is_a_deviation(w4, inv_a):
    late = w4.latest_date + dt.timedelta(days=10)
    with pytest.raises(ActionRefused) as refused:
        mark_visit_done(inv_a, w4, late)
    assert refused.value.status == 409 and refused.value.errors[0].field == "confirm_outside_window"
    assert "10 day(s) after the window" in str(refused.value)
    w4.refresh_from_db()
    assert w4.done_date is None and not ProtocolDeviation.objects.exists()
    mark_visit_done(inv_a, w4, late, confirm_outside_window=True)
    deviation = ProtocolDeviation.objects.get()
    assert (deviation.kind, deviation.occurred_on, deviation.visit_id) == ("outside_window", late, w4.pk)
    assert "10 day(s) late" in deviation.detail
    assert AuditEvent.objects.filter(action="deviation.record").count() == 1


def test_a_date_inside_the_window_needs_nothing(w4, inv_a):
    mark_visit_done(inv_a, w4, w4.target_date)
    assert not ProtocolDeviation.objects.exists()


def test_a_visit_done_by_mistake_is_undone_with_a_reason(w4, inv_a):
    late = w4.latest_date + dt.timedelta(days=3)
    mark_visit_done(inv_a, w4, late, confirm_outside_window=True)
    with pytest.raises(ActionRefused) as refused:
        undo_visit_done(inv_a, w4, "  ")
    assert refused.value.errors[0].field == "reason"
    undo_visit_done(inv_a, w4, "wrong patient's file")
    w4.refresh_from_db()
    assert w4.done_date is None
    assert ProtocolDeviation.objects.get().cancelled_reason == "wrong patient's file"
    event = AuditEvent.objects.get(action="visit.undo_done")
    assert event.reason == "wrong patient's file" and event.changes["done_date"] == [late.isoformat(), None]
    # Buttons again: it can be marked done (now on the right day) once more.
    mark_visit_done(inv_a, w4, w4.target_date)


def test_the_calendar_offers_confirmation_and_undo(w4, people):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(people["inv_a"])
    base = f"/treatment/subjects/{w4.subject.code}/"
    late = (w4.latest_date + dt.timedelta(days=5)).isoformat()
    response = client.post(f"{base}visit-done/{w4.pk}/", {"done_date": late}, follow=True)
    assert "tick the confirmation" in response.content.decode()
    client.post(f"{base}visit-done/{w4.pk}/", {"done_date": late, "confirm_outside_window": "on"})
    w4.refresh_from_db()
    assert w4.done_date.isoformat() == late and today() > w4.done_date
    page = client.get(base).content.decode()
    assert f"visit-undo-done/{w4.pk}/" in page
    client.post(f"{base}visit-undo-done/{w4.pk}/", {"reason": "entered on the wrong visit"})
    w4.refresh_from_db()
    assert w4.done_date is None
