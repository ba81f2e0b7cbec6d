"""The emails of account administration: invitations and forgotten-password links."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _


def send_invitation(email: str, name: str, link: str, hours: int, language: str = "fr") -> None:
    with translation.override(language):
        subject = _("Your Equipoise account")
        body = _(
            "Hello %(name)s,\n\nAn account was opened for you in Equipoise, the system of the trial you take part in.\n"
            "Follow this link within %(hours)s hours to choose your password and set up your second factor "
            "(an authenticator app on your phone):\n\n%(link)s\n\nThe link works once. If it has expired, ask the "
            "sponsor administrator for a new one."
        ) % {"name": name, "hours": hours, "link": link}
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])


def send_password_reset(email: str, link: str, minutes: int, language: str = "fr") -> None:
    with translation.override(language):
        subject = _("Choose a new Equipoise password")
        body = _(
            "Someone asked to reset the password of your Equipoise account.\n\nFollow this link within "
            "%(minutes)s minutes to choose a new password:\n\n%(link)s\n\nIf you did not ask, ignore this "
            "message: your password stays as it is."
        ) % {"minutes": minutes, "link": link}
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
