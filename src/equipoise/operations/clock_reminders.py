"""SAE and SUSAR reporting clocks: a reminder when a clock has 6 hours or less left, another once
it is overdue. What is due comes from `treatment.clocks.running_clocks` (the same pure clock rules
as the dashboard); the mail, like the other safety mails, names no drug and no causality."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext as _

from equipoise.operations.reminders import Reminder, remind
from equipoise.people.mail import paris_time
from equipoise.safety.adverse_events import ClockState
from equipoise.treatment.clocks import ClockRow, running_clocks, serious_events
from equipoise.treatment.notifications import clock_line, clock_title, site_investigator_emails

WARNING_BEFORE = dt.timedelta(hours=6)


def clock_state(row: ClockRow) -> str | None:
    """`overdue`, `due_within_6h`, or None while more than 6 hours are left."""
    if row.clock.state is ClockState.OVERDUE:
        return "overdue"
    if row.clock.time_left is not None and row.clock.time_left <= WARNING_BEFORE:
        return "due_within_6h"
    return None


def clock_reminder(row: ClockRow, state: str, now: dt.datetime) -> Reminder:
    ae, clock = row.event, row.clock
    subject = ae.subject

    def compose() -> tuple[str, str]:
        facts = {"clock": clock_line(clock), "title": clock_title(clock), "subject": subject.code,
                 "site": subject.site.code, "event": ae.pk, "term": ae.term, "grade": ae.grade,
                 "started": paris_time(clock.started_at), "deadline": paris_time(clock.deadline),
                 "judged": paris_time(now)}
        title = (_("[Equipoise] %(title)s OVERDUE: subject %(subject)s (event %(event)s)") if state == "overdue"
                 else _("[Equipoise] %(title)s due within 6 hours: subject %(subject)s (event %(event)s)"))
        return title % facts, _(
            "%(clock)s\n\nSubject %(subject)s (site %(site)s), event %(event)s: %(term)s, CTCAE grade %(grade)s.\n"
            "Clock started on %(started)s; deadline %(deadline)s.\n"
            "Judged on %(judged)s. Record the notification in Equipoise once it is done.\n") % facts

    return Reminder(
        kind="sae_clock", key=f"ae:{ae.pk}:{clock.kind.value}", state=state, compose=compose,
        recipients=tuple(dict.fromkeys([settings.SPONSOR_SAFETY_EMAIL, *site_investigator_emails(subject.site_id)])),
        subject_code=subject.code, site_code=subject.site.code)


def send_clock_reminders(now: dt.datetime) -> int:
    sent = 0
    for row in running_clocks(serious_events(), now):
        state = clock_state(row)
        if state is not None:
            sent += remind(clock_reminder(row, state, now), now)
    return sent
