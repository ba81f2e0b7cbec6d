"""The treatment and safety buttons and the actions behind them ask the same table
(`records.permissions`, issue 13 item 11): each role sees a form exactly when the table lets it do
that thing, and a role refused it gets 403 from the action, whatever it posts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from equipoise.records.permissions import Do, may
from equipoise.records.roles import Role
from equipoise.treatment.actions.adverse_events import report_adverse_event
from equipoise.treatment.actions.dispensing import dispense
from equipoise.treatment.actions.prescribing import prescribe
from equipoise.treatment.models import AdverseEvent, Dispensing, DoseChange, Prescription

from .conftest import today

PERSONAS = {"inv_a": Role.INVESTIGATOR, "pharm_a": Role.PHARMACIST, "dm": Role.DATA_MANAGER,
            "monitor": Role.MONITOR, "sponsor": Role.SPONSOR_ADMIN}


@pytest.fixture
def ward(randomized, inv_a, pharm_a):
    """A man on lenalidomide 10 days in: one prescription dispensed, one not, one serious event."""
    subject = randomized("lenalidomide", "male", None, days_ago=10)
    first = prescribe(inv_a, subject, prescribed_on=today() - dt.timedelta(days=10), days=28)
    dispensed = dispense(pharm_a, first, today() - dt.timedelta(days=10))
    waiting = prescribe(inv_a, subject, prescribed_on=today(), days=28)
    event = report_adverse_event(
        inv_a, subject, term="Pneumonia", onset_date=today(), grade=3, seriousness=["hospitalisation"],
        site_aware_at=timezone.now() - dt.timedelta(hours=2),
        causality={"lenalidomide": "not_related", "aspirin": "not_related"}, action_taken="none",
        outcome="recovering")
    treatment = f"/treatment/subjects/{subject.code}/"
    event_page = f"/treatment/adverse-events/{event.pk}/"
    today_text = today().isoformat()
    return {  # what: (page, the form's id on it, where it posts, a plausible post)
        Do.PRESCRIBE: (treatment, "prescribe-form", treatment + "prescribe/",
                       {"prescribed_on": today_text, "days": "28", "dose_mg": "5"}),
        Do.CHANGE_DOSE: (treatment, "dose-change-form", treatment + "dose-change/",
                         {"kind": "hold", "effective_on": today_text, "reason": "infection"}),
        Do.DISPENSE: (treatment, f"dispense-form-{waiting.pk}", treatment + f"dispense/{waiting.pk}/",
                      {"dispensed_on": today_text}),
        Do.COUNT_RETURN: (treatment, f"return-form-{dispensed.pk}", treatment + f"return/{dispensed.pk}/",
                          {"returned_on": today_text, "tablets_returned": "0", "auxiliary_returned": "0"}),
        Do.COUNSEL: (treatment, "counselling-form", treatment + "counselling/",
                     {"topics": ["blood_donation"], "counselled_on": today_text}),
        Do.RECORD_VISIT: (treatment, "unscheduled-visit-form", treatment + "unscheduled-visit/",
                          {"visit_date": today_text, "reason": "flare"}),
        Do.REPORT_ADVERSE_EVENT: (treatment + "safety/", "ae-form", treatment + "safety/report/",
                                  {"term": "Rash", "onset_date": today_text, "grade": "1",
                                   "causality_lenalidomide": "related", "causality_aspirin": "not_related",
                                   "action_taken": "none", "outcome": "recovering"}),
        Do.FOLLOW_UP_ADVERSE_EVENT: (event_page, "ae-follow-up", event_page + "follow-up/",
                                     {"outcome": "recovered", "end_date": today_text, "reason": "resolved"}),
        Do.NOTIFY_SAE: (event_page, "notify-sponsor-form", event_page + "notify-sponsor/",
                        {"at": f"{today_text}T08:00"}),
        Do.ASSESS_EXPECTEDNESS: (event_page, "expectedness-form", event_page + "expectedness/", {"expected": "true"}),
    }


def stored() -> tuple:
    return (Prescription.objects.count(), Dispensing.objects.count(), DoseChange.objects.count(),
            AdverseEvent.objects.filter(sponsor_notified_at__isnull=False).count(),
            AdverseEvent.objects.filter(expectedness_assessed_at__isnull=False).count(), AdverseEvent.objects.count())


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_role_sees_the_button_exactly_when_the_table_allows_it(people, client_for, ward, persona):
    client = client_for(people[persona])
    pages: dict[str, str] = {}
    for what, (page, form_id, _url, _data) in ward.items():
        body = pages.setdefault(page, client.get(page).content.decode())
        assert (f'id="{form_id}"' in body) == may(PERSONAS[persona], what), (persona, what)


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_role_refused_an_action_gets_403_and_changes_nothing(people, client_for, ward, persona):
    client = client_for(people[persona])
    before = stored()
    for what, (_page, _form_id, url, data) in ward.items():
        if not may(PERSONAS[persona], what):
            assert client.post(url, data).status_code == 403, (persona, what)
    assert stored() == before


def test_every_treatment_permission_is_someones_and_never_the_blinded_assessors():
    for what in (Do.PRESCRIBE, Do.CHANGE_DOSE, Do.DISPENSE, Do.COUNT_RETURN, Do.COUNSEL, Do.RECORD_VISIT,
                 Do.REPORT_ADVERSE_EVENT, Do.FOLLOW_UP_ADVERSE_EVENT, Do.NOTIFY_SAE, Do.ASSESS_EXPECTEDNESS,
                 Do.NOTIFY_AUTHORITIES, Do.CLOSE_PREGNANCY_FOLLOW_UP, Do.OPEN_VISIT_WORKLIST,
                 Do.OPEN_SAFETY_DASHBOARD, Do.SIGN_RECORDS):
        assert any(may(role, what) for role in Role), what
        assert not may(Role.BLINDED_ASSESSOR, what), what


@pytest.mark.parametrize("persona", [*PERSONAS, "stat"])
def test_the_menu_offers_the_site_pages_the_table_opens(people, client_for, persona):
    role = PERSONAS.get(persona, Role.STATISTICIAN)
    menu = client_for(people[persona]).get("/subjects/").content.decode().split("</nav>")[0]
    assert ('href="/treatment/worklist/"' in menu) == may(role, Do.OPEN_VISIT_WORKLIST)
    assert ('href="/treatment/safety/"' in menu) == may(role, Do.OPEN_SAFETY_DASHBOARD)
    for page, what in (("/treatment/worklist/", Do.OPEN_VISIT_WORKLIST), ("/treatment/safety/", Do.OPEN_SAFETY_DASHBOARD)):
        assert (client_for(people[persona]).get(page).status_code == 200) == may(role, what), (persona, page)
