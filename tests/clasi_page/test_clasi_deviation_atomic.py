"""A CLASI dated outside its visit window is saved with its protocol deviation in one action and one
transaction (issue 13 item 6): if the deviation cannot be recorded, no assessment is saved either."""

from __future__ import annotations

import datetime as dt

import pytest
from clasi_testing import FULL_RECORD

from equipoise.records.actions.errors import ActionRefused
from equipoise.records.audit_actions import AuditAction
from equipoise.records.models import AuditEvent, FormRecord
from equipoise.records.roles import Role
from equipoise.treatment.actions import dated_forms
from equipoise.treatment.models import ProtocolDeviation


@pytest.fixture
def assessor(people, actor_of):
    return actor_of(people["assessor_a"], Role.BLINDED_ASSESSOR, "TNN")


def late_w4(subject) -> tuple:
    w4 = subject.visits.get(visit_id="W4")
    return w4, w4.latest_date + dt.timedelta(days=20)


def values(day: dt.date) -> dict:
    return {"clasi_record": FULL_RECORD, "assessment_date": day.isoformat(), "assessor": "Dr A"}


def test_the_assessment_and_its_deviation_are_saved_together(subject, assessor):
    w4, late = late_w4(subject)
    record = dated_forms.save_dated_form(assessor, subject, w4, "clasi", values(late), done_on=late,
                                         what="CLASI assessment", confirmed=True)
    deviation = ProtocolDeviation.objects.get()
    assert record.visit_id == deviation.visit_id == w4.pk and deviation.occurred_on == late
    actions = list(AuditEvent.objects.order_by("-id").values_list("action", flat=True)[:2])
    assert actions == [AuditAction.DEVIATION_RECORD, AuditAction.FORM_SAVE]


def test_unconfirmed_outside_the_window_saves_nothing(subject, assessor):
    w4, late = late_w4(subject)
    with pytest.raises(ActionRefused) as refused:
        dated_forms.save_dated_form(assessor, subject, w4, "clasi", values(late), done_on=late,
                                    what="CLASI assessment", confirmed=False)
    assert refused.value.status == 409 and refused.value.errors[0].field == "confirm_outside_window"
    assert not FormRecord.objects.exists() and not ProtocolDeviation.objects.exists()


def test_a_failure_to_record_the_deviation_leaves_no_saved_assessment(subject, assessor, monkeypatch):
    w4, late = late_w4(subject)
    events_before = AuditEvent.objects.count()
    real = dated_forms.record_window_deviation

    def written_then_failing(*args, **kwargs):
        real(*args, **kwargs)  # the deviation row and its audit event are written, then the write fails
        raise RuntimeError("the database refused the deviation")

    monkeypatch.setattr(dated_forms, "record_window_deviation", written_then_failing)
    with pytest.raises(RuntimeError):
        dated_forms.save_dated_form(assessor, subject, w4, "clasi", values(late), done_on=late,
                                    what="CLASI assessment", confirmed=True)
    assert not FormRecord.objects.exists() and not ProtocolDeviation.objects.exists()
    assert AuditEvent.objects.count() == events_before


def test_the_page_saves_both_in_one_action(people, client_for, clasi_url, subject):
    from clasi_testing import fields_of

    w4, late = late_w4(subject)
    client = client_for(people["assessor_a"], "en")
    response = client.post(clasi_url("W4"), {**fields_of(FULL_RECORD), "assessment_date": late.isoformat(),
                                             "assessor": "A", "confirm_outside_window": "on"})
    assert response.status_code == 302
    assert FormRecord.objects.get(form_id="clasi").visit_id == ProtocolDeviation.objects.get().visit_id == w4.pk
