"""Who may open the treatment and safety pages: site scoping plus the blinding policy, in one place.

Every page of this app shows arm-revealing data (the drug prescribed and dispensed, causality to
a named drug, lab-alert actions), so:

- a subject page starts with `records.access.subject_access` (404 and an audit event for a subject
  of another site) and then answers 404 to anyone the blinding policy keeps from the arm;
- a site-level page (worklist, dashboard) covers only the sites where a role the user holds may
  open the page (`records.permissions`) and may see arms; asking for another site is a 404, and a user with no such site
  gets 404 if blinded (the page must not even be known to exist for them) and 403 otherwise.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404

from equipoise.allocation.blinding import may_see_arm
from equipoise.records.access import Rights, all_roles, roles_at, subject_access, visible_sites
from equipoise.records.models import Site, Subject
from equipoise.records.permissions import Do, may
from equipoise.records.roles import BLINDED


def unblinded_subject(user: User, code: str, request_id: str = "") -> tuple[Subject, Rights]:
    """The subject and the caller's rights, or 404 (other site, or blinded to the arm)."""
    subject, rights = subject_access(user, code, request_id=request_id)
    if not may_see_arm(rights):
        raise Http404("no such page")
    return subject, rights


def site_scope(user: User, page: Do, site_code: str = "") -> list[Site]:
    """Sites a site-level page covers for `user` (where a role they hold there may open `page`, as
    `records.permissions` decides), optionally narrowed to one `site_code`."""
    sites = [s for s in visible_sites(user).order_by("code")
             if may(held := Rights(roles_at(user, s)), page) and may_see_arm(held)]
    if not sites:
        if all_roles(user) & BLINDED:
            raise Http404("no such page")
        raise PermissionDenied("this page is not for your role")
    if site_code:
        sites = [s for s in sites if s.code == site_code]
        if not sites:
            raise Http404("no such site")
    return sites
