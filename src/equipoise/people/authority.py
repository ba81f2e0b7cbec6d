"""Who may administer sites and accounts: the sponsor administrator, at sponsor level."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from equipoise.records.actions.errors import ActionRefused
from equipoise.records.actor import Actor
from equipoise.records.models import Membership
from equipoise.records.roles import Role


def is_sponsor_admin(user: User) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return Membership.objects.filter(user=user, site__isnull=True, role=Role.SPONSOR_ADMIN).exists()


def admin_actor(user: User, request_id: str = "") -> Actor:
    """The actor for an administration action, or a 403 refusal for anyone but the sponsor administrator."""
    if not is_sponsor_admin(user):
        raise ActionRefused(_("only the sponsor administrator manages sites and accounts"), status=403)
    return Actor(user=user, role=Role.SPONSOR_ADMIN.value, site_code="", request_id=request_id)
