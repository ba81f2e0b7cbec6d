"""Safety emails: a serious adverse event reported, and the reporting clocks due or overdue.

Addresses are read at call time: `SPONSOR_SAFETY_EMAIL` for the sponsor's pharmacovigilance
desk, and the e-mail addresses of the investigators of the event's site. Times are written in
Paris wall-clock time with their UTC offset, so a deadline read the day the clocks change is
not misread by an hour. The emails name no study drug and no causality: mail leaves the system,
and the arm must not; the desk reads those details in the system.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail

from equipoise.records.roles import Role
from equipoise.safety.adverse_events import ClockStatus, pregnancy_report_clock
from equipoise.treatment.clocks import ClockRow, clock_hours
from equipoise.treatment.models import AdverseEvent, PregnancyReport
from equipoise.visits.localtime import to_trial_time


def paris(moment: dt.datetime) -> str:
    local = to_trial_time(moment)
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} Paris (UTC{offset[:3]}:{offset[3:]})"


def site_investigator_emails(site_id: int) -> list[str]:
    User = get_user_model()
    return sorted(set(User.objects.filter(memberships__site_id=site_id, memberships__role=Role.INVESTIGATOR.value,
                                          is_active=True).exclude(email="").values_list("email", flat=True)))


def send_sae_reported(ae: AdverseEvent, clock: ClockStatus) -> None:
    subject = ae.subject
    send_mail(
        f"[Equipoise] serious adverse event reported: {subject.code} (event {ae.pk})",
        f"Site {subject.site.code} reported a serious adverse event for subject {subject.code}.\n"
        f"Event {ae.pk}: {ae.term}, CTCAE grade {ae.grade}; seriousness: {', '.join(ae.seriousness)}.\n"
        f"Special interest: {', '.join(ae.special_interest) or 'none'}.\n"
        f"The site learned of it at {paris(clock.started_at)}.\n"
        f"Sponsor notification due by {paris(clock.deadline)} ({clock.hours} hours).\n",
        settings.DEFAULT_FROM_EMAIL,
        [settings.SPONSOR_SAFETY_EMAIL],
    )


def send_pregnancy_report(report: PregnancyReport) -> None:
    """A positive or indeterminate pregnancy test: one email to the sponsor desk and the site's investigators.

    Like every safety email it names no study drug (mail leaves the system; the arm must not).
    """
    subject = report.subject
    clock = pregnancy_report_clock(report.opened_at, report.opened_at, clock_hours(subject.protocol_id))
    taken = f" (sample taken {paris(report.test_taken_at)})" if report.test_taken_at else ""
    held = ("The study drug was put on hold at once." if report.hold_id is not None
            else "No study drug was being taken or it was already on hold or stopped.")
    body = (f"Site {subject.site.code} recorded a {report.result} pregnancy test for subject {subject.code}{taken}.\n"
            f"Pregnancy report {report.pk} is open (event of special interest: pregnancy of the patient).\n"
            f"{held}\n"
            f"Recorded at {paris(report.opened_at)}.\n"
            f"Sponsor notification due by {paris(clock.deadline)} ({clock.hours} hours).\n")
    recipients = [settings.SPONSOR_SAFETY_EMAIL, *site_investigator_emails(subject.site_id)]
    send_mail(f"[Equipoise] {report.result} pregnancy test: {subject.code} (pregnancy report {report.pk})",
              body, settings.DEFAULT_FROM_EMAIL, recipients)


def _line(row: ClockRow, now: dt.datetime) -> str:
    ae, clock = row.event, row.clock
    return (f"- {clock.state.value.upper()}: {clock.describe().en} Subject {ae.subject.code} "
            f"(site {ae.subject.site.code}), event {ae.pk}: {ae.term}.")


def send_due_clock_notices(rows: Iterable[ClockRow], now: dt.datetime) -> int:
    """One summary to the sponsor desk, one per site to its investigators; returns emails sent."""
    rows = list(rows)
    if not rows:
        return 0
    sent = 0
    header = f"Reporting clocks due or overdue at {paris(now)}:\n\n"
    send_mail(f"[Equipoise] {len(rows)} safety reporting clock(s) due or overdue",
              header + "\n".join(_line(r, now) for r in rows) + "\n",
              settings.DEFAULT_FROM_EMAIL, [settings.SPONSOR_SAFETY_EMAIL])
    sent += 1
    by_site: dict[int, list[ClockRow]] = defaultdict(list)
    for row in rows:
        by_site[row.event.subject.site_id].append(row)
    for site_id, site_rows in sorted(by_site.items()):
        recipients = site_investigator_emails(site_id)
        if not recipients:
            continue
        code = site_rows[0].event.subject.site.code
        send_mail(f"[Equipoise] site {code}: {len(site_rows)} safety reporting clock(s) due or overdue",
                  header + "\n".join(_line(r, now) for r in site_rows) + "\n",
                  settings.DEFAULT_FROM_EMAIL, recipients)
        sent += 1
    return sent
