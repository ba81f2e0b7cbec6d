"""Visits whose window has closed without the visit being done or marked missed: one reminder per
visit to its site's investigators. The status is `treatment.worklist.status_of` (the rules of
`visits.calendar.visit_status`), over the randomized subjects' dated visits."""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from equipoise.operations.reminders import Reminder, remind
from equipoise.people.mail import day
from equipoise.protocol.schema import Protocol
from equipoise.records.models import SubjectStatus, Visit
from equipoise.treatment.facts import subject_protocol
from equipoise.treatment.notifications import site_investigator_emails
from equipoise.treatment.worklist import status_of, visit_label
from equipoise.visits.calendar import VisitStatus
from equipoise.visits.localtime import trial_date


def visit_words(visit: Visit, protocol: Protocol) -> tuple[str, str]:
    subject = visit.subject
    facts = {"subject": subject.code, "site": subject.site.code,
             "visit": visit_label(protocol, visit, get_language() or settings.LANGUAGE_CODE),
             "earliest": day(visit.earliest_date), "latest": day(visit.latest_date)}
    return (_("[Equipoise] visit overdue: subject %(subject)s, %(visit)s") % facts,
            _("Subject %(subject)s (site %(site)s): %(visit)s, window %(earliest)s to %(latest)s, is not done.\n"
              "Record the visit, or mark it missed with the reason.\n") % facts)


def send_overdue_visit_reminders(now: dt.datetime) -> int:
    today = trial_date(now)
    candidates = (Visit.objects.filter(subject__status=SubjectStatus.RANDOMIZED, done_date__isnull=True, missed=False,
                                       latest_date__lt=today)
                  .select_related("subject", "subject__site").order_by("latest_date", "id"))
    sent = 0
    for visit in candidates:
        if status_of(visit, today) is not VisitStatus.OVERDUE:
            continue
        subject = visit.subject
        protocol = subject_protocol(subject)
        sent += remind(Reminder(
            kind="overdue_visit", key=f"visit:{visit.pk}", state="overdue", compose=partial(visit_words, visit, protocol),
            recipients=tuple(site_investigator_emails(subject.site_id)),
            subject_code=subject.code, site_code=subject.site.code), now)
    return sent
