"""The site worklist: open queries, and forms still in draft, at the sites the user works at.

Only the forms the blinding policy lets the user open are listed (the blinded assessor: the
assessor's own forms), per protocol of the subjects at those sites. Both lists are paginated;
queries oldest first with their age, drafts grouped by subject (one line per subject).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from django.core.paginator import Paginator
from django.db.models import Count, Min, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language

from equipoise.allocation.blinding import open_forms
from equipoise.protocol.schema import Protocol
from equipoise.records.access import Rights, all_roles, visible_sites
from equipoise.records.models import DataQuery, FormRecord, FormState, QueryStatus, Subject
from equipoise.records.protocol_versions import current_version, protocol_of
from equipoise.records.requests import SignedInRequest
from equipoise.treatment.worklist import visit_label

PER_PAGE = 25


@dataclass(frozen=True)
class QueryRow:
    query: DataQuery
    form_title: str
    age: dt.timedelta  # since it was raised; shown in days and hours


@dataclass(frozen=True)
class DraftForm:
    record: FormRecord
    visit: str
    title: str


def openable_forms(rights: Rights, sites) -> Q:
    """Records, by subject protocol and form id, of the forms a holder of `rights` may open."""
    protocol_ids = (Subject.objects.filter(site__in=sites).order_by()  # no ORDER BY code: one row per protocol
                    .values_list("protocol_id", flat=True).distinct())
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
    lang = get_language() or "fr"

    @cache
    def protocol(protocol_id: str) -> Protocol:
        return protocol_of(current_version(protocol_id))

    queries = (DataQuery.objects.filter(record__in=records).exclude(status=QueryStatus.CLOSED)
               .select_related("record__subject", "record__visit").order_by("raised_at", "id"))
    now = timezone.now()
    query_page = Paginator(queries, PER_PAGE).get_page(request.GET.get("queries_page"))
    query_rows = [QueryRow(q, protocol(q.record.subject.protocol_id).form(q.record.form_id).title.get(lang),
                           now - q.raised_at) for q in query_page]
    drafts = records.filter(state=FormState.DRAFT)
    groups = (drafts.values("subject_id", "subject__code").annotate(n=Count("pk"), oldest=Min("updated_at"))
              .order_by("subject__code"))
    draft_page = Paginator(groups, PER_PAGE).get_page(request.GET.get("drafts_page"))
    forms: dict[int, list[DraftForm]] = defaultdict(list)
    for record in (drafts.filter(subject_id__in=[g["subject_id"] for g in draft_page])
                   .select_related("visit", "subject").defer("data", "derived")
                   .order_by("visit__sequence", "visit_id", "form_id")):
        p = protocol(record.subject.protocol_id)
        forms[record.subject_id].append(DraftForm(record, visit_label(p, record.visit, lang),
                                                  p.form(record.form_id).title.get(lang)))
    draft_rows = [{**group, "forms": forms[group["subject_id"]]} for group in draft_page]
    return render(request, "web/worklist.html", {"queries": query_page, "query_rows": query_rows,
                                                 "drafts": draft_page, "draft_rows": draft_rows})
