"""Irreversible acts ask first, and every act ends with a message saying what was done (issue 14 item 4).

Each page shows a required confirmation box that says what will happen; a POST without it (a
forged or scripted request, or a browser that ignores `required`) changes nothing and says so.
Randomization and emergency unblinding have theirs in tests/allocation.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from equipoise.records.actions.forms import save_form
from equipoise.records.actions.subjects import create_subject
from equipoise.records.models import FormRecord, FormState, Subject, SubjectStatus
from equipoise.records.roles import Role
from equipoise.records.visits_setup import create_schedule
from equipoise.treatment.models import DoseChange

NOTHING_DONE = "Nothing was done: tick the box to confirm"
REQUIRED_BOX = 'name="confirm" value="yes" required'


@pytest.fixture
def inv(people, actor_of):
    return actor_of(people["inv_a"], Role.INVESTIGATOR, "TNN")


@pytest.fixture
def randomized(people, inv):
    subject = create_subject(inv, people["site_a"], "nct06965244")
    Subject.objects.filter(pk=subject.pk).update(status=SubjectStatus.RANDOMIZED)  # allocation is tested elsewhere
    subject.refresh_from_db()
    create_schedule(subject, dt.date(2026, 1, 20))
    return subject


def client_for(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def test_ending_participation_asks_first_then_says_it_was_recorded(people, randomized):
    client = client_for(people["inv_a"])
    url = f"/subjects/{randomized.code}/"
    assert REQUIRED_BOX in client.get(url).content.decode()
    data = {"outcome": "lost_to_follow_up", "ended_on": "2026-05-04", "reason": "no answer to calls"}
    refused = client.post(url + "end-participation/", data, follow=True).content.decode()
    assert NOTHING_DONE in refused
    randomized.refresh_from_db()
    assert randomized.status == SubjectStatus.RANDOMIZED and randomized.participation_ended_on is None
    done = client.post(url + "end-participation/", {**data, "confirm": "yes"}, follow=True).content.decode()
    assert "End of participation recorded." in done
    randomized.refresh_from_db()
    assert randomized.status == SubjectStatus.LOST_TO_FOLLOW_UP


def test_completing_and_locking_a_form_ask_first_then_say_what_was_done(people, randomized, inv):
    visit = randomized.visits.get(visit_id="SCR")
    record = save_form(inv, randomized, visit, "pregnancy_test", {
        "pregnancy_test_datetime": "2026-01-20T09:00:00+01:00", "pregnancy_test_result": "negative",
        "pregnancy_test_threshold_miu_ml": 25, "pregnancy_test_supervised": True})
    url = f"/subjects/{randomized.code}/visits/{visit.pk}/forms/pregnancy_test/"
    investigator, data_manager = client_for(people["inv_a"]), client_for(people["dm"])
    assert investigator.get(url).content.decode().count(REQUIRED_BOX) == 1  # complete (locking is not hers)
    assert NOTHING_DONE in investigator.post(url + "complete/", follow=True).content.decode()
    record.refresh_from_db()
    assert record.state == FormState.DRAFT
    done = investigator.post(url + "complete/", {"confirm": "yes"}, follow=True).content.decode()
    assert "is complete: changing it now needs a reopening with a reason." in done
    record.refresh_from_db()
    assert record.state == FormState.COMPLETE

    assert REQUIRED_BOX in data_manager.get(url).content.decode()
    assert NOTHING_DONE in data_manager.post(url + "lock/", follow=True).content.decode()
    record.refresh_from_db()
    assert record.state == FormState.COMPLETE
    locked = data_manager.post(url + "lock/", {"confirm": "yes"}, follow=True).content.decode()
    assert "is locked: nobody can change it until it is unlocked." in locked
    assert FormRecord.objects.get(pk=record.pk).state == FormState.LOCKED


def test_a_saved_form_and_a_raised_query_each_say_so(people, randomized, inv):
    visit = randomized.visits.get(visit_id="SCR")
    url = f"/subjects/{randomized.code}/visits/{visit.pk}/forms/pregnancy_test/"
    saved = client_for(people["inv_a"]).post(url, {"pregnancy_test_result": "negative"}, follow=True)
    assert "saved." in saved.content.decode()
    raised = client_for(people["dm"]).post(url + "query/", {"field": "pregnancy_test_result", "text": "Sure?"},
                                           follow=True)
    assert "Query raised on" in raised.content.decode()


@pytest.mark.parametrize(("picked", "stored"), [
    ("2026-01-20T09:30", "2026-01-20T08:30:00+00:00"),  # winter, UTC+1
    ("2026-07-15T09:30", "2026-07-15T07:30:00+00:00"),  # summer, UTC+2
])
def test_a_form_time_is_picked_in_paris_time_and_kept_in_utc(people, randomized, picked, stored):
    visit = randomized.visits.get(visit_id="SCR")
    url = f"/subjects/{randomized.code}/visits/{visit.pk}/forms/pregnancy_test/"
    client = client_for(people["inv_a"])
    assert re.search(r'name="pregnancy_test_datetime" value=""\s+type="datetime-local"', client.get(url).content.decode())
    page = client.post(url, {"pregnancy_test_datetime": picked}, follow=True).content.decode()
    assert FormRecord.objects.get(visit=visit, form_id="pregnancy_test").data["pregnancy_test_datetime"] == stored
    assert f'name="pregnancy_test_datetime" value="{picked}"' in page


def test_a_missed_visit_and_a_definitive_stop_ask_first(people, randomized):
    client = client_for(people["inv_a"])
    base = f"/treatment/subjects/{randomized.code}/"
    w4 = randomized.visits.get(visit_id="W4")
    refused = client.post(f"{base}visit-missed/{w4.pk}/", {"reason": "did not come"}, follow=True)
    assert NOTHING_DONE in refused.content.decode()
    w4.refresh_from_db()
    assert not w4.missed
    stop = {"kind": "stop", "effective_on": "2026-02-01", "reason": "liver toxicity"}
    assert NOTHING_DONE in client.post(f"{base}dose-change/", stop, follow=True).content.decode()
    assert not DoseChange.objects.filter(subject=randomized).exists()
    done = client.post(f"{base}visit-missed/{w4.pk}/", {"reason": "did not come", "confirm": "yes"}, follow=True)
    assert "Visit recorded as missed." in done.content.decode()
    w4.refresh_from_db()
    assert w4.missed
