"""The site worklist: open queries, and forms still in draft, at the sites the user works at.

Only the forms the blinding policy lets the user open are listed (the blinded assessor: the
assessor's own forms), per protocol of the subjects at those sites.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render

from equipoise.allocation.blinding import open_forms
from equipoise.records.access import Rights, all_roles, visible_sites
from equipoise.records.models import DataQuery, FormRecord, FormState, QueryStatus, Subject
from equipoise.records.protocol_versions import current_version, protocol_of
from equipoise.records.requests import SignedInRequest


def openable_forms(rights: Rights, sites) -> Q:
    """Records, by subject protocol and form id, of the forms a holder of `rights` may open."""
    protocol_ids = Subject.objects.filter(site__in=sites).values_list("protocol_id", flat=True).distinct()
    shown = Q(pk__in=[])
    for protocol_id in protocol_ids:
        protocol = protocol_of(current_version(protocol_id))
        form_ids = [form.id for form in open_forms(rights, protocol.forms)]
        shown |= Q(subject__protocol_id=protocol_id, form_id__in=form_ids)
    return shown


def worklist(request: SignedInRequest) -> HttpResponse:
    sites = visible_sites(request.user)
    shown = openable_forms(Rights(all_roles(request.user)), sites)
    records = FormRecord.objects.filter(shown, subject__site__in=sites)
    queries = (DataQuery.objects.filter(record__in=records)
               .exclude(status=QueryStatus.CLOSED).select_related("record__subject", "record__visit"))
    drafts = records.filter(state=FormState.DRAFT).select_related("subject", "visit")
    return render(request, "web/worklist.html", {"queries": queries, "drafts": drafts[:200]})
