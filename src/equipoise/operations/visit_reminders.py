"""Visits whose window has closed without the visit being done or marked missed: one reminder per
visit to its site's investigators. The status is `treatment.worklist.status_of` (the rules of
`visits.calendar.visit_status`), over the randomized subjects' dated visits."""

from __future__ import annotations

import datetime as dt

from equipoise.operations.reminders import Reminder, remind
from equipoise.records.models import SubjectStatus, Visit
from equipoise.treatment.facts import subject_protocol
from equipoise.treatment.notifications import site_investigator_emails
from equipoise.treatment.worklist import status_of, visit_label
from equipoise.visits.calendar import VisitStatus
from equipoise.visits.localtime import trial_date


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
        label_en, label_fr = visit_label(protocol, visit, "en"), visit_label(protocol, visit, "fr")
        sent += remind(Reminder(
            kind="overdue_visit", key=f"visit:{visit.pk}", state="overdue",
            subject=f"[Equipoise] visit overdue: subject {subject.code}, {label_en}",
            body=(f"Subject {subject.code} (site {subject.site.code}): {label_en}, window "
                  f"{visit.earliest_date} to {visit.latest_date}, is not done.\n"
                  f"Patient {subject.code} (centre {subject.site.code}) : {label_fr}, fenêtre du "
                  f"{visit.earliest_date} au {visit.latest_date}, n'est pas faite.\n"
                  "Record the visit, or mark it missed with the reason.\n"),
            recipients=tuple(site_investigator_emails(subject.site_id)),
            subject_code=subject.code, site_code=subject.site.code), now)
    return sent
