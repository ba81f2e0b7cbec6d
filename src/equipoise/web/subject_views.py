"""Subjects: the list, one subject's page, creating a subject. Every view starts with the access helper."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_POST

from equipoise.allocation.blinding import open_forms
from equipoise.allocation.panel import subject_panel
from equipoise.protocol.schema import Protocol
from equipoise.records.access import (
    Rights,
    actor_for,
    all_roles,
    roles_at,
    site_access,
    subject_access,
    visible_sites,
    visible_subjects,
)
from equipoise.records.actions.errors import ActionRefused, FieldError
from equipoise.records.actions.subjects import (
    AFTER_RANDOMIZATION,
    BEFORE_RANDOMIZATION,
    create_subject,
    end_participation,
)
from equipoise.records.confirmation import CONFIRM_FIELD, confirmed
from equipoise.records.loaded_protocols import loaded_protocol_ids, protocol_for_new_subject
from equipoise.records.models import (
    DataQuery,
    EndOutcome,
    FormRecord,
    QueryStatus,
    SiteRecruitment,
    Subject,
    SubjectStatus,
)
from equipoise.records.permissions import Do, may
from equipoise.records.protocol_versions import current_version, protocol_of
from equipoise.records.requests import SignedInRequest
from equipoise.records.roles import BLINDED
from equipoise.treatment.actions.death import record_death
from equipoise.treatment.panel import render_subject_panel
from equipoise.treatment.rejected import RejectedForm, rejected_form
from equipoise.visits.localtime import trial_date
from equipoise.web.subject_search import NEXT_VISIT_FILTERS, SubjectQuery, subject_rows

PER_PAGE = 50


@dataclass(frozen=True)
class ListedSubject:
    subject: Any  # a Subject annotated by `subject_rows`
    next_visit_label: str


def visit_label_of(protocol, visit_id: str, scheduled: bool, lang: str) -> str:
    if not scheduled:
        return gettext("Unscheduled visit")
    return protocol.visit(visit_id).label.get(lang)


def subject_list(request: SignedInRequest) -> HttpResponse:
    sites = list(visible_sites(request.user))
    # A new patient is screened only at a site open for recruitment, by the investigator.
    creatable = [s for s in sites if may(Rights(roles_at(request.user, s)), Do.CREATE_SUBJECT)
                 and s.recruitment == SiteRecruitment.RECRUITING]
    query = SubjectQuery.from_params(request.GET, sites)
    today = trial_date(timezone.now())
    blinded = bool(all_roles(request.user) & BLINDED)
    listed = subject_rows(visible_subjects(request.user), query, today, with_queries=not blinded)
    page = Paginator(listed, PER_PAGE).get_page(request.GET.get("page"))
    lang = get_language() or "fr"

    @cache
    def protocol(protocol_id: str) -> Protocol:
        return protocol_of(current_version(protocol_id))

    annotated: list[Any] = list(page)  # Subjects annotated by `subject_rows`
    rows = [ListedSubject(s, visit_label_of(protocol(s.protocol_id), s.next_visit_id, s.next_visit_scheduled, lang)
                          if s.next_visit_id else "") for s in annotated]
    return render(request, "web/subject_list.html", {
        "page": page, "rows": rows, "query": query, "sites": sites, "creatable_sites": creatable, "today": today,
        "protocols": loaded_protocol_ids() if creatable else [],
        "statuses": SubjectStatus.choices, "next_visit_filters": NEXT_VISIT_FILTERS.items(),
        "with_queries": not blinded,
    })


@require_POST
def subject_create(request: SignedInRequest) -> HttpResponse:
    site, rights = site_access(request.user, request.POST.get("site", ""), write=True, request_id=request.request_id)
    if not may(rights, Do.CREATE_SUBJECT):
        raise PermissionDenied("only the investigator creates subjects")
    try:
        protocol_id = protocol_for_new_subject(request.POST.get("protocol") or None, loaded_protocol_ids())
        subject = create_subject(actor_for(request.user, rights, site, request.request_id), site, protocol_id)
    except ActionRefused as exc:
        messages.error(request, str(exc))
        return redirect("subjects")
    messages.success(request, gettext("Subject %(code)s created at %(site)s: screening can start.")
                     % {"code": subject.code, "site": site.code})
    return redirect("subject", code=subject.code)


def subject_detail(request: SignedInRequest, code: str) -> HttpResponse:
    subject, rights = subject_access(request.user, code, request_id=request.request_id)
    return _detail_page(request, subject, rights)


def _detail_page(request: SignedInRequest, subject: Subject, rights: Rights,
                 rejected: RejectedForm | None = None, status: int = 200) -> HttpResponse:
    protocol = protocol_of(current_version(subject.protocol_id))
    lang = get_language() or "fr"
    records = {(r.visit_id, r.form_id): r for r in FormRecord.objects.filter(subject=subject)}
    visits = []
    for visit in subject.visits.all():
        form_ids = (protocol.visit(visit.visit_id).forms if visit.scheduled else protocol.schedule.unscheduled_forms)
        forms = [{"id": form.id, "title": form.title.get(lang), "record": records.get((visit.pk, form.id))}
                 for form in open_forms(rights, (protocol.form(form_id) for form_id in form_ids))]
        label = protocol.visit(visit.visit_id).label.get(lang) if visit.scheduled else visit.visit_id
        visits.append({"visit": visit, "label": label, "forms": forms})
    queries = DataQuery.objects.filter(record__subject=subject, status__in=[QueryStatus.OPEN, QueryStatus.ANSWERED])
    return render(request, "web/subject_detail.html", {
        "subject": subject, "rights": rights, "visits": visits, "queries": queries,
        "end_outcomes": [(o.value, o.label) for o in EndOutcome
                         if o.value in (AFTER_RANDOMIZATION if subject.status == SubjectStatus.RANDOMIZED
                                        else BEFORE_RANDOMIZATION)],
        "allocation_panel": subject_panel(request, subject, rights),
        "treatment_panel": render_subject_panel(request, subject, rights),
        "today": trial_date(timezone.now()), "rejected": rejected,
    }, status=status)


END_INPUTS = ("outcome", "ended_on", "reason", "causality", CONFIRM_FIELD)


@require_POST
def subject_end_participation(request: SignedInRequest, code: str) -> HttpResponse:
    """Record the end; refused, the subject's page again with the form as typed and each error
    beside its input (the refusal's status), nothing changed."""
    subject, rights = subject_access(request.user, code, write=True, request_id=request.request_id)
    actor = actor_for(request.user, rights, subject.site, request.request_id)
    outcome = request.POST.get("outcome", "")
    reason = request.POST.get("reason", "")
    try:
        if not confirmed(request.POST):
            text = gettext("Nothing was done: tick the box to confirm the end of participation.")
            raise ActionRefused(text, [FieldError(CONFIRM_FIELD, "required", text)])
        try:
            ended_on = dt.date.fromisoformat(request.POST.get("ended_on", ""))
        except ValueError:
            text = gettext("Pick the date the participation ended.")
            raise ActionRefused(text, [FieldError("ended_on", "date", text)]) from None
        if outcome == EndOutcome.DEATH:
            _, event, opened = record_death(actor, subject, ended_on, reason, request.POST.get("causality", ""))
            messages.success(request, gettext("Death recorded; a serious adverse event was opened (report it to the "
                                        "sponsor within 24 hours).") if opened else
                             gettext("Death recorded with the serious adverse event already reported."))
        else:
            end_participation(actor, subject, outcome, ended_on, reason)
            messages.success(request, gettext("End of participation recorded."))
    except ActionRefused as exc:
        if exc.status == 403:
            raise PermissionDenied(str(exc)) from None
        french = (get_language() or "fr").startswith("fr")
        subject.refresh_from_db()
        return _detail_page(request, subject, rights,
                            rejected_form("end-participation", None, request.POST, END_INPUTS, exc, french),
                            status=exc.status)
    return redirect("subject", code=code)
