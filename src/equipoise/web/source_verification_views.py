"""The monitor's list of forms awaiting source data verification, paginated, oldest change first.

A form awaits verification once the site has completed it (complete or locked) while its values
were never verified, or changed since. Verifying is done on the form's page, values in view
(`form_views`, action `verify`). Only the forms the blinding policy lets the monitor open are listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from equipoise.protocol.schema import Protocol
from equipoise.records.access import Rights, all_roles, visible_sites
from equipoise.records.actions.data_lock import visit_label
from equipoise.records.models import FormRecord, FormState, VerificationState
from equipoise.records.permissions import Do, may
from equipoise.records.protocol_versions import current_version, protocol_of
from equipoise.records.requests import SignedInRequest
from equipoise.web.worklist_views import openable_forms

PER_PAGE = 25


def awaiting_verification(rights: Rights, sites) -> QuerySet[FormRecord]:
    """Completed forms at `sites` whose current values no monitor has verified."""
    return (FormRecord.objects.filter(openable_forms(rights, sites), subject__site__in=sites)
            .exclude(state=FormState.DRAFT)
            .filter(Q(verification__isnull=True) | ~Q(verification__state=VerificationState.VERIFIED)))


@dataclass(frozen=True)
class Row:
    record: FormRecord
    visit: str
    title: str


def verification_list(request: SignedInRequest) -> HttpResponse:
    rights = Rights(all_roles(request.user))
    if not may(rights, Do.VERIFY_SOURCE_DATA):
        raise PermissionDenied("source data verification is the monitor's")
    sites = list(visible_sites(request.user))
    site_code = request.GET.get("site", "")
    records = awaiting_verification(rights, sites)
    if site_code:
        records = records.filter(subject__site__code=site_code)
    records = (records.select_related("subject", "visit", "verification")
               .order_by("updated_at", "id"))
    page = Paginator(records, PER_PAGE).get_page(request.GET.get("page"))
    lang = get_language() or "fr"

    @cache
    def protocol(protocol_id: str) -> Protocol:
        return protocol_of(current_version(protocol_id))

    rows = [Row(r, visit_label(protocol(r.subject.protocol_id), r.visit, lang),
                protocol(r.subject.protocol_id).form(r.form_id).title.get(lang)) for r in page]
    return render(request, "web/source_verification.html", {
        "page": page, "rows": rows, "sites": sites, "site_code": site_code})
