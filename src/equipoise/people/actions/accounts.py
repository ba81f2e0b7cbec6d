"""Accounts: invitation, roles per site, deactivation, passwords.

Accounts are never deleted (the audit trail keeps naming their holder): an account leaves by
deactivation, which also ends its sessions and API tokens at once. Nobody changes their own roles.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from equipoise.people.actions.sessions import end_all_sessions_and_tokens
from equipoise.people.actions.two_factor import self_actor
from equipoise.people.languages import LANGUAGE_CODES, language_of, set_language
from equipoise.people.mail import send_invitation, send_password_reset
from equipoise.people.models import Invitation
from equipoise.records.actions.errors import ActionRefused, FieldError
from equipoise.records.actor import Actor
from equipoise.records.audit import record_event
from equipoise.records.audit_actions import AuditAction
from equipoise.records.models import Membership, Site
from equipoise.records.roles import DATA_ENTRY, LABELS, Role

# Roles held at one site, and roles held across all sites (no site).
SITE_ROLES = DATA_ENTRY
SPONSOR_ONLY = frozenset({Role.SPONSOR_ADMIN, Role.STATISTICIAN})


def role_name(role: Role) -> str:
    from django.utils.translation import get_language

    english, french = LABELS[role]
    return french if (get_language() or "fr").startswith("fr") else english


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _field_error(name: str, message: str, status: int = 400) -> ActionRefused:
    return ActionRefused(message, [FieldError(name, "invalid", message)], status=status)


def _account(username: str) -> User:
    user = get_user_model().objects.filter(username=username.strip()).first()
    if user is None:
        raise ActionRefused(_("no account %(name)s") % {"name": username}, status=404)
    return user


def _membership_target(role: str, site_code: str | None) -> tuple[Role, Site | None]:
    try:
        parsed = Role(role)
    except ValueError:
        raise _field_error("role", _("unknown role %(role)s") % {"role": role}) from None
    site = None
    if site_code:
        site = Site.objects.filter(code=site_code.strip().upper()).first()
        if site is None:
            raise _field_error("site", _("no site %(code)s") % {"code": site_code}, 404)
    if parsed in SITE_ROLES and site is None:
        raise _field_error("site", _("the role %(role)s is held at one site: choose the site") % {"role": role_name(parsed)})
    if parsed in SPONSOR_ONLY and site is not None:
        raise _field_error("site", _("the role %(role)s is held across all sites, not at one site") % {"role": role_name(parsed)})
    return parsed, site


def _new_invitation(actor: Actor, user: User, now: dt.datetime) -> tuple[Invitation, str]:
    token = secrets.token_urlsafe(32)
    Invitation.objects.filter(user=user, used_at__isnull=True, withdrawn_at__isnull=True).update(withdrawn_at=now)
    invitation = Invitation.objects.create(
        user=user, token_sha256=_digest(token), invited_by=actor.user, created_at=now,
        expires_at=now + dt.timedelta(hours=settings.INVITATION_VALID_HOURS))
    return invitation, token


def _mail_invitation(user: User, link: str) -> None:
    name = user.get_full_name() or user.get_username()
    language = language_of(user)
    transaction.on_commit(lambda: send_invitation(user.email, name, link, settings.INVITATION_VALID_HOURS, language))


def invite(actor: Actor, username: str, email: str, first_name: str, last_name: str,
           roles: list[tuple[str, str | None]], link_for: Callable[[str], str],
           now: dt.datetime | None = None, language: str | None = None) -> tuple[User, str]:
    """Open an account (inactive until the invitation is accepted) with its roles, and email the link
    in `language` (the person's language from then on; the site's if not given).

    Returns the account and the link (shown to the administrator only on the command line).
    """
    now = now or timezone.now()
    username = username.strip().lower()
    if not username or len(username) > 150 or not all(c.isalnum() or c in "._-@" for c in username):
        raise _field_error("username", _("the user name uses letters, digits and . _ - @ only"))
    try:
        validate_email(email.strip())
    except ValidationError:
        raise _field_error("email", _("%(email)s is not an email address") % {"email": email}) from None
    if not first_name.strip() or not last_name.strip():
        raise _field_error("last_name", _("first and last names are required: signatures print them"))
    if not roles:
        raise _field_error("role", _("give the person at least one role"))
    language = language or settings.LANGUAGE_CODE
    if language not in LANGUAGE_CODES:
        raise _field_error("language", _("choose French or English"))
    targets = [_membership_target(role, site) for role, site in roles]
    User = get_user_model()
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise _field_error("username", _("the user name %(name)s is taken") % {"name": username}, 409)
        if User.objects.filter(email__iexact=email.strip()).exists():
            raise _field_error("email", _("an account already uses %(email)s") % {"email": email.strip()}, 409)
        user = User.objects.create_user(username=username, email=email.strip(), first_name=first_name.strip(),
                                        last_name=last_name.strip(), is_active=False)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        set_language(user, language)
        invitation, token = _new_invitation(actor, user, now)
        record_event(actor, AuditAction.USER_INVITE, "user", username, site_code="", changes={
            "username": [None, username], "email": [None, user.email],
            "name": [None, user.get_full_name()], "expires_at": [None, invitation.expires_at.isoformat()],
            "language": [None, language]})
        for role, site in targets:
            _grant(actor, user, role, site)
        link = link_for(token)
        _mail_invitation(user, link)
    return user, link


def create_first_sponsor_admin(username: str, email: str, first_name: str, last_name: str,
                               link_for: Callable[[str], str], operator: str,
                               now: dt.datetime | None = None) -> tuple[User, str]:
    """The first sponsor administrator, from the command line, invited like anyone else.

    Refused once an active sponsor administrator exists: from then on, accounts are opened by one.
    """
    now = now or timezone.now()
    if Membership.objects.filter(role=Role.SPONSOR_ADMIN, site__isnull=True, user__is_active=True).exists():
        raise ActionRefused(_("a sponsor administrator already exists: they invite the others"), status=409)
    User = get_user_model()
    username = username.strip().lower()
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise _field_error("username", _("the user name %(name)s is taken") % {"name": username}, 409)
        user = User.objects.create_user(username=username, email=email.strip(), first_name=first_name.strip(),
                                        last_name=last_name.strip(), is_active=False)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        actor = Actor(user=user, role="command_line", site_code="", request_id="cli")
        Membership.objects.create(user=user, site=None, role=Role.SPONSOR_ADMIN.value)
        invitation, token = _new_invitation(actor, user, now)
        reason = f"first sponsor administrator, created from the command line by {operator}"
        record_event(actor, AuditAction.USER_INVITE, "user", username, site_code="", reason=reason, changes={
            "username": [None, username], "email": [None, user.email], "name": [None, user.get_full_name()],
            "expires_at": [None, invitation.expires_at.isoformat()]})
        record_event(actor, AuditAction.ROLE_GRANT, "user", username, site_code="", reason=reason,
                     changes={"role": [None, Role.SPONSOR_ADMIN.value], "site": [None, "all sites"]})
        link = link_for(token)
        if user.email:
            _mail_invitation(user, link)
    return user, link


def reinvite(actor: Actor, username: str, link_for: Callable[[str], str],
             now: dt.datetime | None = None) -> str:
    """A new invitation for a person who has not accepted the last one (the old link stops working)."""
    now = now or timezone.now()
    user = _account(username)
    if user.has_usable_password():
        raise ActionRefused(_("%(name)s already accepted an invitation") % {"name": user.get_username()}, status=409)
    with transaction.atomic():
        invitation, token = _new_invitation(actor, user, now)
        record_event(actor, AuditAction.USER_REINVITE, "user", user.get_username(), site_code="",
                     changes={"expires_at": [None, invitation.expires_at.isoformat()]})
        link = link_for(token)
        _mail_invitation(user, link)
    return link


def open_invitation(token: str, request_id: str = "", now: dt.datetime | None = None) -> Invitation:
    """The pending invitation of `token`; an expired, used or replaced one is refused and audited."""
    now = now or timezone.now()
    invitation = Invitation.objects.select_related("user").filter(token_sha256=_digest(token)).first()
    if invitation is None:
        raise ActionRefused(_("this invitation link is not valid"), status=404)
    problem = None
    if invitation.used_at is not None:
        problem = N_("this invitation was already used; sign in, or ask the sponsor administrator for help")
    elif invitation.withdrawn_at is not None:
        problem = N_("this invitation was replaced by a newer one; use the link of the latest email")
    elif invitation.expires_at <= now:
        problem = N_("this invitation has expired; ask the sponsor administrator for a new one")
    if problem:
        with transaction.atomic():
            record_event(self_actor(invitation.user, request_id), AuditAction.USER_INVITATION_REFUSED, "invitation",
                         invitation.pk, site_code="", reason=problem)
        raise ActionRefused(_(problem), status=410)
    return invitation


def _check_new_password(user: User, password: str, again: str, field: str = "password") -> None:
    if password != again:
        raise _field_error(field, _("the two passwords differ"))
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ActionRefused(" ".join(exc.messages),
                            [FieldError(field, "password", m) for m in exc.messages]) from None


def accept_invitation(token: str, password: str, again: str, confirm_second_factor: Callable[[Actor], list[str]],
                      request_id: str = "", now: dt.datetime | None = None) -> tuple[User, list[str]]:
    """Set the password and enrol the second factor; the account becomes active.

    `confirm_second_factor` checks the first code of the app being enrolled and returns the recovery
    codes; the invitation is spent only when both the password and the code are accepted.
    """
    now = now or timezone.now()
    invitation = open_invitation(token, request_id, now)
    user = invitation.user
    _check_new_password(user, password, again)
    actor = self_actor(user, request_id)
    # The code is checked (and a wrong one counted and audited) before the account changes.
    codes = confirm_second_factor(actor)
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.used_at is not None:
            raise ActionRefused(_("this invitation was already used"), status=410)
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        locked.used_at = now
        locked.save(update_fields=["used_at"])
        record_event(actor, AuditAction.USER_INVITATION_ACCEPT, "invitation", locked.pk, site_code="",
                     changes={"is_active": [False, True]})
        record_event(actor, AuditAction.PASSWORD_SET, "user", user.get_username(), site_code="")
    return user, codes


def _grant(actor: Actor, user: User, role: Role, site: Site | None) -> Membership:
    membership, created = Membership.objects.get_or_create(user=user, site=site, role=role.value)
    if not created:
        raise ActionRefused(_("%(name)s already holds this role there") % {"name": user.get_username()}, status=409)
    record_event(actor, AuditAction.ROLE_GRANT, "user", user.get_username(), site_code=site.code if site else "",
                 changes={"role": [None, role.value], "site": [None, site.code if site else "all sites"]})
    return membership


def _not_self(actor: Actor, user: User, what: AuditAction) -> None:
    if user.pk == actor.user.pk:
        with transaction.atomic():
            record_event(actor, what.refused(), "user", user.get_username(), site_code="",
                         reason="nobody changes their own roles or account")
        raise ActionRefused(_("nobody changes their own roles or account: ask another sponsor administrator"),
                            status=403)


def grant_role(actor: Actor, username: str, role: str, site_code: str | None) -> Membership:
    user = _account(username)
    _not_self(actor, user, AuditAction.ROLE_GRANT)
    parsed, site = _membership_target(role, site_code)
    with transaction.atomic():
        return _grant(actor, user, parsed, site)


def revoke_role(actor: Actor, username: str, role: str, site_code: str | None) -> None:
    user = _account(username)
    _not_self(actor, user, AuditAction.ROLE_REVOKE)
    parsed, site = _membership_target(role, site_code)
    with transaction.atomic():
        deleted, _kinds = Membership.objects.filter(user=user, site=site, role=parsed.value).delete()
        if not deleted:
            raise ActionRefused(_("%(name)s does not hold this role there") % {"name": user.get_username()},
                                status=409)
        record_event(actor, AuditAction.ROLE_REVOKE, "user", user.get_username(), site_code=site.code if site else "",
                     changes={"role": [parsed.value, None], "site": [site.code if site else "all sites", None]})


def deactivate(actor: Actor, username: str, reason: str) -> User:
    """The account stops working at once: its sessions and API tokens end with it."""
    user = _account(username)
    _not_self(actor, user, AuditAction.USER_DEACTIVATE)
    if not reason.strip():
        raise _field_error("reason", _("a reason is required to deactivate an account"))
    if not user.is_active and user.has_usable_password():
        raise ActionRefused(_("%(name)s is already deactivated") % {"name": user.get_username()}, status=409)
    with transaction.atomic():
        user.is_active = False
        # An unaccepted invitation must not bring the account back.
        Invitation.objects.filter(user=user, used_at__isnull=True, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now())
        user.save(update_fields=["is_active"])
        record_event(actor, AuditAction.USER_DEACTIVATE, "user", user.get_username(), site_code="", reason=reason.strip(),
                     changes={"is_active": [True, False]})
        end_all_sessions_and_tokens(actor, user, reason="account deactivated")
    return user


def reactivate(actor: Actor, username: str, reason: str) -> User:
    user = _account(username)
    _not_self(actor, user, AuditAction.USER_ACTIVATE)
    if not reason.strip():
        raise _field_error("reason", _("a reason is required to reactivate an account"))
    if user.is_active:
        raise ActionRefused(_("%(name)s is already active") % {"name": user.get_username()}, status=409)
    if not user.has_usable_password():
        raise ActionRefused(_("%(name)s has not accepted an invitation yet: invite again") % {"name": user.get_username()}, status=409)
    with transaction.atomic():
        user.is_active = True
        user.save(update_fields=["is_active"])
        record_event(actor, AuditAction.USER_ACTIVATE, "user", user.get_username(), site_code="", reason=reason.strip(),
                     changes={"is_active": [False, True]})
    return user


def change_language(actor: Actor, username: str, language: str) -> User:
    """The language the emails to `username` are written in: their own choice, or the administrator's."""
    user = _account(username)
    if language not in LANGUAGE_CODES:
        raise _field_error("language", _("choose French or English"))
    before = language_of(user)
    if before == language:
        return user
    with transaction.atomic():
        set_language(user, language)
        record_event(actor, AuditAction.USER_LANGUAGE, "user", user.get_username(), site_code="",
                     changes={"language": [before, language]})
    return user


