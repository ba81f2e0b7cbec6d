"""Sites: added by the sponsor administrator, then opened and closed for recruitment.

Randomization strata are built from the sites in the database (`allocation.stratum`), and the
public page lists them with their recruitment, so both follow these actions.
"""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from equipoise.records.actions.errors import ActionRefused, FieldError
from equipoise.records.actor import Actor
from equipoise.records.audit import record_event
from equipoise.records.audit_actions import AuditAction
from equipoise.records.models import Site, SiteRecruitment

FIELD_NAMES = {"name": N_("Name"), "city": N_("City"), "principal_investigator": N_("Principal investigator")}
SITE_CODE = re.compile(r"^[A-Z0-9]{2,8}$")


def _required(name: str, value: str, limit: int) -> str:
    value = value.strip()
    if not value:
        raise ActionRefused(_("%(field)s is required") % {"field": _(FIELD_NAMES[name])}, [FieldError(name, "required", f"{name} is required")])
    if len(value) > limit:
        raise ActionRefused(_("%(field)s must be at most %(limit)s characters") % {"field": _(FIELD_NAMES[name]), "limit": limit},
                            [FieldError(name, "max_length", f"at most {limit} characters")])
    return value


def add_site(actor: Actor, code: str, name: str, city: str, principal_investigator: str) -> Site:
    """A new site, not yet open for recruitment."""
    code = code.strip().upper()
    if not SITE_CODE.match(code):
        raise ActionRefused(_("the site code %(code)s must be 2 to 8 capital letters or digits") % {"code": code},
                            [FieldError("code", "pattern", "2 to 8 capital letters or digits")])
    name = _required("name", name, 200)
    city = _required("city", city, 100)
    principal_investigator = _required("principal_investigator", principal_investigator, 200)
    with transaction.atomic():
        if Site.objects.filter(code=code).exists():
            raise ActionRefused(_("a site with code %(code)s already exists") % {"code": code}, status=409)
        site = Site.objects.create(code=code, name=name, city=city, principal_investigator=principal_investigator,
                                   recruitment=SiteRecruitment.NOT_YET)
        record_event(actor, AuditAction.SITE_CREATE, "site", site.code, site_code=site.code, changes={
            "code": [None, code], "name": [None, name], "city": [None, city],
            "principal_investigator": [None, principal_investigator],
            "recruitment": [None, SiteRecruitment.NOT_YET.value]})
    return site


def _set_recruitment(actor: Actor, code: str, target: SiteRecruitment, allowed_from: set[str],
                     action: AuditAction, reason: str) -> Site:
    with transaction.atomic():
        site = Site.objects.select_for_update().filter(code=code).first()
        if site is None:
            raise ActionRefused(_("no site %(code)s") % {"code": code}, status=404)
        if site.recruitment == target:
            raise ActionRefused(_("site %(code)s is already: %(state)s") % {"code": site.code, "state": site.get_recruitment_display()}, status=409)
        if site.recruitment not in allowed_from:
            raise ActionRefused(_("site %(code)s is %(state)s; it cannot change to %(target)s") % {
                "code": site.code, "state": site.get_recruitment_display(), "target": SiteRecruitment(target).label}, status=409)
        old = site.recruitment
        site.recruitment = target
        site.save(update_fields=["recruitment"])
        record_event(actor, action, "site", site.code, site_code=site.code, reason=reason.strip(),
                     changes={"recruitment": [old, target.value]})
    return site


def open_site(actor: Actor, code: str, reason: str = "") -> Site:
    """Open a site for recruitment (also reopens a closed one)."""
    return _set_recruitment(actor, code, SiteRecruitment.RECRUITING,
                            {SiteRecruitment.NOT_YET, SiteRecruitment.CLOSED}, AuditAction.SITE_OPEN, reason)


def close_site(actor: Actor, code: str, reason: str = "") -> Site:
    """Close a site to recruitment; its patients' follow-up goes on."""
    return _set_recruitment(actor, code, SiteRecruitment.CLOSED,
                            {SiteRecruitment.RECRUITING, SiteRecruitment.NOT_YET}, AuditAction.SITE_CLOSE, reason)
