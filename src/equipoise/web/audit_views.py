"""Browse the audit trail (data managers, monitors, sponsor administrators), filterable and printable."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from equipoise.records import code_labels
from equipoise.records.access import all_roles
from equipoise.records.loaded_protocols import loaded_protocol_ids
from equipoise.records.models import AuditEvent
from equipoise.records.protocol_versions import current_version, protocol_of
from equipoise.records.requests import SignedInRequest
from equipoise.records.roles import Role

AUDIT_READERS = {Role.DATA_MANAGER, Role.MONITOR, Role.SPONSOR_ADMIN}
EVENTS_PER_PAGE = 50  # a screenful an inspector reads; each row renders its changes in words


def audit_list(request: SignedInRequest) -> HttpResponse:
    if not all_roles(request.user) & AUDIT_READERS:
        raise PermissionDenied("the audit trail is for data managers, monitors and the sponsor")
    events = AuditEvent.objects.all().order_by("-sequence")
    filters = {k: request.GET.get(k, "").strip() for k in ("subject", "form", "user", "action", "date_from", "date_to")}
    if filters["subject"]:
        events = events.filter(subject_code=filters["subject"])
    if filters["form"]:
        events = events.filter(form_id=filters["form"])
    if filters["user"]:
        events = events.filter(username=filters["user"])
    if filters["action"]:
        # "two_factor." lists a whole family; "two_factor.failed" one kind of event.
        action = filters["action"]
        events = events.filter(action__startswith=action) if action.endswith(".") else events.filter(action=action)
    for key, lookup in (("date_from", "at__date__gte"), ("date_to", "at__date__lte")):
        if filters[key]:
            try:
                events = events.filter(**{lookup: dt.date.fromisoformat(filters[key])})
            except ValueError:
                filters[key] = ""
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    protocols = [protocol_of(current_version(p)) for p in loaded_protocol_ids()]
    actions = code_labels.action_choices()
    if filters["action"] and filters["action"] not in dict(actions):
        # a family ("two_factor.") or a name no longer recorded: offered as it was asked for
        actions.insert(0, (filters["action"], code_labels.action_family_label(filters["action"])))
    context = {"page": page, "filters": filters, "protocols": protocols, "actions": actions}
    return render(request, "web/audit_list.html", context)
