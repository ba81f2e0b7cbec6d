"""Emails the randomization sends: a list running low, an emergency unblinding.

Recipients are read at call time: the statisticians' addresses for list warnings (falling back to
`SPONSOR_SAFETY_EMAIL` when none has one), and `SPONSOR_SAFETY_EMAIL` for unblindings. Neither
email names an arm: mail leaves the system, and the arm must not.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail

from equipoise.records.roles import Role


def statistician_emails() -> list[str]:
    User = get_user_model()
    emails = (User.objects.filter(memberships__role=Role.STATISTICIAN.value, is_active=True)
              .exclude(email="").values_list("email", flat=True).distinct())
    return sorted(emails) or [settings.SPONSOR_SAFETY_EMAIL]


def send_low_list_warning(stratum: str, used: int, total: int, fraction: float) -> None:
    send_mail(
        f"[Equipoise] randomization list low in stratum {stratum}",
        f"Stratum {stratum} has used {used} of its {total} slots, past the warning level of "
        f"{fraction:.0%} set in the protocol (randomization.low_list_warning_fraction).\n"
        "Generate and commit an extension of the list before the stratum runs out: once it is "
        "exhausted, randomization in that stratum is refused.\n",
        settings.DEFAULT_FROM_EMAIL,
        statistician_emails(),
    )


def send_unblinding_notice(subject_code: str, site_code: str, username: str, reason: str, at: str) -> None:
    send_mail(
        f"[Equipoise] emergency unblinding of subject {subject_code}",
        f"User {username} unblinded subject {subject_code} (site {site_code}) at {at}.\n"
        f"Reason given: {reason}\n"
        "The arm was shown to that user only; the event is in the audit trail.\n",
        settings.DEFAULT_FROM_EMAIL,
        [settings.SPONSOR_SAFETY_EMAIL],
    )
