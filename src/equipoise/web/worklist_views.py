"""The site worklist: open queries, and forms still in draft, at the sites the user works at."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from equipoise.records.access import visible_sites
from equipoise.records.models import DataQuery, FormRecord, FormState, QueryStatus


def worklist(request: HttpRequest) -> HttpResponse:
    sites = visible_sites(request.user)
    queries = (DataQuery.objects.filter(record__subject__site__in=sites)
               .exclude(status=QueryStatus.CLOSED).select_related("record__subject", "record__visit"))
    drafts = (FormRecord.objects.filter(subject__site__in=sites, state=FormState.DRAFT)
              .select_related("subject", "visit"))[:200]
    return render(request, "web/worklist.html", {"queries": queries, "drafts": drafts})
