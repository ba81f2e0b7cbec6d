"""Pregnancy tests coming due (window open) and overdue, per woman of childbearing potential on
treatment, from `treatment.site_worklist.pregnancy_tests_due` (the rules of `safety.pregnancy`).
The site's investigators are told; the test is the same in both arms, so nothing is revealed."""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.utils.translation import gettext as _

from equipoise.operations.reminders import Reminder, remind
from equipoise.people.mail import day
from equipoise.records.models import Subject
from equipoise.records.protocol_versions import current_version, protocol_of
from equipoise.safety.pregnancy import PregnancyTestState
from equipoise.treatment.notifications import site_investigator_emails
from equipoise.treatment.site_worklist import pregnancy_tests_due
from equipoise.visits.localtime import trial_date


def test_words(subject: Subject, due: dt.date | None, overdue: bool) -> tuple[str, str]:
    facts = {"subject": subject.code, "site": subject.site.code, "due": day(due)}
    if overdue:
        return (_("[Equipoise] pregnancy test overdue: subject %(subject)s") % facts,
                _("The monthly pregnancy test of subject %(subject)s (site %(site)s) was due on %(due)s.\n"
                  "No dispensing without a negative supervised test.\n") % facts)
    return (_("[Equipoise] pregnancy test due: subject %(subject)s") % facts,
            _("The monthly pregnancy test of subject %(subject)s (site %(site)s) is due on %(due)s.\n"
              "No dispensing without a negative supervised test.\n") % facts)


def send_pregnancy_test_reminders(now: dt.datetime) -> int:
    today = trial_date(now)
    sent = 0
    for protocol_id in Subject.objects.values_list("protocol_id", flat=True).distinct().order_by("protocol_id"):
        protocol = protocol_of(current_version(protocol_id))
        for subject, status in pregnancy_tests_due(Subject.objects.filter(protocol_id=protocol_id), protocol, today):
            overdue = status.state is PregnancyTestState.OVERDUE
            sent += remind(Reminder(
                kind="pregnancy_test", key=f"subject:{subject.code}:test:{status.due_date}",
                state="overdue" if overdue else "due", compose=partial(test_words, subject, status.due_date, overdue),
                recipients=tuple(site_investigator_emails(subject.site_id)),
                subject_code=subject.code, site_code=subject.site.code), now)
    return sent
