"""Safety emails: a serious adverse event reported, and the reporting clocks due or overdue.

Addresses are read at call time: `SPONSOR_SAFETY_EMAIL` for the sponsor's pharmacovigilance
desk, and the e-mail addresses of the investigators of the event's site. Each recipient reads
the email in their language (`people.mail.letters`); times are Paris wall-clock time with their
UTC offset, so a deadline read the day the clocks change is not misread by an hour. The emails
name no study drug and no causality: mail leaves the system, and the arm must not; the desk reads
those details in the system.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from equipoise.people.mail import paris_time, send_in_languages
from equipoise.records.code_labels import code_label
from equipoise.records.roles import Role
from equipoise.safety.adverse_events import ClockStatus, pregnancy_report_clock
from equipoise.treatment.clocks import ClockRow, clock_hours
from equipoise.treatment.models import AdverseEvent, PregnancyReport


def site_investigator_emails(site_id: int) -> list[str]:
    User = get_user_model()
    return sorted(set(User.objects.filter(memberships__site_id=site_id, memberships__role=Role.INVESTIGATOR.value,
                                          is_active=True).exclude(email="").values_list("email", flat=True)))


def clock_line(clock: ClockStatus) -> str:
    """The clock's one-line status in the active language ("… due by …, 14 j 23 h left")."""
    return clock.describe().get(get_language() or settings.LANGUAGE_CODE)


def clock_title(clock: ClockStatus) -> str:
    """What the clock is for, in the active language ("SAE notification to the sponsor")."""
    return clock.title().get(get_language() or settings.LANGUAGE_CODE)


def labels(codes: Iterable[str]) -> str:
    return ", ".join(code_label(code) for code in codes)


def hours_text(hours: int) -> str:
    return ngettext("%(hours)d hour", "%(hours)d hours", hours) % {"hours": hours}


def send_sae_reported(ae: AdverseEvent, clock: ClockStatus) -> None:
    subject = ae.subject

    def compose() -> tuple[str, str]:
        facts = {"site": subject.site.code, "subject": subject.code, "event": ae.pk, "term": ae.term,
                 "grade": ae.grade, "seriousness": labels(ae.seriousness),
                 "special": labels(ae.special_interest) or _("none"),
                 "learned": paris_time(clock.started_at), "deadline": paris_time(clock.deadline),
                 "hours": hours_text(clock.hours)}
        return (_("[Equipoise] serious adverse event reported: %(subject)s (event %(event)s)") % facts,
                _("Site %(site)s reported a serious adverse event for subject %(subject)s.\n"
                  "Event %(event)s: %(term)s, CTCAE grade %(grade)s; seriousness: %(seriousness)s.\n"
                  "Special interest: %(special)s.\n"
                  "The site learned of it on %(learned)s.\n"
                  "Sponsor notification due by %(deadline)s (%(hours)s).\n") % facts)

    send_in_languages([settings.SPONSOR_SAFETY_EMAIL], compose)


def send_pregnancy_report(report: PregnancyReport) -> None:
    """A positive or indeterminate pregnancy test: one email to the sponsor desk and the site's investigators.

    Like every safety email it names no study drug (mail leaves the system; the arm must not).
    """
    subject = report.subject
    clock = pregnancy_report_clock(report.opened_at, report.opened_at, clock_hours(subject.protocol_id))

    def compose() -> tuple[str, str]:
        facts = {"site": subject.site.code, "subject": subject.code, "result": code_label(report.result),
                 "report": report.pk, "opened": paris_time(report.opened_at),
                 "deadline": paris_time(clock.deadline), "hours": hours_text(clock.hours)}
        taken = (_(" (sample taken on %(when)s)") % {"when": paris_time(report.test_taken_at)}
                 if report.test_taken_at else "")
        held = (_("The study drug was put on hold at once.") if report.hold_id is not None
                else _("No study drug was being taken or it was already on hold or stopped."))
        return (_("[Equipoise] %(result)s pregnancy test: %(subject)s (pregnancy report %(report)s)") % facts,
                _("Site %(site)s recorded a %(result)s pregnancy test for subject %(subject)s") % facts + taken
                + ".\n"
                + _("Pregnancy report %(report)s is open (event of special interest: pregnancy of the patient).\n")
                % facts + held + "\n"
                + _("Recorded on %(opened)s.\nSponsor notification due by %(deadline)s (%(hours)s).\n") % facts)

    send_in_languages([settings.SPONSOR_SAFETY_EMAIL, *site_investigator_emails(subject.site_id)], compose)


def _line(row: ClockRow) -> str:
    ae, clock = row.event, row.clock
    return _("- %(clock)s Subject %(subject)s (site %(site)s), event %(event)s: %(term)s.") % {
        "clock": clock_line(clock), "subject": ae.subject.code, "site": ae.subject.site.code, "event": ae.pk,
        "term": ae.term}


def send_due_clock_notices(rows: Iterable[ClockRow], now: dt.datetime) -> int:
    """One summary to the sponsor desk, one per site to its investigators; returns emails sent."""
    rows = list(rows)
    if not rows:
        return 0

    def notice(chosen: list[ClockRow], site_code: str | None) -> tuple[str, str]:
        count = len(chosen)
        facts = {"count": count, "site": site_code, "when": paris_time(now)}
        title = (ngettext("[Equipoise] site %(site)s: %(count)d safety reporting clock due or overdue",
                          "[Equipoise] site %(site)s: %(count)d safety reporting clocks due or overdue", count)
                 if site_code else
                 ngettext("[Equipoise] %(count)d safety reporting clock due or overdue",
                          "[Equipoise] %(count)d safety reporting clocks due or overdue", count)) % facts
        header = _("Reporting clocks due or overdue on %(when)s:") % facts
        return title, header + "\n\n" + "\n".join(_line(r) for r in chosen) + "\n"

    sent = send_in_languages([settings.SPONSOR_SAFETY_EMAIL], lambda: notice(rows, None))
    by_site: dict[int, list[ClockRow]] = defaultdict(list)
    for row in rows:
        by_site[row.event.subject.site_id].append(row)
    for site_id, site_rows in sorted(by_site.items()):
        code = site_rows[0].event.subject.site.code
        sent += send_in_languages(site_investigator_emails(site_id),
                                  partial(notice, site_rows, code))
    return sent
