"""Re-authentication for acts that need the person themselves (emergency unblinding, signatures):
the password again and, when the account has a second factor, a code from it too.
A borrowed, unlocked session is not enough."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from equipoise.people.actions.two_factor import check_second_factor, has_second_factor
from equipoise.records.actions.errors import ActionRefused, FieldError
from equipoise.records.actions.logins import count_failure, is_locked_out
from equipoise.records.actor import Actor


def needs_code(user) -> bool:
    return has_second_factor(user)


def reauthenticate(actor: Actor, password: str, otp_code: str, request: HttpRequest | None = None) -> None:
    """Raise `ActionRefused` (403, naming the field) unless the password and, if enrolled, the code match."""
    if is_locked_out(actor.username):
        raise ActionRefused(_("too many failed attempts: this account is locked for a while"), status=403)
    checked = authenticate(request, username=actor.username, password=password)
    if checked is None or checked.pk != actor.user.pk:
        with transaction.atomic():
            count_failure(actor.username)
        raise ActionRefused(_("the password does not match"),
                            [FieldError("password", "reauthentication", "wrong password")],
                            status=403)
    if has_second_factor(actor.user):
        check_second_factor(actor, otp_code)
