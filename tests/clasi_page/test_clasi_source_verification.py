"""The CLASI page offers the monitor the same source data verification as every other form."""

from __future__ import annotations

from clasi_testing import FULL_RECORD

from equipoise.records.actions.forms import complete_form, save_form
from equipoise.records.models import SourceVerification, VerificationState
from equipoise.records.roles import Role


def test_the_monitor_verifies_a_completed_clasi_on_its_page(people, client_for, clasi_url, actor_of, subject):
    assessor = actor_of(people["assessor_a"], Role.BLINDED_ASSESSOR, "TNN")
    record = save_form(assessor, subject, subject.visits.get(visit_id="W4"), "clasi",
                       {"clasi_record": FULL_RECORD, "assessment_date": "2026-03-30", "assessor": "Dr A"})
    complete_form(assessor, record)
    monitor = client_for(people["monitor"])
    body = monitor.get(clasi_url("W4")).content.decode()
    assert "Pas encore vérifié sur les documents source." in body
    assert f'action="{clasi_url("W4")}verify/"' in body
    body = monitor.post(clasi_url("W4") + "verify/", follow=True).content.decode()
    assert "Vérifié sur les documents source par monitor" in body
    verification = SourceVerification.objects.get(record=record)
    assert verification.state == VerificationState.VERIFIED and verification.revision == 1
    site = client_for(people["assessor_a"]).get(clasi_url("W4")).content.decode()
    assert 'id="source-verification"' not in site  # the site sees no verification button
