"""The data manager's locking page: forms awaiting lock by site, subject and visit; lock and unlock.

Subjects are paginated; each page reads the site totals, the page's subjects and their visits in
one grouped query each, whatever the trial's size. Every lock and unlock asks for a confirmation
that says what will happen (a ticked box, `records.confirmation`, inside a `<details>` that opens
on the first press), unlocking asks for a reason, and the result is a message on the page. The acts are `records.actions.data_lock`.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext, ngettext

from equipoise.protocol.schema import Protocol
from equipoise.records.access import Rights, all_roles, site_access, subject_access, visible_sites
from equipoise.records.actions import data_lock
from equipoise.records.actions.errors import ActionRefused
from equipoise.records.actor import Actor
from equipoise.records.confirmation import confirmed
from equipoise.records.models import FormRecord, FormState, Visit
from equipoise.records.permissions import Do, may
from equipoise.records.protocol_versions import current_version, protocol_of
from equipoise.records.requests import SignedInRequest
from equipoise.records.roles import Role

PER_PAGE = 20
COUNTS = {
    "draft": Count("pk", filter=Q(state=FormState.DRAFT)),
    "complete": Count("pk", filter=Q(state=FormState.COMPLETE)),
    "locked": Count("pk", filter=Q(state=FormState.LOCKED)),
}
SHOW = {"awaiting": Q(complete__gt=0), "locked": Q(locked__gt=0)}


def _require_data_manager(request: SignedInRequest) -> Rights:
    rights = Rights(all_roles(request.user))
    if not may(rights, Do.LOCK_DATA):
        raise PermissionDenied("locking data is the data manager's")
    return rights


def data_lock_page(request: SignedInRequest) -> HttpResponse:
    _require_data_manager(request)
    sites = list(visible_sites(request.user))
    site_code = request.GET.get("site", "")
    show = request.GET.get("show", "awaiting")
    if show not in SHOW:
        show = "awaiting"
    records = FormRecord.objects.filter(subject__site__in=sites)
    site_rows = list(records.values("subject__site__code").order_by("subject__site__code").annotate(**COUNTS))
    if site_code:
        records = records.filter(subject__site__code=site_code)
    subjects = (records.values("subject_id", "subject__code", "subject__protocol_id").annotate(**COUNTS)
                .filter(SHOW[show]).order_by("subject__code"))
    page = Paginator(subjects, PER_PAGE).get_page(request.GET.get("page"))
    lang = get_language() or "fr"

    @cache
    def protocol(protocol_id: str) -> Protocol:
        return protocol_of(current_version(protocol_id))

    visits: dict[int, list[dict[str, Any]]] = defaultdict(list)
    protocol_of_subject = {row["subject_id"]: row["subject__protocol_id"] for row in page}
    for row in (FormRecord.objects.filter(subject_id__in=list(protocol_of_subject))
                .values("subject_id", "visit_id", "visit__visit_id", "visit__scheduled", "visit__attempt")
                .annotate(**COUNTS).order_by("subject_id", "visit__sequence", "visit_id")):
        shown = Visit(visit_id=row["visit__visit_id"], scheduled=row["visit__scheduled"],
                      attempt=row["visit__attempt"])
        label = data_lock.visit_label(protocol(protocol_of_subject[row["subject_id"]]), shown, lang)
        visits[row["subject_id"]].append({**row, "label": label})
    rows = [{**subject, "visits": visits[subject["subject_id"]]} for subject in page]
    return render(request, "web/data_lock.html", {
        "site_rows": site_rows, "page": page, "rows": rows, "site_code": site_code, "show": show,
        "sites": sites,
    })


def data_lock_action(request: SignedInRequest, kind: str, action: str, code: str = "",
                     pk: int | None = None) -> HttpResponse:
    """POST: lock or unlock (`action`) the forms of a visit (`pk`), a subject or a site (`code`)."""
    if request.method != "POST" or action not in ("lock", "unlock"):
        raise Http404()
    _require_data_manager(request)
    user, request_id = request.user, request.request_id
    if kind == "site":
        site, _rights = site_access(user, code, request_id=request_id)
        scope = data_lock.site_scope(site)
    elif kind == "subject":
        subject, _rights = subject_access(user, code, request_id=request_id)
        site, scope = subject.site, data_lock.subject_scope(subject)
    elif kind == "visit":
        visit = Visit.objects.select_related("subject__site").filter(pk=pk or 0).first()
        if visit is None:
            raise Http404("no such visit")
        subject, _rights = subject_access(user, visit.subject.code, request_id=request_id)
        site, scope = subject.site, data_lock.visit_scope(visit)
    else:
        raise Http404()
    actor = Actor(user=user, role=Role.DATA_MANAGER.value, site_code=site.code, request_id=request_id)
    if not confirmed(request.POST):
        messages.error(request, gettext("Nothing was done: tick the box to confirm."))
        return _back(request)
    try:
        if action == "lock":
            done = data_lock.lock(actor, scope)
            messages.success(request, ngettext("%(n)d form of %(scope)s locked.", "%(n)d forms of %(scope)s locked.",
                                               done.count) % {"n": done.count, "scope": scope.name})
        else:
            done = data_lock.unlock(actor, scope, request.POST.get("reason", ""))
            messages.success(request, ngettext(
                "%(n)d form of %(scope)s unlocked: it is complete again and the site may reopen it.",
                "%(n)d forms of %(scope)s unlocked: they are complete again and the site may reopen them.",
                done.count) % {"n": done.count, "scope": scope.name})
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    return _back(request)


def _back(request: SignedInRequest) -> HttpResponse:
    """Back to the page the button was on (its filters and page kept), or to the locking page."""
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("data-lock")
