"""Scheduled reminders: each sent once per state of what it is about, audited, emailed; what is due
comes from the safety, visit and allocation rules, judged at an instant the test chooses."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from equipoise.operations.audit_verification import verify_audit_chain
from equipoise.operations.clock_reminders import send_clock_reminders
from equipoise.operations.list_reminders import send_low_list_reminders
from equipoise.operations.models import ReminderSent
from equipoise.operations.pregnancy_reminders import send_pregnancy_test_reminders
from equipoise.operations.reminders import Reminder, remind, send_unsent
from equipoise.operations.visit_reminders import send_overdue_visit_reminders
from equipoise.people.languages import set_language
from equipoise.records.audit import verify_ledger
from equipoise.records.models import AuditEvent
from equipoise.treatment.actions.adverse_events import notify_sponsor, report_adverse_event
from treatment.conftest import pharm_a, randomized, record_pregnancy_test, today  # noqa: F401

AWARE = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)
# A code or an ISO instant left raw in an email: snake_case, or 2026-05-04T…
RAW_CODE = re.compile(r"\b[a-z]+_[a-z_]+\b|\d{4}-\d\d-\d\dT")


def serious_event(inv_a, subject, aware_at=AWARE):  # noqa: F811
    return report_adverse_event(
        inv_a, subject, term="Neutropenia", onset_date=aware_at.date(), grade=4, seriousness=["life_threatening"],
        special_interest=["neutropenia"], site_aware_at=aware_at,
        causality={"lenalidomide": "related", "aspirin": "not_related"}, action_taken="drug_interrupted",
        outcome="recovering", now=aware_at + dt.timedelta(minutes=30))


def reminder_mail(subject_part: str) -> list:
    return [m for m in mail.outbox if subject_part in m.subject]


def test_an_sae_clock_reminds_once_within_6_hours_and_once_overdue(randomized, inv_a, people):  # noqa: F811
    people["inv_a"].email = "inv.a@tenon.example"
    people["inv_a"].save()
    set_language(people["inv_a"], "en")  # the sponsor's desk has no account: it reads the site's French
    subject = randomized("lenalidomide", "female", True)
    ae = serious_event(inv_a, subject)
    mail.outbox.clear()

    assert send_clock_reminders(AWARE + dt.timedelta(hours=17)) == 0  # 7 hours left
    assert send_clock_reminders(AWARE + dt.timedelta(hours=18, minutes=1)) == 1
    assert send_clock_reminders(AWARE + dt.timedelta(hours=20)) == 0  # same state: nothing again
    french, english = mail.outbox
    assert french.to == ["pharmacovigilance@sponsor.invalid"] and english.to == ["inv.a@tenon.example"]
    assert "à faire dans les 6 heures" in french.subject and subject.code in french.subject
    assert "due within 6 hours" in english.subject and subject.code in english.subject
    assert "reste 5 h 59" in french.body and "heure de Paris" in french.body and "4 mai 2026" in french.body
    assert "5 h 59 min left" in english.body and "Paris time" in english.body and "4 May 2026" in english.body
    assert "due within" not in french.body and "reste" not in english.body
    for email in (french, english):
        assert "lenalidomide" not in email.body.lower() and "related" not in email.body.lower()
        assert not RAW_CODE.search(email.subject + email.body)

    assert send_clock_reminders(AWARE + dt.timedelta(hours=25)) == 1
    assert send_clock_reminders(AWARE + dt.timedelta(hours=26)) == 0
    assert "EN RETARD" in mail.outbox[2].subject and "OVERDUE" in mail.outbox[3].subject

    rows = list(ReminderSent.objects.values_list("kind", "key", "state"))
    assert rows == [("sae_clock", f"ae:{ae.pk}:sae_to_sponsor", "due_within_6h"),
                    ("sae_clock", f"ae:{ae.pk}:sae_to_sponsor", "overdue")]
    assert all(r.emailed_at is not None for r in ReminderSent.objects.all())
    events = AuditEvent.objects.filter(action="reminder.send").order_by("sequence")
    assert [e.changes["state"] for e in events] == ["due_within_6h", "overdue"]
    assert {e.username for e in events} == {"equipoise-worker"} and events[0].subject_code == subject.code
    assert verify_ledger().intact


def test_a_met_clock_sends_nothing(randomized, inv_a):  # noqa: F811
    subject = randomized("lenalidomide", "female", True)
    ae = serious_event(inv_a, subject)
    notify_sponsor(inv_a, ae, at=AWARE + dt.timedelta(hours=2), now=AWARE + dt.timedelta(hours=2))
    assert send_clock_reminders(AWARE + dt.timedelta(hours=30)) == 0


def test_a_reminder_recorded_but_not_emailed_is_sent_by_the_next_round(db):
    row = ReminderSent.objects.create(
        kind="sae_clock", key="ae:1:sae_to_sponsor", state="overdue", sent_at=timezone.now(),
        judged_at=timezone.now(), recipients=["a@b.example"],
        letters=[{"language": "fr", "recipients": ["a@b.example"], "subject": "[Equipoise] en retard", "body": "b"}])
    mail.outbox.clear()
    assert send_unsent() == 1 and send_unsent() == 0
    assert [m.subject for m in mail.outbox] == ["[Equipoise] en retard"]
    row.refresh_from_db()
    assert row.emailed_at is not None


def test_the_same_state_is_refused_by_the_database_not_only_by_a_read(db):
    reminder = Reminder(kind="overdue_visit", key="visit:1", state="overdue", compose=lambda: ("s", "b"),
                        recipients=("x@y.example",))
    now = timezone.now()
    assert remind(reminder, now) is True
    assert remind(reminder, now + dt.timedelta(days=1)) is False
    assert ReminderSent.objects.count() == 1 and AuditEvent.objects.filter(action="reminder.send").count() == 1


def test_overdue_visits_remind_their_site_once(randomized, people):  # noqa: F811
    people["inv_a"].email = "inv.a@tenon.example"
    people["inv_a"].save()
    late = randomized("methotrexate", "male", None, days_ago=40)
    now = timezone.now()
    mail.outbox.clear()
    sent = send_overdue_visit_reminders(now)
    assert sent >= 1
    keys = set(ReminderSent.objects.filter(kind="overdue_visit").values_list("key", flat=True))
    w4 = late.visits.get(visit_id="W4")
    assert f"visit:{w4.pk}" in keys
    assert all(m.to == ["inv.a@tenon.example"] for m in mail.outbox)
    assert any(late.code in m.subject for m in mail.outbox)
    assert all("visite en retard" in m.subject and "fenêtre du" in m.body for m in mail.outbox)
    assert send_overdue_visit_reminders(now + dt.timedelta(days=1)) == 0


def test_a_pregnancy_test_coming_due_reminds_once(randomized, inv_a, pharm_a, record_pregnancy_test,  # noqa: F811
                                                  people):
    from equipoise.treatment.actions.counselling import record_contraception
    from equipoise.treatment.actions.dispensing import dispense
    from equipoise.treatment.actions.prescribing import prescribe

    people["inv_a"].email = "inv.a@tenon.example"
    people["inv_a"].save()
    woman = randomized("lenalidomide", "female", True, days_ago=26)
    start = today() - dt.timedelta(days=26)
    record_contraception(inv_a, woman, "implant", start - dt.timedelta(days=60), True)
    record_pregnancy_test(woman, timezone.now() - dt.timedelta(days=27))
    dispense(pharm_a, prescribe(inv_a, woman, prescribed_on=start, days=28, now=timezone.now()), start)
    mail.outbox.clear()
    # The 28-day test is two days away: its window is open.
    assert send_pregnancy_test_reminders(timezone.now()) == 1
    assert send_pregnancy_test_reminders(timezone.now() + dt.timedelta(hours=2)) == 0
    (row,) = ReminderSent.objects.filter(kind="pregnancy_test")
    assert row.key == f"subject:{woman.code}:test:{start + dt.timedelta(days=28)}" and row.state == "due"
    (email,) = mail.outbox  # inv_a has not chosen: the site's French
    assert "est à faire le" in email.body and "is due on" not in email.body and not RAW_CODE.search(email.body)
    # Three days later it is overdue: a new state, one more reminder.
    assert send_pregnancy_test_reminders(timezone.now() + dt.timedelta(days=3)) == 1
    assert send_pregnancy_test_reminders(timezone.now() + dt.timedelta(days=3)) == 0


def test_a_list_running_low_then_exhausted(people, protocol_version):
    from equipoise.allocation.models import ListSlot, ListWarning, RandomizationList

    people["stat"].email = "stat@sponsor.example"
    people["stat"].save()
    set_language(people["stat"], "en")
    rlist = RandomizationList.objects.create(protocol_version=protocol_version, sha256="0" * 64,
                                             loaded_at=timezone.now(), loaded_by=people["stat"])
    for position in range(1, 11):
        ListSlot.objects.create(rlist=rlist, stratum="site=TNN|sle=false", position=position, block=1,
                                block_size=2, arm="lenalidomide", used_at=timezone.now() if position <= 8 else None)
    ListSlot.objects.create(rlist=rlist, stratum="site=SLS|sle=false", position=1, block=1, block_size=2,
                            arm="lenalidomide", used_at=timezone.now())
    ListWarning.objects.create(rlist=rlist, stratum="site=SLS|sle=false", used=1, total=1, notified_at=timezone.now())
    mail.outbox.clear()
    now = timezone.now()
    # TNN at 80 % (low, not warned yet); SLS used up (exhausted, low already warned at randomization).
    assert send_low_list_reminders(now) == 2
    assert send_low_list_reminders(now) == 0
    states = dict(ReminderSent.objects.values_list("key", "state"))
    assert states == {f"list:{rlist.pk}:stratum:site=TNN|sle=false": "low",
                      f"list:{rlist.pk}:stratum:site=SLS|sle=false": "exhausted"}
    assert all(m.to == ["stat@sponsor.example"] for m in mail.outbox)
    assert sorted("exhausted" in m.subject for m in mail.outbox) == [False, True]
    assert all("80%" in m.body or "100%" in m.body for m in mail.outbox)
    ListSlot.objects.filter(rlist=rlist, used_at__isnull=True).update(used_at=now)
    assert send_low_list_reminders(now) == 1  # TNN: a new state
    assert "exhausted" in mail.outbox[-1].subject


def test_the_nightly_verification_alerts_the_sponsor_once_when_the_chain_breaks(people, randomized, inv_a):  # noqa: F811
    randomized("lenalidomide", "female", True)
    mail.outbox.clear()
    assert verify_audit_chain(timezone.now()).endswith("chain intact") and mail.outbox == []
    AuditEvent.objects.filter(sequence=2).update(reason="rewritten")
    report = verify_audit_chain(timezone.now())
    assert report.startswith("chain broken at event 2")
    (alert,) = mail.outbox
    assert alert.to == ["pharmacovigilance@sponsor.invalid"] and "ne se vérifie pas" in alert.subject
    verify_audit_chain(timezone.now())
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("hours", [19])
def test_tasks_take_the_instant_with_its_offset(db, hours):
    from equipoise.operations.tasks import _at

    assert _at("2026-05-04T09:00:00+02:00").utcoffset() == dt.timedelta(hours=2)
    with pytest.raises(ValueError, match="no UTC offset"):
        _at("2026-05-04T09:00:00")
