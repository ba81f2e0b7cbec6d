"""Pregnancy tests coming due (window open) and overdue, per woman of childbearing potential on
treatment, from `treatment.site_worklist.pregnancy_tests_due` (the rules of `safety.pregnancy`).
The site's investigators are told; the test is the same in both arms, so nothing is revealed."""

from __future__ import annotations

import datetime as dt

from equipoise.operations.reminders import Reminder, remind
from equipoise.records.models import Subject
from equipoise.records.protocol_versions import current_version, protocol_of
from equipoise.safety.pregnancy import PregnancyTestState
from equipoise.treatment.notifications import site_investigator_emails
from equipoise.treatment.site_worklist import pregnancy_tests_due
from equipoise.visits.localtime import trial_date


def send_pregnancy_test_reminders(now: dt.datetime) -> int:
    today = trial_date(now)
    sent = 0
    for protocol_id in Subject.objects.values_list("protocol_id", flat=True).distinct().order_by("protocol_id"):
        protocol = protocol_of(current_version(protocol_id))
        for subject, status in pregnancy_tests_due(Subject.objects.filter(protocol_id=protocol_id), protocol, today):
            overdue = status.state is PregnancyTestState.OVERDUE
            state = "overdue" if overdue else "due"
            when = f"was due on {status.due_date}" if overdue else f"is due on {status.due_date}"
            quand = f"était à faire le {status.due_date}" if overdue else f"est à faire le {status.due_date}"
            sent += remind(Reminder(
                kind="pregnancy_test", key=f"subject:{subject.code}:test:{status.due_date}", state=state,
                subject=f"[Equipoise] pregnancy test {'overdue' if overdue else 'due'}: subject {subject.code}",
                body=(f"The monthly pregnancy test of subject {subject.code} (site {subject.site.code}) {when}.\n"
                      f"Le test de grossesse mensuel du patient {subject.code} (centre {subject.site.code}) "
                      f"{quand}.\nNo dispensing without a negative supervised test.\n"),
                recipients=tuple(site_investigator_emails(subject.site_id)),
                subject_code=subject.code, site_code=subject.site.code), now)
    return sent
