"""The site worklist: open queries, and forms still in draft, at the sites the user works at.

A blinded assessor sees only the forms the assessor enters, like everywhere else.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from equipoise.records.access import all_roles, visible_sites
from equipoise.records.models import DataQuery, FormRecord, FormState, QueryStatus
from equipoise.records.protocol_versions import current_version, protocol_of
from equipoise.records.roles import BLINDED

PROTOCOL_ID = "nct06965244"


def worklist(request: HttpRequest) -> HttpResponse:
    sites = visible_sites(request.user)
    queries = (DataQuery.objects.filter(record__subject__site__in=sites)
               .exclude(status=QueryStatus.CLOSED).select_related("record__subject", "record__visit"))
    drafts = (FormRecord.objects.filter(subject__site__in=sites, state=FormState.DRAFT)
              .select_related("subject", "visit"))
    if all_roles(request.user) & BLINDED:
        protocol = protocol_of(current_version(PROTOCOL_ID))
        assessor_forms = [f.id for f in protocol.forms if f.blinded_assessor]
        queries = queries.filter(record__form_id__in=assessor_forms)
        drafts = drafts.filter(form_id__in=assessor_forms)
    return render(request, "web/worklist.html", {"queries": queries, "drafts": drafts[:200]})
