"""Sessions a person is signed in with, ended by themselves or, for a deactivated account, by an administrator."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from equipoise.people.models import UserSession
from equipoise.records.actions.errors import ActionRefused
from equipoise.records.actor import Actor
from equipoise.records.audit import record_event
from equipoise.records.audit_actions import AuditAction
from equipoise.records.models import ApiToken


def active_sessions(user: User) -> list[UserSession]:
    """The user's sessions that have not expired or ended (stale entries are dropped from the answer)."""
    tracked = list(UserSession.objects.filter(user=user))
    live = set(Session.objects.filter(session_key__in=[s.session_key for s in tracked],
                                      expire_date__gt=timezone.now()).values_list("session_key", flat=True))
    return [s for s in tracked if s.session_key in live]


def end_session(actor: Actor, user: User, session_id: int) -> None:
    """End one of `user`'s sessions (a person ends their own; see `end_all_sessions_and_tokens`)."""
    with transaction.atomic():
        tracked = UserSession.objects.filter(pk=session_id, user=user).first()
        if tracked is None:
            raise ActionRefused(_("no such session"), status=404)
        Session.objects.filter(session_key=tracked.session_key).delete()
        tracked.delete()
        record_event(actor, AuditAction.SESSION_END, "user", user.get_username(), site_code="",
                     changes={"session_started_at": [tracked.started_at.isoformat(), None]})


def end_all_sessions_and_tokens(actor: Actor, user: User, reason: str, tokens: bool = True) -> None:
    """Every session (and API token) of `user` stops working now; must run in the caller's transaction."""
    with transaction.atomic():
        keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
        Session.objects.filter(session_key__in=keys).delete()
        UserSession.objects.filter(user=user).delete()
        labels = list(ApiToken.objects.filter(user=user).values_list("label", flat=True)) if tokens else []
        if tokens:
            ApiToken.objects.filter(user=user).delete()
        record_event(actor, AuditAction.SESSION_END_ALL, "user", user.get_username(), site_code="", reason=reason,
                     changes={"sessions": [len(keys), 0], "api_tokens": [labels, []]} if tokens
                     else {"sessions": [len(keys), 0]})
