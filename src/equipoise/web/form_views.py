"""One form of one subject at one visit: view, save with a reason, complete, reopen, lock, query."""

from __future__ import annotations

import datetime as dt
import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext

from equipoise.allocation.blinding import may_open_form
from equipoise.records.access import actor_for, subject_access
from equipoise.records.actions import forms as form_actions
from equipoise.records.actions import queries as query_actions
from equipoise.records.actions import source_verification
from equipoise.records.actions.errors import ActionRefused
from equipoise.records.actor import Actor
from equipoise.records.confirmation import confirmed
from equipoise.records.field_messages import field_message
from equipoise.records.models import DataQuery, FormRecord, FormState, Visit
from equipoise.records.permissions import Do, entry_permission, may
from equipoise.records.protocol_versions import current_version, protocol_of
from equipoise.records.requests import SignedInRequest
from equipoise.records.roles import Role
from equipoise.treatment.rejected import RejectedForm, rejected_form
from equipoise.visits.localtime import NotALocalTime, from_local_input, local_input_value
from equipoise.web import clasi_views


def _context(request: SignedInRequest, code: str, visit_pk: int, form_id: str, write: bool):
    subject, rights = subject_access(request.user, code, write=write, request_id=request.request_id)
    visit = Visit.objects.filter(pk=visit_pk, subject=subject).first()
    protocol = protocol_of(current_version(subject.protocol_id))
    if visit is None or form_id not in {f.id for f in protocol.forms}:
        raise Http404("no such form")
    form = protocol.form(form_id)
    if not may_open_form(rights, form):
        raise Http404("no such form")
    record = FormRecord.objects.filter(visit=visit, form_id=form_id).first()
    return subject, rights, visit, protocol, form, record


YES_TEXT = ("true", "yes", "1", "on")
NO_TEXT = ("false", "no", "0", "off")


def _shown(field, value):
    """A value as the page shows it, whether it was saved (typed Python) or just typed (text).

    Yes/no answers become "true"/"false" either way, so a refused save shows the answer the user
    chose; instrument records are shown and posted back as JSON text.
    """
    if field.type == "bool":
        if value is True or (isinstance(value, str) and value.strip().lower() in YES_TEXT):
            return "true"
        if value is False or (isinstance(value, str) and value.strip().lower() in NO_TEXT):
            return "false"
        return ""
    if field.type == "instrument" and value is not None and not isinstance(value, str):
        return json.dumps(value)
    if field.type == "datetime" and isinstance(value, str):
        return _picker_value(value)
    return value


