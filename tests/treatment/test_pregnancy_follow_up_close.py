"""Closing a pregnancy follow-up with its outcome and date; refusals save nothing; pages are scoped."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from equipoise.records.actions.errors import ActionRefused
from equipoise.records.models import AuditEvent
from equipoise.treatment.actions.adverse_events import report_adverse_event
from equipoise.treatment.actions.pregnancy_follow_up import close_pregnancy_follow_up
from equipoise.treatment.models import PregnancyFollowUp

from .conftest import today

ONSET = today() - dt.timedelta(days=30)


@pytest.fixture
def follow_up(randomized, inv_a):
    subject = randomized("lenalidomide", "female", True)
    report_adverse_event(inv_a, subject, term="Pregnancy", onset_date=ONSET, grade=1,
                         seriousness=["medically_important"], special_interest=["pregnancy_patient"],
                         site_aware_at=timezone.now() - dt.timedelta(days=2),
                         causality={"lenalidomide": "not_related", "aspirin": "not_related"},
                         action_taken="drug_withdrawn", outcome="not_recovered")
    return PregnancyFollowUp.objects.get(subject=subject)


def stored(follow_up: PregnancyFollowUp) -> tuple:
    row = PregnancyFollowUp.objects.get(pk=follow_up.pk)
    return row.status, row.outcome, row.outcome_date, row.comments, row.closed_at, row.closed_by_id


def test_closing_records_outcome_date_and_comments_with_an_audit_event(follow_up, inv_a):
    ended = today() - dt.timedelta(days=1)
    closed = close_pregnancy_follow_up(inv_a, follow_up, outcome="miscarriage", outcome_date=ended,
                                       comments=" confirmed by the gynaecologist ")
    assert stored(follow_up)[:4] == ("closed", "miscarriage", ended, "confirmed by the gynaecologist")
    assert closed.closed_by == inv_a.user and closed.closed_at is not None
    event = AuditEvent.objects.get(action="pregnancy_follow_up.close")
    assert event.changes == {"status": ["open", "closed"], "outcome": [None, "miscarriage"],
                             "outcome_date": [None, ended.isoformat()]}
    assert event.reason == "confirmed by the gynaecologist"
    assert (event.object_id, event.subject_code, event.site_code) == (
        str(follow_up.pk), follow_up.subject.code, "TNN")


@pytest.mark.parametrize(("changes", "field", "rule"), [
    ({"outcome": "twins"}, "outcome",
     "one of live_birth, miscarriage, termination, ongoing_at_end_of_study, unknown"),
    ({"outcome": ""}, "outcome", "one of live_birth, miscarriage, termination, ongoing_at_end_of_study, unknown"),
    ({"outcome_date": None}, "outcome_date", "required"),
    ({"outcome_date": "2026-01-01"}, "outcome_date", "calendar date"),
    ({"outcome_date": today() + dt.timedelta(days=1)}, "outcome_date", "not in the future"),
    ({"outcome_date": ONSET - dt.timedelta(days=1)}, "outcome_date", "not before the pregnancy onset"),
])
def test_each_refusal_names_the_field_and_rule_and_saves_nothing(follow_up, inv_a, changes, field, rule):
    values = {"outcome": "live_birth", "outcome_date": today(), "comments": "", **changes}
    before, events_before = stored(follow_up), AuditEvent.objects.count()
    with pytest.raises(ActionRefused) as refused:
        close_pregnancy_follow_up(inv_a, follow_up, **values)
    matching = [e for e in refused.value.errors if e.field == field]
    assert matching and matching[0].rule == rule, refused.value.errors
    assert matching[0].message and matching[0].message_fr
    assert stored(follow_up) == before and AuditEvent.objects.count() == events_before


def test_a_closed_follow_up_is_not_closed_again(follow_up, inv_a):
    close_pregnancy_follow_up(inv_a, follow_up, outcome="unknown", outcome_date=today(), comments="lost")
    before, events_before = stored(follow_up), AuditEvent.objects.count()
    with pytest.raises(ActionRefused) as refused:
        close_pregnancy_follow_up(inv_a, follow_up, outcome="live_birth", outcome_date=today())
    assert refused.value.status == 409 and refused.value.errors[0].field == "status"
    assert stored(follow_up) == before and AuditEvent.objects.count() == events_before


def test_only_the_investigator_closes(follow_up, pharm_a, sponsor):
    for actor in (pharm_a, sponsor):
        with pytest.raises(ActionRefused) as refused:
            close_pregnancy_follow_up(actor, follow_up, outcome="live_birth", outcome_date=today())
        assert refused.value.status == 403
    assert stored(follow_up)[0] == "open"


def url(follow_up: PregnancyFollowUp, code: str | None = None) -> str:
    return f"/treatment/subjects/{code or follow_up.subject.code}/safety/pregnancy/{follow_up.pk}/close/"


def test_the_safety_page_closes_the_follow_up(people, client_for, follow_up):
    client = client_for(people["inv_a"])
    page = client.get(f"/treatment/subjects/{follow_up.subject.code}/safety/").content.decode()
    assert url(follow_up) in page
    response = client.post(url(follow_up), {"outcome": "ongoing_at_end_of_study", "outcome_date": str(today()),
                                             "comments": "due in spring", "confirm": "yes"}, follow=True,
                           headers={"accept-language": "en"})
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert not errors and stored(follow_up)[:3] == ("closed", "ongoing_at_end_of_study", today())
    assert "ongoing at the end of the study" in response.content.decode() and url(follow_up) not in response.content.decode()


def test_the_page_shows_a_refusal_and_closes_nothing(people, client_for, follow_up):
    response = client_for(people["inv_a"]).post(url(follow_up), {"outcome": "live_birth", "outcome_date": "",
                                                                 "comments": "seen in clinic", "confirm": "yes"},
                                                headers={"accept-language": "en"})
    assert response.status_code == 400
    form = response.content.decode().split(f'id="pregnancy-follow-up-{follow_up.pk}"')[1].split("</form>")[0]
    assert 'data-field="outcome_date"' in form and '<option value="live_birth" selected>' in form
    assert 'value="seen in clinic"' in form
    assert stored(follow_up)[0] == "open"


def test_other_site_blinded_and_wrong_subject_get_404(people, client_for, follow_up, randomized):
    data = {"outcome": "live_birth", "outcome_date": str(today()), "confirm": "yes"}
    for name in ("inv_b", "assessor_a"):
        response = client_for(people[name]).post(url(follow_up), data)
        assert response.status_code == 404 and b"lenalidomide" not in response.content.lower(), name
    other = randomized("methotrexate", "female", True)
    assert client_for(people["inv_a"]).post(url(follow_up, other.code), data).status_code == 404
    assert stored(follow_up)[0] == "open"
    assert not AuditEvent.objects.filter(action="pregnancy_follow_up.close").exists()


def test_an_unconfirmed_close_keeps_the_follow_up_open(people, client_for, follow_up):
    client = client_for(people["inv_a"])
    page = client.get(f"/treatment/subjects/{follow_up.subject.code}/safety/").content.decode()
    form = page.split(f'id="pregnancy-follow-up-{follow_up.pk}"')[1].split("</form>")[0]
    assert 'name="confirm" value="yes" required' in form
    response = client.post(url(follow_up), {"outcome": "live_birth", "outcome_date": str(today())},
                           headers={"accept-language": "en"})
    assert response.status_code == 400 and "Nothing was done: tick the box to confirm." in response.content.decode()
    assert stored(follow_up)[0] == "open"