def change_password(user: User, current: str, new: str, again: str, request_id: str = "") -> None:
    """The holder changes their password, giving the current one."""
    actor = self_actor(user, request_id)
    if not user.check_password(current):
        with transaction.atomic():
            record_event(actor, AuditAction.PASSWORD_CHANGE_REFUSED, "user", user.get_username(), site_code="",
                         reason="current password wrong")
        raise _field_error("current", _("the current password is wrong"), 403)
    if new == current:
        raise _field_error("new", _("the new password must differ from the current one"))
    _check_new_password(user, new, again, "new")
    with transaction.atomic():
        user.set_password(new)
        user.save(update_fields=["password"])
        record_event(actor, AuditAction.PASSWORD_CHANGE, "user", user.get_username(), site_code="")


def request_password_reset(email: str, link_for: Callable[[str, str], str], request_id: str = "") -> None:
    """Email a reset link to the active account with this address; says nothing about whether one exists."""
    User = get_user_model()
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = link_for(uid, default_token_generator.make_token(user))
    with transaction.atomic():
        record_event(self_actor(user, request_id), AuditAction.PASSWORD_RESET_REQUEST, "user", user.get_username(),
                     site_code="")
        language = language_of(user)
        transaction.on_commit(lambda: send_password_reset(user.email, link, settings.PASSWORD_RESET_TIMEOUT // 60,
                                                          language))