def _picker_value(text: str) -> str:
    """A saved instant (ISO with its offset) as Paris wall-clock time for the picker; typed text as typed."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    return local_input_value(moment) if moment.tzinfo is not None else text


def _from_pickers(form, raw: dict, errors: dict[str, str]) -> None:
    """Date-and-time answers picked in Paris time become the UTC instants the record keeps."""
    for f in form.fields():
        text = raw.get(f.name)
        if f.type != "datetime" or not isinstance(text, str) or not text.strip():
            continue
        try:
            raw[f.name] = from_local_input(text).isoformat()
        except NotALocalTime as exc:
            errors[f.name] = (gettext("This time does not exist in Paris: the clocks skip that hour.")
                              if exc.reason == "skipped" else gettext("Pick a date and a time."))


def form_page(request: SignedInRequest, code: str, visit_pk: int, form_id: str) -> HttpResponse:
    subject, rights, visit, protocol, form, record = _context(request, code, visit_pk, form_id, write=False)
    if clasi_views.is_clasi_form(form):
        return clasi_views.clasi_entry(request, subject, rights, visit, form, record)
    lang = get_language() or "fr"
    errors: dict[str, str] = {}
    values = dict(record.data) if record else {}
    if request.method == "POST":
        if not may(rights, entry_permission(form.id)):
            raise PermissionDenied("read-only access")
        actor = actor_for(request.user, rights, subject.site, request.request_id)
        raw = {f.name: request.POST.get(f.name, "") for f in form.fields() if f.type != "instrument"}
        for f in form.fields():
            if f.type == "instrument" and request.POST.get(f.name):
                try:
                    raw[f.name] = json.loads(request.POST[f.name])
                except json.JSONDecodeError:
                    errors[f.name] = gettext("%(field)s: the record could not be read.") % {
                        "field": f.label.get(get_language() or "fr")}
        _from_pickers(form, raw, errors)
        if errors:
            values = raw
        else:
            try:
                form_actions.save_form(actor, subject, visit, form_id, raw,
                                       reason=request.POST.get("reason", ""), from_text=True)
                messages.success(request, gettext("%(form)s saved.") % {"form": form.title.get(lang)})
                return redirect(request.path)
            except ActionRefused as exc:
                errors = {e.field: field_message(form, e) for e in exc.errors} or {"form": str(exc)}
                values = raw
    return _form_page(request, subject, rights, visit, form, record, values, errors,
                      status=400 if errors else 200, reason=request.POST.get("reason", ""))


def _form_page(request: SignedInRequest, subject, rights, visit: Visit, form, record: FormRecord | None,
               values: dict, errors: dict[str, str], *, status: int = 200, reason: str = "",
               rejected: RejectedForm | None = None) -> HttpResponse:
    """The form page; after a refusal, with what was typed and the errors (`rejected`: one of the
    small forms under the record, a reopening, a query or an answer)."""
    lang = get_language() or "fr"
    sections = [
        {"title": s.title.get(lang), "fields": [
            {"f": f, "label": f.label.get(lang), "unit": f.unit_in(lang), "help": f.help.get(lang) if f.help else "",
             "value": _shown(f, values.get(f.name)), "error": errors.get(f.name),
             "choices": [(str(c.code), c.label.get(lang)) for c in f.choices or []]}
            for f in s.fields]}
        for s in form.sections
    ]
    revisions = record.revisions.select_related("user").all() if record else []
    queries = DataQuery.objects.filter(record=record) if record else []
    return render(request, "web/form_page.html", {
        "subject": subject, "visit": visit, "form": form, "title": form.title.get(lang), "record": record,
        "sections": sections, "errors": errors, "form_error": errors.get("form"), "rights": rights, "revisions": revisions, "queries": queries,
        "editable": may(rights, entry_permission(form.id)) and (record is None or record.state == FormState.DRAFT),
        "reason": reason, "rejected": rejected,
    }, status=status)


# The small forms under a record whose typed text a refusal shows again, with their inputs.
TYPED_ACTIONS = {"reopen": ("reason",), "query": ("field", "text"), "answer": ("answer",)}


NEEDS_CONFIRMATION = {"complete", "lock"}


def form_transition(request: SignedInRequest, code: str, visit_pk: int, form_id: str, action: str) -> HttpResponse:
    if request.method != "POST":
        raise Http404()
    subject, rights, visit, protocol, form, record = _context(request, code, visit_pk, form_id, write=False)
    if record is None:
        raise Http404("no record yet")
    back = redirect("form", code=code, visit_pk=visit_pk, form_id=form_id)
    if action in NEEDS_CONFIRMATION and not confirmed(request.POST):
        messages.error(request, gettext("Nothing was done: tick the box to confirm."))
        return back
    actor = actor_for(request.user, rights, subject.site, request.request_id)
    title = form.title.get(get_language() or "fr")
    try:
        if action == "complete":
            form_actions.complete_form(actor, record)
            done = gettext("%(form)s is complete: changing it now needs a reopening with a reason.")
        elif action == "reopen":
            form_actions.reopen_form(actor, record, request.POST.get("reason", ""))
            done = gettext("%(form)s is open again for changes.")
        elif action == "lock":
            form_actions.lock_form(actor, record)
            done = gettext("%(form)s is locked: nobody can change it until it is unlocked.")
        elif action == "verify":
            if not may(rights, Do.VERIFY_SOURCE_DATA):
                raise PermissionDenied("source data verification is the monitor's")
            monitor = Actor(user=request.user, role=Role.MONITOR.value, site_code=subject.site.code,
                            request_id=request.request_id)
            source_verification.verify_source_data(monitor, record)
            done = gettext("%(form)s is marked as verified against the source documents.")
        elif action == "query":
            query_actions.raise_query(actor, record, request.POST.get("field", ""), request.POST.get("text", ""))
            done = gettext("Query raised on %(form)s.")
        elif action == "answer":
            query = DataQuery.objects.get(pk=request.POST.get("query", ""), record=record)
            query_actions.answer_query(actor, query, request.POST.get("answer", ""))
            done = gettext("Answer sent for the query on %(form)s.")
        elif action == "close":
            query = DataQuery.objects.get(pk=request.POST.get("query", ""), record=record)
            query_actions.close_query(actor, query)
            done = gettext("Query on %(form)s closed.")
        else:
            raise Http404()
    except ActionRefused as exc:
        if action in TYPED_ACTIONS and exc.status != 403:
            pk = int(request.POST["query"]) if action == "answer" else None
            rejected = rejected_form(action, pk, request.POST, TYPED_ACTIONS[action], exc,
                                     (get_language() or "fr").startswith("fr"))
            return _form_page(request, subject, rights, visit, form, record, dict(record.data), {},
                              status=exc.status, rejected=rejected)
        plain = (clasi_views.completion_refusal(form, record, get_language() or "fr")
                 if action == "complete" and clasi_views.is_clasi_form(form) else None)
        messages.error(request, plain or str(exc) or "refused")
    except (DataQuery.DoesNotExist, ValueError):
        messages.error(request, gettext("No such query on this form."))
    else:
        messages.success(request, done % {"form": title})
    return back
