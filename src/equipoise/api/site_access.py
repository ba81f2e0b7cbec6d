"""Access to a whole site (creating subjects, filtering lists), with the same answers as
`records.access.subject_access`: 404 plus an `access.denied` audit event for a site the caller
holds no role at, 403 when a write is asked of a read-only role.

This belongs next to `subject_access` in records/access.py; it lives here until the records
layer takes it over.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404

from equipoise.records.access import Rights, all_roles, roles_at
from equipoise.records.actor import Actor
from equipoise.records.audit import record_event
from equipoise.records.models import Site


def site_access(
    user: AbstractBaseUser, code: str, *, write: bool = False, request_id: str = ""
) -> tuple[Site, Rights]:
    site = Site.objects.filter(code=code).first()
    if site is None:
        raise Http404(f"no such site {code!r} among yours")
    roles = roles_at(user, site)
    if not roles:
        with transaction.atomic():
            record_event(
                Actor(user=user, role=",".join(sorted(all_roles(user))), site_code="", request_id=request_id),
                "access.denied", "site", site.code, site_code=site.code, reason="no role at the site",
            )
        raise Http404(f"no such site {code!r} among yours")
    rights = Rights(roles)
    if write and not rights.can_enter_data:
        raise PermissionDenied("read-only access")
    return site, rights
