"""The language a person reads: their own choice (`Preferences`), else the site's (French).

Emails are addressed to e-mail addresses; an address that is no account's (the sponsor's safety
desk) reads the site's language.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from equipoise.people.models import Preferences
from equipoise.records.code_labels import code_label

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)


def language_name(code: str) -> str:
    """The language's name in the active language ("français", "English")."""
    return code_label(code)


def site_language() -> str:
    return settings.LANGUAGE_CODE


def language_of(user: AbstractBaseUser | AnonymousUser | None) -> str:
    """The language `user` chose, or the site's."""
    if user is None or user.pk is None:
        return site_language()
    chosen = Preferences.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
    return chosen if chosen in LANGUAGE_CODES else site_language()


def set_language(user: AbstractBaseUser, language: str) -> None:
    if language not in LANGUAGE_CODES:
        raise ValueError(f"unknown language {language!r}")
    Preferences.objects.update_or_create(user_id=user.pk, defaults={"language": language})


def languages_of(emails: Iterable[str]) -> dict[str, str]:
    """Each address's language: its active account's choice (the oldest account if several share it)."""
    emails = list(dict.fromkeys(emails))
    chosen: dict[str, str] = {}
    rows = (get_user_model().objects.filter(email__in=emails, is_active=True).order_by("-pk")
            .values_list("email", "preferences__language"))
    for email, language in rows:  # newest first, so the oldest account's choice is the one kept
        chosen[email] = language if language in LANGUAGE_CODES else site_language()
    return {email: chosen.get(email, site_language()) for email in emails}


def by_language(emails: Iterable[str]) -> dict[str, list[str]]:
    """The addresses grouped by the language they read, in the site's language order."""
    groups: dict[str, list[str]] = {code: [] for code in LANGUAGE_CODES}
    for email, language in languages_of(emails).items():
        groups[language].append(email)
    return {language: addresses for language, addresses in groups.items() if addresses}
