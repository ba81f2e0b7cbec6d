"""The screening log shows each subject's latest verdict, and a verdict is re-judged when a variable
it used changes (issue 13 item 9)."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.test import Client

from clasi_fill import scored_everywhere
from equipoise.demo.screening_records import eligible_record
from equipoise.records.actions.eligibility import assess_eligibility, latest_assessment
from equipoise.records.actions.forms import save_form
from equipoise.records.actions.subjects import create_subject
from equipoise.records.models import AuditEvent, EligibilityAssessment, SubjectStatus
from equipoise.records.roles import Role
from equipoise.records.visits_setup import screening_visit

TODAY = dt.date(2026, 11, 2)


@pytest.fixture
def inv(people, actor_of):
    return actor_of(people["inv_a"], Role.INVESTIGATOR, "TNN")


def test_a_corrected_screening_value_re_judges_the_verdict_at_once(inv, people):
    subject = create_subject(inv, people["site_a"], "nct06965244")
    record = eligible_record(random.Random(4), TODAY)
    record["clasi_a_screening"] = 20
    save_form(inv, subject, screening_visit(subject), "screening", record)
    first = assess_eligibility(inv, subject, "screening")
    assert first.verdict in ("eligible", "incomplete")
    # The investigator corrects CLASI-A at screening to 5: IN05 now fails, no click on "Evaluate".
    save_form(inv, subject, screening_visit(subject), "screening", {**record, "clasi_a_screening": 5},
              reason="transcription error")
    latest = latest_assessment(subject, "screening")
    assert latest.pk != first.pk and latest.verdict == "not_eligible"
    subject.refresh_from_db()
    assert subject.status == SubjectStatus.SCREEN_FAILED
    event = AuditEvent.objects.filter(action="eligibility.screening").last()
    assert event.reason == "re-evaluated automatically: clasi_a_screening changed"
    # A change to a variable no criterion used leaves the verdict alone.
    count = EligibilityAssessment.objects.count()
    save_form(inv, subject, screening_visit(subject), "screening", {**record, "clasi_a_screening": 5,
                                                                    "consent_date": record["consent_date"]})
    assert EligibilityAssessment.objects.count() == count


def test_a_scored_clasi_re_judges_the_verdict(inv, people, actor_of):
    subject = create_subject(inv, people["site_a"], "nct06965244")
    record = eligible_record(random.Random(4), TODAY)
    record.pop("clasi_a_screening")
    save_form(inv, subject, screening_visit(subject), "screening", record)
    assert assess_eligibility(inv, subject, "screening").verdict == "incomplete"
    assessor = actor_of(people["assessor_a"], Role.BLINDED_ASSESSOR, "TNN")
    save_form(assessor, subject, screening_visit(subject), "clasi",
              {"clasi_record": scored_everywhere({"regions": {"face": {"erythema": 1}}})})
    latest = latest_assessment(subject, "screening")
    in05 = next(c for c in latest.result["criteria"] if c["id"] == "IN05")
    assert in05["inputs"]["clasi_a_screening"] == 1 and latest.verdict == "not_eligible"


def test_the_log_shows_the_latest_verdict_of_any_stage(inv, people):
    from equipoise.records.models import EligibilityAssessment as EA

    subject = create_subject(inv, people["site_a"], "nct06965244")
    save_form(inv, subject, screening_visit(subject), "screening", eligible_record(random.Random(4), TODAY))
    screening = assess_eligibility(inv, subject, "screening")
    # The randomization-stage verdict (after the W0 CLASI) replaces the screening one in the log.
    later = EA.objects.create(subject=subject, attempt=1, stage="randomization", verdict="eligible",
                              result={**screening.result, "missing": []}, protocol_version=screening.protocol_version,
                              evaluated_at=screening.evaluated_at + dt.timedelta(days=14),
                              evaluated_by=screening.evaluated_by)
    assert later.verdict == "eligible"
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(people["inv_a"])
    body = client.get("/screening-log/").content.decode()
    row = body[body.index(f">{subject.code}</a>"):]
    row = row[:row.index("</tr>")]
    assert "<td>Eligible</td>" in row and "clasi_a_randomization" not in row
