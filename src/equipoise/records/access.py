"""Who may see and touch which subject: the one access helper every view and API route calls.

`subject_access` returns the subject and the caller's rights, answers 404 (and leaves an audit
event) for a subject of a site the caller has no role at, and 403 when a write is asked of a
read-only role. Blinding is part of the rights, decided here once.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404

from equipoise.records.actor import Actor
from equipoise.records.audit import record_event
from equipoise.records.audit_actions import AuditAction
from equipoise.records.models import Membership, Site, Subject
from equipoise.records.roles import BLINDED, DATA_ENTRY, REVIEWERS, SPONSOR_LEVEL, Role


@dataclass(frozen=True)
class Rights:
    roles: frozenset[Role]

    @property
    def can_enter_data(self) -> bool:
        return bool(self.roles & DATA_ENTRY)

    @property
    def can_review(self) -> bool:
        return bool(self.roles & REVIEWERS)

    @property
    def blinded(self) -> bool:
        """Conservative: anyone holding a blinded role is treated as blinded everywhere."""
        return bool(self.roles & BLINDED)

    @property
    def primary_role(self) -> Role:
        order = [Role.BLINDED_ASSESSOR, Role.INVESTIGATOR, Role.PHARMACIST, Role.DATA_MANAGER,
                 Role.MONITOR, Role.STATISTICIAN, Role.SPONSOR_ADMIN]
        return next(r for r in order if r in self.roles)


def roles_at(user: User, site: Site) -> frozenset[Role]:
    if not user.is_authenticated:
        return frozenset()
    rows = Membership.objects.filter(user=user).values_list("site_id", "role")
    return frozenset(
        Role(role) for site_id, role in rows
        if site_id == site.pk or (site_id is None and Role(role) in SPONSOR_LEVEL)
    )


def all_roles(user: User) -> frozenset[Role]:
    if not user.is_authenticated:
        return frozenset()
    return frozenset(Role(r) for r in Membership.objects.filter(user=user).values_list("role", flat=True))


def visible_sites(user: User) -> QuerySet[Site]:
    memberships = Membership.objects.filter(user=user)
    if memberships.filter(site__isnull=True, role__in=[r.value for r in SPONSOR_LEVEL]).exists():
        return Site.objects.all()
    return Site.objects.filter(pk__in=memberships.values("site_id"))


def visible_subjects(user: User) -> QuerySet[Subject]:
    return Subject.objects.filter(site__in=visible_sites(user)).select_related("site")


def actor_for(user: User, rights: Rights, site: Site | None, request_id: str = "") -> Actor:
    return Actor(user=user, role=rights.primary_role.value, site_code=site.code if site else "",
                 request_id=request_id)


def _deny(user: User, obj_type: str, obj_id: str, site: Site, request_id: str,
          subject_code: str = "") -> Http404:
    """Leave an audit event for an attempt on another site's data; the caller raises the 404."""
    with transaction.atomic(durable=True):
        record_event(
            Actor(user=user, role=",".join(sorted(all_roles(user))), site_code="", request_id=request_id),
            AuditAction.ACCESS_DENIED, obj_type, obj_id, subject_code=subject_code, site_code=site.code,
            reason=f"no role at the {obj_type}'s site",
        )
    return Http404(f"no such {obj_type}")


def _rights(roles: frozenset[Role], write: bool) -> Rights:
    rights = Rights(roles)
    if write and not rights.can_enter_data:
        raise PermissionDenied("read-only access")
    return rights


def subject_access(
    user: User, code: str, *, write: bool = False, request_id: str = ""
) -> tuple[Subject, Rights]:
    """The subject and the caller's rights there: 404 (audited) for another site, 403 for a read-only write."""
    subject = Subject.objects.select_related("site").filter(code=code).first()
    if subject is None:
        raise Http404("no such subject")
    roles = roles_at(user, subject.site)
    if not roles:
        raise _deny(user, "subject", subject.code, subject.site, request_id, subject_code=subject.code)
    return subject, _rights(roles, write)


def site_access(
    user: User, code: str, *, write: bool = False, request_id: str = ""
) -> tuple[Site, Rights]:
    """The same answers as `subject_access`, for a whole site (creating subjects, site lists)."""
    site = Site.objects.filter(code=code).first()
    if site is None:
        raise Http404("no such site")
    roles = roles_at(user, site)
    if not roles:
        raise _deny(user, "site", site.code, site, request_id)
    return site, _rights(roles, write)