def reset_user(uidb64: str, token: str, request_id: str = "") -> User:
    """The account a reset link is for, if the link is still valid (it stops working once used)."""
    from django.utils.http import urlsafe_base64_decode

    User = get_user_model()
    try:
        user = User.objects.filter(pk=int(urlsafe_base64_decode(uidb64).decode())).first()
    except (ValueError, TypeError, UnicodeDecodeError):
        user = None
    if user is None or not user.is_active or not default_token_generator.check_token(user, token):
        if user is not None:
            with transaction.atomic():
                record_event(self_actor(user, request_id), AuditAction.PASSWORD_RESET_REFUSED, "user",
                             user.get_username(), site_code="", reason="reset link expired or already used")
        raise ActionRefused(_("this link has expired or was already used; ask for a new one"), status=410)
    return user


def reset_password(uidb64: str, token: str, new: str, again: str, request_id: str = "") -> User:
    user = reset_user(uidb64, token, request_id)
    _check_new_password(user, new, again, "new")
    with transaction.atomic():
        user.set_password(new)
        user.save(update_fields=["password"])
        record_event(self_actor(user, request_id), AuditAction.PASSWORD_RESET, "user", user.get_username(), site_code="")
        end_all_sessions_and_tokens(self_actor(user, request_id), user, reason="password reset", tokens=False)
    return user
