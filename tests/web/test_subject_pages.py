"""Subject pages: site scoping (404 + audit), read-only 403, login required, CSRF and security headers."""

import pytest
from django.test import Client

from equipoise.records.actions.forms import save_form
from equipoise.records.actions.subjects import create_subject
from equipoise.records.models import AuditEvent, FormRecord
from equipoise.records.roles import Role

PASSWORD = "correct-horse-battery"


@pytest.fixture
def subject_a(people, actor_of):
    actor = actor_of(people["inv_a"], Role.INVESTIGATOR, "TNN")
    subject = create_subject(actor, people["site_a"], "nct06965244")
    save_form(actor, subject, subject.visits.get(visit_id="SCR"), "labs", {"lab_date": "2026-01-05"})
    return subject


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def pages(subject):
    visit = subject.visits.get(visit_id="SCR")
    form = f"/subjects/{subject.code}/visits/{visit.pk}/forms/labs/"
    return [f"/subjects/{subject.code}/", form]


def test_own_site_and_sponsor_roles_read_the_subject(people, subject_a):
    for name in ("inv_a", "dm", "monitor", "sponsor"):
        for url in pages(subject_a):
            assert client_for(people[name]).get(url).status_code == 200, (name, url)


def test_other_site_gets_404_and_an_audit_event(people, subject_a):
    client = client_for(people["inv_b"])
    for url in pages(subject_a):
        before = AuditEvent.objects.filter(action="access.denied").count()
        assert client.get(url).status_code == 404
        assert AuditEvent.objects.filter(action="access.denied", username="inv_b").count() == before + 1
    visit = subject_a.visits.get(visit_id="SCR")
    response = client.post(f"/subjects/{subject_a.code}/visits/{visit.pk}/forms/labs/",
                           {"lab_date": "2026-01-06", "reason": "x"})
    assert response.status_code == 404
    assert FormRecord.objects.get(visit=visit).data == {"lab_date": "2026-01-05"}


def test_subject_list_shows_only_own_site(people, subject_a, actor_of):
    other = create_subject(actor_of(people["inv_b"], Role.INVESTIGATOR, "SLS"), people["site_b"], "nct06965244")
    body_b = client_for(people["inv_b"]).get("/subjects/").content.decode()
    assert other.code in body_b and subject_a.code not in body_b
    body_dm = client_for(people["dm"]).get("/subjects/").content.decode()
    assert other.code in body_dm and subject_a.code in body_dm


def test_read_only_roles_cannot_write(people, subject_a):
    visit = subject_a.visits.get(visit_id="SCR")
    for name in ("monitor", "dm", "stat"):
        response = client_for(people[name]).post(
            f"/subjects/{subject_a.code}/visits/{visit.pk}/forms/labs/", {"lab_date": "2026-01-07", "reason": "x"})
        assert response.status_code == 403, name
    assert FormRecord.objects.get(visit=visit).data == {"lab_date": "2026-01-05"}


def test_edit_through_the_page_needs_a_reason_and_shows_history(people, subject_a):
    client = client_for(people["inv_a"])
    visit = subject_a.visits.get(visit_id="SCR")
    url = f"/subjects/{subject_a.code}/visits/{visit.pk}/forms/labs/"
    refused = client.post(url, {"lab_date": "2026-01-06"})
    assert refused.status_code == 400 and "reason" in refused.content.decode().lower()
    assert FormRecord.objects.get(visit=visit).data["lab_date"] == "2026-01-05"
    saved = client.post(url, {"lab_date": "2026-01-06", "reason": "wrong day"})
    assert saved.status_code == 302
    history = client.get(url).content.decode()
    assert "2026-01-05 → 2026-01-06" in history and "wrong day" in history


def test_anonymous_is_sent_to_login_everywhere_but_the_public_page(subject_a):
    anonymous = Client()
    for url in ["/", "/worklist/", "/audit/", *pages(subject_a)]:
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url
    assert anonymous.get("/trials/nct06965244/").status_code == 200


def test_csrf_is_enforced_on_forms(people, subject_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["inv_a"])
    visit = subject_a.visits.get(visit_id="SCR")
    response = client.post(f"/subjects/{subject_a.code}/visits/{visit.pk}/forms/labs/", {"lab_date": "2026-01-08"})
    assert response.status_code == 403


def test_security_headers(people, subject_a):
    response = client_for(people["inv_a"]).get(f"/subjects/{subject_a.code}/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_login_locks_out_after_repeated_failures(people, settings):
    client = Client()
    for _ in range(settings.LOGIN_LOCKOUT_FAILURES):
        client.post("/login/", {"username": "inv_a", "password": "wrong"})
    locked = client.post("/login/", {"username": "inv_a", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en")
    assert locked.status_code == 200 and "locked" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_works_and_passwords_are_argon2(people):
    client = Client()
    response = client.post("/login/", {"username": "inv_a", "password": PASSWORD})
    assert response.status_code == 302
    people["inv_a"].refresh_from_db()
    assert people["inv_a"].password.startswith("argon2")


def test_sessions_expire(settings):
    assert settings.SESSION_COOKIE_AGE <= 3600 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_audit_trail_is_for_reviewers_and_filters(people, subject_a):
    assert client_for(people["inv_a"]).get("/audit/").status_code == 403
    monitor = client_for(people["monitor"])
    body = monitor.get(f"/audit/?subject={subject_a.code}&form=labs", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    rows = body.split("<tbody>")[1]
    assert "<td>Form saved</td>" in rows and "Patient registered" not in rows and "form.save" not in rows


@pytest.mark.parametrize(("language", "saved", "all_actions"), [
    ("fr", "Formulaire enregistré", "Toutes les actions"), ("en", "Form saved", "All actions"),
])
def test_audit_trail_names_actions_in_plain_words_and_filters_by_their_code(
        people, subject_a, language, saved, all_actions):
    monitor = client_for(people["monitor"])
    body = monitor.get("/audit/?action=form.save", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    head, rows = body.split("<tbody>")
    assert f'<option value="form.save" selected>{saved}</option>' in head
    assert f'<option value="">{all_actions}</option>' in head
    assert f"<td>{saved}</td>" in rows and "subject.create" not in rows.split("</tbody>")[0]
    family = monitor.get("/audit/?action=subject.", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    family_rows = family.split("<tbody>")[1]
    assert f"<td>{saved}</td>" not in family_rows
    assert AuditEvent.objects.filter(action__startswith="subject.").exists()
    assert family_rows.count("<tr>") == AuditEvent.objects.filter(action__startswith="subject.").count()


def test_audit_trail_pages_keep_the_filters(people, subject_a, monkeypatch):
    from equipoise.web import audit_views

    monkeypatch.setattr(audit_views, "EVENTS_PER_PAGE", 1)
    monitor = client_for(people["monitor"])
    body = monitor.get(f"/audit/?subject={subject_a.code}&user=inv_a", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="?subject={subject_a.code}&amp;user=inv_a&amp;page=2" rel="next"' in body


def test_worklist_shows_a_blinded_assessor_only_assessor_forms(people, subject_a, actor_of):
    from equipoise.records.actions.queries import raise_query

    record = FormRecord.objects.get(subject=subject_a, form_id="labs")
    raise_query(actor_of(people["dm"], Role.DATA_MANAGER), record, "lab_date", "Please confirm the sample date")
    assert "Please confirm the sample date" in client_for(people["inv_a"]).get("/worklist/").content.decode()
    body = client_for(people["assessor_a"]).get("/worklist/").content.decode()
    assert "Please confirm the sample date" not in body and "labs" not in body
