"""The audit trail in the reader's words: the reasons and states the system writes itself, and its
times in Paris time. What is stored stays as it was written (the chain is hash-linked)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone, translation

import equipoise
from equipoise.records.audit_reasons import FIXED, reason_words, system_reason
from equipoise.records.models import AuditEvent
from equipoise.records.protocol_versions import current_version, protocol_of
from equipoise.records.roles import Role
from equipoise.visits.localtime import to_trial_time

from .conftest import totp_code

PASSWORD = "correct-horse-battery"
SNAKE = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")


@pytest.fixture
def invalidated(people, enrolled, actor_of):
    from equipoise.people.actions.signatures import sign
    from equipoise.records.actions.forms import save_form
    from equipoise.records.actions.subjects import create_subject

    actor = actor_of(people["inv_a"], Role.INVESTIGATOR, "TNN")
    subject = create_subject(actor, people["site_a"], "nct06965244")
    visit = subject.visits.get(visit_id="SCR")
    save_form(actor, subject, visit, "labs", {"lab_date": "2026-01-05", "lab_neutrophils_g_l": 2.5})
    device, _codes = enrolled(people["inv_a"])
    sign(actor, subject, visit, PASSWORD, totp_code(device, 1))
    save_form(actor, subject, visit, "labs", {"lab_date": "2026-01-05", "lab_neutrophils_g_l": 2.0},
              reason="transcription error")
    return subject


def audit_rows(people, language: str, action: str) -> str:
    client = Client()
    client.force_login(people["monitor"])
    body = client.get(f"/audit/?action={action}", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    return body.split("<tbody>")[1].split("</tbody>")[0]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_signature_invalidated_by_a_change_reads_in_words(people, invalidated, language):
    (event,) = AuditEvent.objects.filter(action="signature.invalidate")
    assert event.reason == ("signature invalidated by change of form labs at visit SCR "
                            "(revision 2: lab_neutrophils_g_l)")  # the record, as written
    protocol = protocol_of(current_version("nct06965244"))
    form, visit = protocol.form("labs"), protocol.visit("SCR")
    field = protocol.form("labs").fields()
    neutrophils = next(f for f in field if f.name == "lab_neutrophils_g_l").label.get(language)
    rows = audit_rows(people, language, "signature.invalidate")
    assert form.title.get(language) in rows and visit.label.get(language) in rows and neutrophils in rows
    states = {"fr": "Valide → Invalidée", "en": "Valid → Invalidated"}[language]
    assert states in rows
    assert "lab_neutrophils_g_l" not in rows and "invalidated by change of" not in rows
    assert not SNAKE.search(re.sub(r"<[^>]+>", " ", rows).replace("inv_a", ""))  # the user name stays


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "heading"), [("fr", "Quand (heure de Paris)"), ("en", "When (Paris time)")])
def test_the_audit_trail_shows_paris_time_and_keeps_the_utc_instant_in_a_title(people, invalidated, language,
                                                                              heading):
    client = Client()
    client.force_login(people["monitor"])
    body = client.get("/audit/?action=signature.invalidate", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    (event,) = AuditEvent.objects.filter(action="signature.invalidate")
    assert heading in body and "UTC)" not in body.split("<tbody>")[0]
    local = to_trial_time(event.at)
    assert f">{local:%d/%m/%Y %H:%M:%S}</time>" in body
    assert f'title="{event.at.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC"' in body


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "en"])
def test_lockouts_and_fixed_system_reasons_read_in_words(people, language):
    from django.conf import settings

    from equipoise.records.actions.logins import record_login_failure

    for _ in range(settings.LOGIN_LOCKOUT_FAILURES):
        record_login_failure("inv_a", timezone.now())
    rows = audit_rows(people, language, "login.lockout")
    expected = {"fr": f"{settings.LOGIN_LOCKOUT_FAILURES} échecs de connexion en {settings.LOGIN_LOCKOUT_MINUTES} "
                      "minutes",
                "en": f"{settings.LOGIN_LOCKOUT_FAILURES} failed sign-ins in {settings.LOGIN_LOCKOUT_MINUTES} "
                      "minutes"}[language]
    assert expected in rows and "failed logins" not in rows


def test_every_reason_the_sources_write_word_for_word_is_known_and_translated():
    """A reason written as a literal in an action must have its words here, or it would show raw."""
    package = Path(equipoise.__file__).parent
    literal = re.compile(r'reason="([^"]+)"|or "(ended [^"]+)"|_refuse_code\(actor, "([^"]+)"\)')
    written = {next(g for g in m.groups() if g) for path in package.rglob("*.py")
               for m in literal.finditer(path.read_text(encoding="utf-8"))}
    assert written, "the scan found nothing: it is broken"
    assert {w for w in written if not system_reason(w)} == set()
    with translation.override("fr"):
        untranslated = {key for key in FIXED if reason_words(key, [], "fr") == key}
    assert untranslated == set()


@pytest.mark.parametrize("reason", [
    "values changed in revision 3: lab_neutrophils_g_l, lab_date",
    "re-evaluated automatically: age_years changed",
    "no role at the subject's site",
    "first sponsor administrator, created from the command line by root",
    "only the investigator of the subject's site signs its records; nothing was signed",
])
@pytest.mark.django_db
def test_composed_system_reasons_read_in_both_languages(people, reason):
    protocol = protocol_of(current_version("nct06965244"))
    assert system_reason(reason)
    with translation.override("fr"):
        french = reason_words(reason, [protocol], "fr")
    with translation.override("en"):
        english = reason_words(reason, [protocol], "en")
    assert french != english and french != reason
    assert not SNAKE.search(french) and not SNAKE.search(english)


def test_a_reason_a_person_typed_is_shown_as_typed():
    assert not system_reason("transcription error")
    with translation.override("fr"):
        assert reason_words("transcription error", [], "fr") == "transcription error"


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "about", "state"), [
    ("fr", "événement indésirable 7, Déclaration de l'EIG au promoteur", "en retard"),
    ("en", "adverse event 7, SAE notification to the sponsor", "overdue"),
])
def test_a_reminder_event_reads_in_words(people, language, about, state):
    from equipoise.operations.reminders import Reminder, remind

    remind(Reminder(kind="sae_clock", key="ae:7:sae_to_sponsor", state="overdue", compose=lambda: ("s", "b"),
                    recipients=("a@example.org", "b@example.org")), timezone.now())
    rows = audit_rows(people, language, "reminder.send")
    text = re.sub(r"<[^>]+>", " ", rows)
    assert about in text.replace("&#x27;", "'") and f"→ {state}" in text
    assert "a@example.org, b@example.org" in text
    assert not SNAKE.search(text.replace("equipoise-worker", ""))
