"""Emails the randomization sends: a list running low, an emergency unblinding.

Recipients are read at call time: the statisticians' addresses for list warnings (falling back to
`SPONSOR_SAFETY_EMAIL` when none has one), and `SPONSOR_SAFETY_EMAIL` for unblindings. Each reads
the email in their language (`people.mail`). Neither email names an arm: mail leaves the system,
and the arm must not.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from equipoise.people.mail import paris_time, send_in_languages
from equipoise.records.roles import Role


def statistician_emails() -> list[str]:
    User = get_user_model()
    emails = (User.objects.filter(memberships__role=Role.STATISTICIAN.value, is_active=True)
              .exclude(email="").values_list("email", flat=True).distinct())
    return sorted(emails) or [settings.SPONSOR_SAFETY_EMAIL]


def percent(fraction: float) -> str:
    """A fraction as a whole percentage in the active language ("80 %" / "80%")."""
    return _("%(number)s%%") % {"number": number_format(round(fraction * 100))}


def low_list_words(stratum: str, used: int, total: int, fraction: float, exhausted: bool = False) -> tuple[str, str]:
    """Subject and body of the warning that a stratum's list is low (or exhausted), in the active language."""
    facts = {"stratum": stratum, "used": used, "total": total, "level": percent(fraction)}
    if exhausted:
        return (_("[Equipoise] randomization list exhausted in stratum %(stratum)s") % facts,
                _("Stratum %(stratum)s has used %(used)s of its %(total)s slots (warning level %(level)s).\n"
                  "It is exhausted: randomization in this stratum is refused until an extension is committed "
                  "and loaded.\n") % facts)
    return (_("[Equipoise] randomization list low in stratum %(stratum)s") % facts,
            _("Stratum %(stratum)s has used %(used)s of its %(total)s slots, past the warning level of "
              "%(level)s set in the protocol.\nGenerate and commit an extension of the list before the stratum "
              "runs out: once it is exhausted, randomization in that stratum is refused.\n") % facts)


def send_low_list_warning(stratum: str, used: int, total: int, fraction: float) -> None:
    send_in_languages(statistician_emails(), lambda: low_list_words(stratum, used, total, fraction))


def send_unblinding_notice(subject_code: str, site_code: str, username: str, reason: str, at: dt.datetime) -> None:
    def compose() -> tuple[str, str]:
        facts = {"subject": subject_code, "site": site_code, "user": username, "when": paris_time(at),
                 "reason": reason}
        return (_("[Equipoise] emergency unblinding of subject %(subject)s") % facts,
                _("User %(user)s unblinded subject %(subject)s (site %(site)s) on %(when)s.\n"
                  "Reason given: %(reason)s\n"
                  "The arm was shown to that user only; the event is in the audit trail.\n") % facts)

    send_in_languages([settings.SPONSOR_SAFETY_EMAIL], compose)
