"""The site worklist: open queries, and forms still in draft, at the sites the user works at.

Both lists are paginated; drafts are grouped by subject (one line per subject with its draft
forms). A blinded assessor sees only the forms the assessor enters, like everywhere else.
"""

from __future__ import annotations

from collections import defaultdict

from django.core.paginator import Paginator
from django.db.models import Count, Min
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language

from equipoise.records.access import all_roles, visible_sites
from equipoise.records.models import DataQuery, FormRecord, FormState, QueryStatus
from equipoise.records.protocol_versions import current_version, protocol_of
from equipoise.records.roles import BLINDED
from equipoise.treatment.worklist import visit_label

PROTOCOL_ID = "nct06965244"
PER_PAGE = 25


def worklist(request: HttpRequest) -> HttpResponse:
    sites = visible_sites(request.user)
    protocol = protocol_of(current_version(PROTOCOL_ID))
    lang = get_language() or "fr"
    queries = (DataQuery.objects.filter(record__subject__site__in=sites)
               .exclude(status=QueryStatus.CLOSED).select_related("record__subject", "record__visit"))
    drafts = FormRecord.objects.filter(subject__site__in=sites, state=FormState.DRAFT)
    if all_roles(request.user) & BLINDED:
        assessor_forms = [f.id for f in protocol.forms if f.blinded_assessor]
        queries = queries.filter(record__form_id__in=assessor_forms)
        drafts = drafts.filter(form_id__in=assessor_forms)
    now = timezone.now()
    query_page = Paginator(queries.order_by("raised_at", "id"), PER_PAGE).get_page(request.GET.get("queries_page"))
    for q in query_page:
        q.age_days = (now - q.raised_at).days
        q.form_title = protocol.form(q.record.form_id).title.get(lang)
    groups = (drafts.values("subject_id", "subject__code").annotate(n=Count("pk"), oldest=Min("updated_at"))
              .order_by("subject__code"))
    draft_page = Paginator(groups, PER_PAGE).get_page(request.GET.get("drafts_page"))
    forms: dict[int, list[dict]] = defaultdict(list)
    for record in (drafts.filter(subject_id__in=[g["subject_id"] for g in draft_page]).select_related("visit")
                   .order_by("visit__sequence", "visit_id", "form_id")):
        forms[record.subject_id].append({
            "record": record, "visit": visit_label(protocol, record.visit, lang),
            "title": protocol.form(record.form_id).title.get(lang)})
    for group in draft_page:
        group["forms"] = forms[group["subject_id"]]
    return render(request, "web/worklist.html", {"queries": query_page, "drafts": draft_page})
