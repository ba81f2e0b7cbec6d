"""The screening page (each criterion with a tick, a cross or a question mark) and the screening log."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext

from equipoise.records.access import actor_for, subject_access, visible_sites
from equipoise.records.actions.eligibility import assess_eligibility, latest_assessment, rescreen
from equipoise.records.actions.errors import ActionRefused
from equipoise.records.change_display import field_label, variables_of
from equipoise.records.code_labels import code_label
from equipoise.records.loaded_protocols import loaded_protocol_ids
from equipoise.records.models import AssessmentStage, EligibilityAssessment
from equipoise.records.permissions import Do, may
from equipoise.records.protocol_versions import current_version, protocol_of
from equipoise.records.requests import SignedInRequest
from equipoise.records.screening_log import LogRows, failure_counts, latest_assessments, log_rows
from equipoise.visits.localtime import to_trial_time

SYMBOL = {"met": "✓", "not_met": "✗", "unknown": "?"}


def screening_page(request: SignedInRequest, code: str) -> HttpResponse:
    subject, rights = subject_access(request.user, code, request_id=request.request_id)
    if request.method == "POST":
        if not may(rights, Do.SCREEN_SUBJECT):
            raise PermissionDenied("read-only access")
        actor = actor_for(request.user, rights, subject.site, request.request_id)
        try:
            if request.POST.get("action") == "rescreen":
                rescreen(actor, subject, request.POST.get("reason", ""))
                messages.success(request, gettext("New screening attempt opened."))
            else:
                assessment = assess_eligibility(actor, subject, AssessmentStage.SCREENING)
                messages.success(request, gettext("Verdict: %(verdict)s") % {"verdict": code_label(assessment.verdict)})
        except ActionRefused as exc:
            messages.error(request, str(exc))
        return redirect(request.path)
    lang = (get_language() or "fr")[:2]
    protocol = protocol_of(current_version(subject.protocol_id))
    texts = {c.id: c.text.get(lang) for c in protocol.criteria}
    history = EligibilityAssessment.objects.filter(subject=subject).select_related("protocol_version")
    latest = latest_assessment(subject, AssessmentStage.RANDOMIZATION) or latest_assessment(subject, AssessmentStage.SCREENING)
    rows = []
    if latest:
        for c in latest.result["criteria"]:
            bad = (c["kind"] == "inclusion" and c["status"] == "not_met") or (c["kind"] == "exclusion" and c["status"] == "met")
            rows.append({**c, "text": texts.get(c["id"], c["id"]), "reason_text": c["reason"].get(lang, ""),
                         "symbol": "✗" if bad else ("?" if c["status"] == "unknown" else "✓"),
                         "css": "not-met" if bad else ("unknown" if c["status"] == "unknown" else "met")})
    return render(request, "web/screening.html", {
        "subject": subject, "rights": rights, "latest": latest, "rows": rows, "history": history,
        "protocol": protocol,
    })


def screening_log(request: SignedInRequest) -> HttpResponse:
    sites = list(visible_sites(request.user))
    site_code = request.GET.get("site", "")
    chosen = [s for s in sites if s.code == site_code] or sites
    protocols = [protocol_of(current_version(p)) for p in loaded_protocol_ids()]
    if request.GET.get("format") == "csv":
        return screening_log_csv(log_rows(chosen), protocols)
    assessments = latest_assessments(chosen)  # a page reads its own rows; the summary is counted by the database
    failures = failure_counts(assessments)
    rows: Any = LogRows(assessments, failures["rows"])  # what the paginator needs: a count and slices
    return render(request, "web/screening_log.html", {
        "rows": Paginator(rows, 50).get_page(request.GET.get("page")), "failures": failures,
        "sites": sites, "site_code": site_code,
        "protocols": protocols,
    })


def screening_log_csv(rows: list[dict], protocols: list) -> HttpResponse:
    """The log as the page shows it, for the site's files: headers and values in the reader's words,
    times in Paris time (it is a register for people; the statisticians' data files keep the
    variable names and UTC, see `exports`)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="screening-log.csv"'
    writer = csv.writer(response)
    writer.writerow([gettext("Subject"), gettext("Site"), gettext("Attempt"), gettext("Verdict"), gettext("Status"),
                     gettext("Failed criteria"), gettext("Missing"), gettext("Protocol"),
                     gettext("Evaluated at (Paris time)")])
    fields, derived = variables_of(protocols)
    for r in rows:
        writer.writerow([r["subject"], r["site"], r["attempt"], str(r["verdict_label"]), str(r["status"]),
                         ", ".join(r["failed"]), ", ".join(field_label(n, fields, derived) for n in r["missing"]),
                         r["protocol_version"], f"{to_trial_time(r['evaluated_at']):%d/%m/%Y %H:%M}"])
    return response
