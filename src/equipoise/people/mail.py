"""Emails in their readers' languages: one letter per language the recipients read.

Every email the system sends is composed by a function that writes its subject and body with the
catalogue (`gettext`); `letters()` calls it once per language among the recipients
(`people.languages`), with that language active. Times are the sites' wall-clock time
(`paris_time`), spans in days and hours (`span`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from equipoise.people.languages import by_language
from equipoise.visits.durations import days_hours
from equipoise.visits.localtime import to_trial_time

Compose = Callable[[], tuple[str, str]]


@dataclass(frozen=True)
class Letter:
    language: str
    recipients: tuple[str, ...]
    subject: str
    body: str

    def as_json(self) -> dict[str, object]:
        return {"language": self.language, "recipients": list(self.recipients), "subject": self.subject,
                "body": self.body}


def letters(recipients: Iterable[str], compose: Compose) -> list[Letter]:
    """The message `compose` writes, once per language its recipients read."""
    written = []
    for language, addresses in by_language(recipients).items():
        with translation.override(language):
            subject, body = compose()
        written.append(Letter(language, tuple(addresses), subject, body))
    return written


def send_letters(written: Iterable[Letter]) -> int:
    sent = 0
    for letter in written:
        if letter.recipients:
            send_mail(letter.subject, letter.body, settings.DEFAULT_FROM_EMAIL, list(letter.recipients))
            sent += 1
    return sent


def send_in_languages(recipients: Iterable[str], compose: Compose) -> int:
    return send_letters(letters(recipients, compose))


def paris_time(moment: dt.datetime) -> str:
    """An instant as the sites' wall-clock time with its offset, in the active language:
    "29 novembre 2026 à 14:05, heure de Paris (UTC+01:00)"."""
    local = to_trial_time(moment)
    offset = local.strftime("%z")
    return _("%(date)s at %(time)s Paris time (UTC%(offset)s)") % {
        "date": date_format(local, "j F Y"), "time": f"{local:%H:%M}", "offset": f"{offset[:3]}:{offset[3:]}"}


def day(date: dt.date | None) -> str:
    """A calendar date in words in the active language ("29 novembre 2026"); "" for none."""
    return date_format(date, "j F Y") if date is not None else ""


def span(length: dt.timedelta) -> str:
    """A span in days and hours in the active language: "14 j 23 h" / "14 d 23 h"."""
    return days_hours(length).get(translation.get_language() or settings.LANGUAGE_CODE)


def send_invitation(email: str, name: str, link: str, hours: int, language: str) -> None:
    with translation.override(language):
        subject = _("Your Equipoise account")
        body = _(
            "Hello %(name)s,\n\nAn account was opened for you in Equipoise, the system of the trial you take part in.\n"
            "Follow this link within %(hours)s hours to choose your password and set up your second factor "
            "(an authenticator app on your phone):\n\n%(link)s\n\nThe link works once. If it has expired, ask the "
            "sponsor administrator for a new one."
        ) % {"name": name, "hours": hours, "link": link}
    send_letters([Letter(language, (email,), subject, body)])


def send_password_reset(user_email: str, link: str, minutes: int, language: str) -> None:
    with translation.override(language):
        subject = _("Choose a new Equipoise password")
        body = _(
            "Someone asked to reset the password of your Equipoise account.\n\nFollow this link within "
            "%(minutes)s minutes to choose a new password:\n\n%(link)s\n\nIf you did not ask, ignore this "
            "message: your password stays as it is."
        ) % {"minutes": minutes, "link": link}
    send_letters([Letter(language, (user_email,), subject, body)])

