"""Screening in the system: stored verdicts with their protocol version, re-screening, the log, amendments."""

import csv
import datetime as dt
import io
import random
import re
import shutil

import pytest
from django.test import Client

from clasi_fill import scored_everywhere
from equipoise.demo.screening_records import eligible_record, failing_record
from equipoise.records.actions.eligibility import assess_eligibility, latest_assessment, rescreen
from equipoise.records.actions.errors import ActionRefused
from equipoise.records.actions.forms import save_form
from equipoise.records.actions.subjects import create_subject
from equipoise.records.models import AuditEvent, EligibilityAssessment, SubjectStatus
from equipoise.records.protocol_versions import store_protocol_version
from equipoise.records.roles import Role
from equipoise.records.visits_setup import screening_visit

TODAY = dt.date(2026, 11, 2)


@pytest.fixture
def inv(people, actor_of):
    return actor_of(people["inv_a"], Role.INVESTIGATOR, "TNN")


def screened(inv, people, record):
    subject = create_subject(inv, people["site_a"], "nct06965244")
    save_form(inv, subject, screening_visit(subject), "screening", record)
    return subject


def test_eligible_and_failed_verdicts_are_stored_with_the_version(inv, people, protocol_version):
    ok = screened(inv, people, {**eligible_record(random.Random(1), TODAY), "clasi_a_randomization": 12})
    failed = screened(inv, people, failing_record(random.Random(2), TODAY, ["EX02", "IN05"]))
    a = assess_eligibility(inv, ok, "screening")
    b = assess_eligibility(inv, failed, "screening")
    assert a.verdict == "eligible" and a.protocol_version == protocol_version
    assert b.verdict == "not_eligible"
    failed.refresh_from_db()
    assert failed.status == SubjectStatus.SCREEN_FAILED
    event = AuditEvent.objects.filter(action="eligibility.screening", subject_code=failed.code).get()
    assert set(event.changes["failed_criteria"][1]) == {"EX02", "IN05"}


def test_incomplete_lists_what_is_missing(inv, people):
    record = eligible_record(random.Random(3), TODAY)
    del record["platelets_g_l"]
    subject = screened(inv, people, record)
    assessment = assess_eligibility(inv, subject, "screening")
    assert assessment.verdict == "incomplete"
    assert "platelets_g_l" in assessment.result["missing"]


def test_clasi_a_comes_from_the_clasi_form_when_scored(inv, people, actor_of):
    record = eligible_record(random.Random(4), TODAY)
    record["clasi_a_screening"] = 20
    subject = screened(inv, people, record)
    assessor = actor_of(people["assessor_a"], Role.BLINDED_ASSESSOR, "TNN")
    partial = {"regions": {"face": {"erythema": 2, "scale": 1}}}
    save_form(assessor, subject, screening_visit(subject), "clasi", {"clasi_record": partial})
    # A CLASI with areas still empty has no total: it does not decide IN05 (3 would fail it).
    result = assess_eligibility(inv, subject, "screening").result
    in05 = next(c for c in result["criteria"] if c["id"] == "IN05")
    assert in05["inputs"]["clasi_a_screening"] == 20
    save_form(assessor, subject, screening_visit(subject), "clasi", {"clasi_record": scored_everywhere(partial)},
              reason="every area examined")
    result = assess_eligibility(inv, subject, "screening").result
    in05 = next(c for c in result["criteria"] if c["id"] == "IN05")
    assert in05["inputs"]["clasi_a_screening"] == 3 and in05["status"] == "not_met"


def test_rescreening_is_a_new_attempt_on_the_same_subject(inv, people):
    subject = screened(inv, people, failing_record(random.Random(5), TODAY, ["EX08"]))
    assess_eligibility(inv, subject, "screening")
    with pytest.raises(ActionRefused, match="reason"):
        rescreen(inv, subject, "")
    rescreen(inv, subject, "no longer breastfeeding")
    subject.refresh_from_db()
    assert subject.screening_attempt == 2 and subject.status == SubjectStatus.SCREENING
    assert latest_assessment(subject, "screening") is None
    save_form(inv, subject, screening_visit(subject), "screening", eligible_record(random.Random(6), TODAY))
    assert assess_eligibility(inv, subject, "screening").verdict in ("eligible", "incomplete")
    assert EligibilityAssessment.objects.filter(subject=subject).count() == 2


def test_amendment_changes_new_verdicts_only(inv, people, tmp_path, settings):
    record = {**eligible_record(random.Random(7), TODAY), "clasi_a_screening": 9, "clasi_a_randomization": 9}
    subject = screened(inv, people, record)
    before = assess_eligibility(inv, subject, "screening")
    assert before.verdict == "eligible"
    amended = tmp_path / "nct06965244"
    shutil.copytree(settings.PROTOCOLS_DIR / "nct06965244", amended)
    path = amended / "eligibility.yaml"
    path.write_text(path.read_text().replace("clasi_a_screening >= 8 && clasi_a_randomization >= 8",
                                             "clasi_a_screening >= 10 && clasi_a_randomization >= 10"))
    version2, created = store_protocol_version(amended)
    assert created and version2.number == 2
    after = assess_eligibility(inv, subject, "screening")
    assert after.verdict == "not_eligible" and after.protocol_version == version2
    before.refresh_from_db()
    assert before.verdict == "eligible" and before.protocol_version.number == 1
    assert before.result["protocol_version"].endswith("v1") and after.result["protocol_version"].endswith("v2")


def test_loading_the_same_files_twice_changes_nothing(protocol_version, settings):
    again, created = store_protocol_version(settings.PROTOCOLS_DIR / "nct06965244")
    assert not created and again.pk == protocol_version.pk


def test_screening_page_and_log(inv, people):
    failed = screened(inv, people, failing_record(random.Random(8), TODAY, ["EX01", "EX06"]))
    client = Client()
    client.force_login(people["inv_a"])
    response = client.post(f"/subjects/{failed.code}/eligibility/", {"action": "assess"})
    assert response.status_code == 302
    page = client.get(f"/subjects/{failed.code}/eligibility/").content.decode()
    assert 'data-criterion="EX01"' in page and "✗" in page and "not_eligible" in page
    monitor = Client()
    monitor.force_login(people["monitor"])
    log = monitor.get("/screening-log/?format=csv", HTTP_ACCEPT_LANGUAGE="en")
    rows = list(csv.DictReader(io.StringIO(log.content.decode())))
    assert rows[0]["Subject"] == failed.code and set(rows[0]["Failed criteria"].split(", ")) == {"EX01", "EX06"}
    assert rows[0]["Verdict"] == "Not eligible" and re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d",
                                                                 rows[0]["Evaluated at (Paris time)"])
    french = monitor.get("/screening-log/?format=csv", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert french.startswith("Patient,Centre,") and "Critères non remplis" in french
    (row,) = list(csv.DictReader(io.StringIO(french)))
    assert row["Conclusion"] == "Non éligible" and "Évalué le (heure de Paris)" in row
    assert "not_eligible" not in french and "_" not in row["Manquants"] + row["Statut"]
    other = Client()
    other.force_login(people["inv_b"])
    assert failed.code not in other.get("/screening-log/?format=csv").content.decode()
    assert other.get(f"/subjects/{failed.code}/eligibility/").status_code == 404
