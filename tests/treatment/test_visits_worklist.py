"""Visit calendar actions and the site worklist: due and overdue visits, missing forms, pregnancy tests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from equipoise.records.actions.errors import ActionRefused
from equipoise.records.actions.forms import complete_form, save_form
from equipoise.records.models import AuditEvent, Subject, Visit
from equipoise.treatment.actions.counselling import record_contraception, record_counselling
from equipoise.treatment.actions.dispensing import dispense
from equipoise.treatment.actions.prescribing import prescribe
from equipoise.treatment.actions.visits import (
    add_unscheduled_visit,
    mark_visit_done,
    mark_visit_missed,
)
from equipoise.treatment.facts import subject_protocol
from equipoise.treatment.site_worklist import site_worklist
from equipoise.treatment.worklist import missing_forms, subject_calendar
from equipoise.visits.calendar import VisitStatus

from .conftest import today


def build_worklist(subjects, day, lang):
    return site_worklist(Subject.objects.filter(pk__in=[s.pk for s in subjects]),
                         subject_protocol(subjects[0]), day, lang)


def statuses(subject):
    return {r.visit.visit_id: r.status for r in subject_calendar(subject, today(), "en") if r.visit.scheduled}


def test_calendar_statuses_from_the_randomization_day(randomized, inv_a):
    subject = randomized("methotrexate", "male", None, days_ago=40)
    found = statuses(subject)
    assert found["W0"] is VisitStatus.OVERDUE and found["W4"] is VisitStatus.OVERDUE  # window 21-35 closed
    assert found["W8"] is VisitStatus.UPCOMING  # opens on day 49
    mark_visit_done(inv_a, subject.visits.get(visit_id="W0"), today() - dt.timedelta(days=40))
    mark_visit_missed(inv_a, subject.visits.get(visit_id="W4"), "patient in hospital")
    found = statuses(subject)
    assert found["W0"] is VisitStatus.DONE_IN_WINDOW and found["W4"] is VisitStatus.MISSED
    assert {"visit.done", "visit.missed"} <= set(AuditEvent.objects.values_list("action", flat=True))


def test_visit_actions_refuse_incoherent_input(randomized, inv_a):
    subject = randomized("methotrexate", "male", None, days_ago=30)
    w4 = subject.visits.get(visit_id="W4")
    with pytest.raises(ActionRefused) as refused:
        mark_visit_done(inv_a, w4, today() + dt.timedelta(days=1))
    assert refused.value.errors[0].rule == "not in the future"
    with pytest.raises(ActionRefused) as refused:
        mark_visit_missed(inv_a, w4, " ")
    assert refused.value.errors[0].field == "reason"
    mark_visit_missed(inv_a, w4, "travelling")
    with pytest.raises(ActionRefused):
        mark_visit_done(inv_a, w4, today())
    assert Visit.objects.get(pk=w4.pk).done_date is None


def test_unscheduled_visit_is_created_through_the_action_with_an_audit_event(randomized, inv_a, pharm_a):
    subject = randomized("lenalidomide", "male", None, days_ago=10)
    with pytest.raises(ActionRefused) as refused:
        add_unscheduled_visit(inv_a, subject, today(), "")
    assert refused.value.errors[0].field == "reason"
    with pytest.raises(ActionRefused):
        add_unscheduled_visit(pharm_a, subject, today(), "rash")
    visit = add_unscheduled_visit(inv_a, subject, today() - dt.timedelta(days=2), "new rash")
    second = add_unscheduled_visit(inv_a, subject, today(), "follow-up of the rash")
    assert (visit.scheduled, visit.visit_id, visit.attempt, second.attempt) == (False, "UNS", 1, 2)
    assert visit.sequence == subject.visits.get(visit_id="W0").sequence
    event = AuditEvent.objects.get(action="visit.add_unscheduled", object_id=str(visit.pk))
    assert event.reason == "new rash"
    # Forms of the protocol's unscheduled list can be entered on it.
    save_form(inv_a, subject, visit, "labs", {"lab_date": str(today())})


def test_worklist_lists_due_overdue_missing_forms_and_pregnancy_tests(randomized, inv_a, pharm_a,
                                                                      record_pregnancy_test):
    late = randomized("methotrexate", "male", None, days_ago=40)
    due_now = randomized("lenalidomide", "male", None, days_ago=28)
    woman = randomized("lenalidomide", "female", True, days_ago=30)
    mark_visit_done(inv_a, due_now.visits.get(visit_id="W0"), today() - dt.timedelta(days=28))
    draft = save_form(inv_a, due_now, due_now.visits.get(visit_id="W0"), "steroid_dose",
                      {"prednisone_equivalent_mg_day": 5})
    assert draft.state == "draft"
    # The woman started 30 days ago: her 28-day test is due (window opened on day 25).
    start = today() - dt.timedelta(days=30)
    record_contraception(inv_a, woman, "implant", start - dt.timedelta(days=60), True)
    record_pregnancy_test(woman, timezone.now() - dt.timedelta(days=31))
    rx = prescribe(inv_a, woman, prescribed_on=start, days=28, now=timezone.now())
    dispense(pharm_a, rx, start)

    work = build_worklist([late, due_now, woman], today(), "en")
    assert ("W4", due_now.code) in {(r.visit.visit_id, r.subject.code) for r in work.due}
    assert ("W4", late.code) in {(r.visit.visit_id, r.subject.code) for r in work.overdue}
    missing = {(m.row.subject.code, m.row.visit.visit_id): [f.id for f in m.forms] for m in work.missing}
    assert "clasi" in missing[(due_now.code, "W0")] and "steroid_dose" in missing[(due_now.code, "W0")]
    assert "pregnancy_test" not in missing[(due_now.code, "W0")]  # a man: no pregnancy test expected
    ((subject, status),) = work.pregnancy_tests
    assert subject == woman and status.due_date == start + dt.timedelta(days=28)

    record_pregnancy_test(woman, timezone.now() - dt.timedelta(hours=1), visit_id="W4")
    assert list(build_worklist([woman], today(), "en").pregnancy_tests) == []


def test_completed_forms_are_not_missing(randomized, inv_a):
    subject = randomized("methotrexate", "male", None, days_ago=1)
    w0 = subject.visits.get(visit_id="W0")
    mark_visit_done(inv_a, w0, today() - dt.timedelta(days=1))
    record = save_form(inv_a, subject, w0, "steroid_dose", {"prednisone_equivalent_mg_day": 5,
                                                          "rescue_systemic_therapy": False})
    complete_form(inv_a, record)
    assert "steroid_dose" not in missing_forms(subject, w0, subject_protocol(subject), False)


def test_counselling_topics_are_checked(randomized, inv_a):
    subject = randomized("lenalidomide", "male", None)
    with pytest.raises(ActionRefused) as refused:
        record_counselling(inv_a, subject, ["abstinence"], today())
    assert refused.value.errors[0].field == "topics"


def test_pregnancy_tests_end_four_weeks_after_the_end_of_treatment(randomized, inv_a, pharm_a,
                                                                  record_pregnancy_test):
    """Treatment ends at a stop, the done end-of-treatment visit (W24) or the end of participation;
    tests fall due every 28 days from the first dose until 28 days after that end, not beyond."""
    from equipoise.safety.parameters import PregnancyRules
    from equipoise.safety.pregnancy import pregnancy_test_due_dates
    from equipoise.treatment.worklist import treatment_end

    woman = randomized("lenalidomide", "female", True, days_ago=240)
    start = today() - dt.timedelta(days=240)
    record_contraception(inv_a, woman, "implant", start - dt.timedelta(days=60), True)
    record_pregnancy_test(woman, timezone.make_aware(dt.datetime.combine(start, dt.time(8))) - dt.timedelta(days=1))
    dispense(pharm_a, prescribe(inv_a, woman, prescribed_on=start, days=28, now=timezone.now()), start)
    protocol = subject_protocol(woman)
    assert treatment_end(woman, protocol, start) is None  # still on treatment: tests keep falling due
    w24 = woman.visits.get(visit_id="W24")
    mark_visit_done(inv_a, w24, w24.target_date)
    end = treatment_end(woman, protocol, start)
    assert end == w24.target_date
    dues = pregnancy_test_due_dates(start, end, PregnancyRules.from_safety(protocol.safety), until=None)
    assert max(dues) == end + dt.timedelta(days=28)
