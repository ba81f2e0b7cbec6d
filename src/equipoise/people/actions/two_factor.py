"""The second factor: a TOTP app (django-otp's `TOTPDevice`) and single-use recovery codes
(django-otp's `StaticDevice`). Codes are checked by django-otp, which refuses a code already used
(replay) and throttles guesses; the sign-in lockout counts failed codes with failed passwords.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user, match_token, user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from equipoise.records.access import all_roles
from equipoise.records.actions.errors import ActionRefused, FieldError
from equipoise.records.actions.logins import clear_failures, count_failure, is_locked_out, locks_out
from equipoise.records.actor import Actor
from equipoise.records.audit import record_event
from equipoise.records.audit_actions import AuditAction

RECOVERY_NAME = "recovery"


def self_actor(user: User, request_id: str = "") -> Actor:
    """A person acting on their own account."""
    return Actor(user=user, role=",".join(sorted(all_roles(user))), site_code="", request_id=request_id)


def has_second_factor(user: User) -> bool:
    return user.is_authenticated and user_has_device(user, confirmed=True)


def pending_totp(actor: Actor) -> TOTPDevice:
    """The TOTP secret being enrolled (made once, unconfirmed until a first code proves it)."""
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=actor.user, confirmed=False).order_by("-id").first()
        if device is None:
            device = TOTPDevice.objects.create(user=actor.user, name="authenticator", confirmed=False)
            record_event(actor, AuditAction.TWO_FACTOR_ENROLMENT_START, "user", actor.username, site_code="")
    return device


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def _refuse_code(actor: Actor, what: str) -> ActionRefused:
    """Count a wrong code toward the lockout and audit it, in its own transaction."""
    with transaction.atomic():
        now_locked = locks_out(count_failure(actor.username))
        record_event(actor, AuditAction.TWO_FACTOR_FAILED, "user", actor.username, site_code="", reason=what)
        if now_locked:
            record_event(actor, AuditAction.LOGIN_LOCKOUT, "user", actor.username, site_code="",
                         reason="too many wrong passwords or codes")
    return ActionRefused(_("the code is wrong, expired or already used"),
                         [FieldError("otp_code", "second_factor", "wrong code")], status=403)


def confirm_totp(actor: Actor, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the enrolled app with its first code; returns fresh recovery codes (shown once)."""
    if device.user_id != actor.user.pk or device.confirmed:
        raise ActionRefused(_("this enrolment is not pending"), status=409)
    if is_locked_out(actor.username):
        raise ActionRefused(_("too many failed attempts: this account is locked for a while"), status=403)
    if not device.verify_token(code.strip().replace(" ", "")):
        raise _refuse_code(actor, "enrolment code")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(actor.user)
        clear_failures(actor.username)
        record_event(actor, AuditAction.TWO_FACTOR_ENROL, "user", actor.username, site_code="",
                     changes={"second_factor": [None, "totp"], "recovery_codes": [None, len(codes)]})
    return codes


def new_recovery_codes(actor: Actor) -> list[str]:
    if not has_second_factor(actor.user):
        raise ActionRefused(_("set up an authenticator app first"), status=409)
    with transaction.atomic():
        codes = _new_recovery_codes(actor.user)
        record_event(actor, AuditAction.TWO_FACTOR_RECOVERY_CODES, "user", actor.username, site_code="",
                     changes={"recovery_codes": [None, len(codes)]})
    return codes


def check_second_factor(actor: Actor, code: str) -> Device:
    """The device that accepts `code` (a TOTP code or an unused recovery code), else a refusal.

    A recovery code is spent by django-otp when it matches; a TOTP code once accepted is refused
    if offered again.
    """
    if is_locked_out(actor.username):
        with transaction.atomic():
            record_event(actor, AuditAction.TWO_FACTOR_FAILED, "user", actor.username, site_code="", reason="account locked")
        raise ActionRefused(_("too many failed attempts: this account is locked for a while"), status=403)
    code = code.strip().replace(" ", "")
    device = match_token(actor.user, code) if code else None
    if device is None:
        raise _refuse_code(actor, "sign-in code")
    with transaction.atomic():
        clear_failures(actor.username)
        if isinstance(device, StaticDevice):
            record_event(actor, AuditAction.TWO_FACTOR_RECOVERY_CODE_USED, "user", actor.username, site_code="",
                         changes={"recovery_codes_left": [None, device.token_set.count()]})
    return device


def remove_second_factor(admin: Actor, user: User, reason: str) -> None:
    """An administrator removes a lost authenticator; the person enrols again at next sign-in."""
    if not reason.strip():
        raise ActionRefused(_("a reason is required"), [FieldError("reason", "required", "required")])
    with transaction.atomic():
        removed = [d.persistent_id for d in devices_for_user(user, confirmed=None)]
        for device in devices_for_user(user, confirmed=None):
            device.delete()
        record_event(admin, AuditAction.TWO_FACTOR_REMOVE, "user", user.get_username(), site_code="", reason=reason.strip(),
                     changes={"devices": [len(removed), 0]})
