"""Treatment and safety pages. Each view opens with the access helper of `treatment.access`, reads
`now` once, calls an action for any write, and shows a refusal as the action worded it (every
unmet condition, in the page's language)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from equipoise.records.access import Rights, actor_for, roles_at
from equipoise.records.actions.errors import ActionRefused
from equipoise.records.loaded_protocols import chosen_protocol_id
from equipoise.records.models import Subject, SubjectStatus, Visit
from equipoise.records.permissions import Do, may
from equipoise.records.protocol_versions import current_version, protocol_of
from equipoise.records.requests import SignedInRequest
from equipoise.records.roles import Role
from equipoise.safety.adverse_events import SERIOUSNESS_CRITERIA, pregnancy_report_clock
from equipoise.safety.pregnancy import WEEKDAYS
from equipoise.treatment.access import (
    DASHBOARD_ROLES,
    WORKLIST_ROLES,
    site_scope,
    unblinded_subject,
)
from equipoise.treatment.actions import adverse_events as ae_actions
from equipoise.treatment.actions import counselling, dispensing, prescribing, visits
from equipoise.treatment.actions import pregnancy_reports as report_actions
from equipoise.treatment.actions.ae_follow_up import follow_up_adverse_event
from equipoise.treatment.actions.pregnancy_follow_up import close_pregnancy_follow_up
from equipoise.treatment.ae_entry import ACTIONS_TAKEN, CAUSALITY, OUTCOMES
from equipoise.treatment.clocks import (
    clock_hours,
    event_clocks,
    open_pregnancy_reports,
    running_clocks,
    serious_events,
)
from equipoise.treatment.facts import (
    counselling_topics,
    drug_state,
    latest_contraception,
    patient_facts,
    subject_protocol,
    subject_regimen,
)
from equipoise.treatment.lab_alerts import subject_lab_alerts
from equipoise.treatment.models import (
    AdverseEvent,
    Counselling,
    DoseChange,
    DoseChangeKind,
    PregnancyFollowUp,
    PregnancyReport,
)
from equipoise.treatment.pill_counts import dispensing_rows
from equipoise.treatment.pregnancy_outcome import PREGNANCY_OUTCOMES
from equipoise.treatment.site_worklist import site_worklist
from equipoise.treatment.worklist import pregnancy_status, subject_calendar
from equipoise.visits.localtime import to_trial_time, trial_date


class _BadInput(ValueError):
    def __init__(self, field: str, value: str, rule: str):
        super().__init__(f"{field}: {value!r} {rule}")


# "true"/"false" from the form; anything else goes to the action as typed, which refuses it.
_YES_NO: dict[str, Any] = {"true": True, "false": False}


def _lang() -> str:
    return get_language() or "fr"


def _date(post: Any, field: str) -> dt.date:
    date = _optional_date(post, field)
    if date is None:
        raise _BadInput(field, "", "is required (a date YYYY-MM-DD)")
    return date


def _optional_date(post: Any, field: str) -> dt.date | None:
    raw = post.get(field, "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise _BadInput(field, raw, "is not a date YYYY-MM-DD") from None


def _int(post: Any, field: str) -> int:
    raw = post.get(field, "").strip()
    try:
        return int(raw)
    except ValueError:
        raise _BadInput(field, raw, "is not a whole number") from None


def _grade(post: Any, field: str = "grade") -> Any:
    """A typed grade: a whole number when it is one, else the text, so the rule refuses it by name."""
    raw = post.get(field, "").strip()
    return int(raw) if raw.isdigit() else raw


def _moment(post: Any, field: str) -> dt.datetime | None:
    """A date and time as typed; a missing UTC offset is passed on so the rule refuses it by name."""
    raw = post.get(field, "").strip()
    if not raw:
        return None
    try:
        return dt.datetime.fromisoformat(raw)
    except ValueError:
        raise _BadInput(field, raw, "is not a date and time such as 2026-03-29T09:30+02:00") from None


def _show_refusal(request: SignedInRequest, exc: ActionRefused) -> None:
    if exc.status == 403:
        raise PermissionDenied(str(exc))
    french = _lang().startswith("fr")
    if not exc.errors:
        messages.error(request, str(exc))
    for error in exc.errors:
        text = error.message_fr if french and error.message_fr else error.message
        where = error.field if error.field == error.rule else f"{error.field} [{error.rule}]"
        messages.error(request, f"{where} — {text}")


def _attempt(request: SignedInRequest, back: str, action: Callable[[], object], done: str) -> HttpResponse:
    try:
        action()
    except ActionRefused as exc:
        _show_refusal(request, exc)
    except _BadInput as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect(back)


# --- site-level pages -------------------------------------------------------------------------


def worklist(request: SignedInRequest) -> HttpResponse:
    sites = site_scope(request.user, WORKLIST_ROLES, request.GET.get("site", ""))
    today = trial_date(timezone.now())
    protocol_id = chosen_protocol_id(request.GET.get("protocol"))
    subjects = Subject.objects.filter(site__in=sites, protocol_id=protocol_id)
    work = site_worklist(subjects, protocol_of(current_version(protocol_id)), today, _lang(), request.GET)
    return render(request, "treatment/worklist.html", {
        "sites": sites, "work": work, "lang": _lang(),
        "pregnancy_reports": open_pregnancy_reports(timezone.now(), site_ids=[s.pk for s in sites])})


def dashboard(request: SignedInRequest) -> HttpResponse:
    sites = site_scope(request.user, DASHBOARD_ROLES, request.GET.get("site", ""))
    now = timezone.now()
    rows = running_clocks(serious_events([s.pk for s in sites]), now)
    awaiting = (AdverseEvent.objects.filter(subject__site__in=sites, expectedness_assessed_at__isnull=True)
                .exclude(seriousness=[]).select_related("subject", "subject__site"))
    alerts = []
    rights_at = {s.pk: Rights(roles_at(request.user, s)) for s in sites}  # unblinded: `site_scope` said so
    for subject in Subject.objects.filter(site__in=sites, status=SubjectStatus.RANDOMIZED).order_by("code"):
        alerts += [(subject, r) for r in subject_lab_alerts(subject, rights_at[subject.site_id])[:1]]
    return render(request, "treatment/dashboard.html", {
        "sites": sites, "rows": rows, "awaiting": awaiting, "alerts": alerts, "lang": _lang(),
        "now_local": to_trial_time(now),
        "pregnancy_reports": open_pregnancy_reports(now, site_ids=[s.pk for s in sites]),
    })


# --- one subject ------------------------------------------------------------------------------


def subject_treatment(request: SignedInRequest, code: str) -> HttpResponse:
    subject, rights = unblinded_subject(request.user, code, request.request_id)
    now = timezone.now()
    today = trial_date(now)
    regimen = subject_regimen(subject)
    protocol = subject_protocol(subject)
    labels = {t.id: t.label.get(_lang()) for t in protocol.safety.counselling}
    return render(request, "treatment/subject_treatment.html", {
        "subject": subject, "rights": rights, "lang": _lang(), "today": today,
        "arm": protocol.arm(regimen.arm_id).label.get(_lang()) if regimen else None, "regimen": regimen,
        "calendar": subject_calendar(subject, today, _lang()),
        "dispensings": dispensing_rows(subject),
        "changes": DoseChange.objects.filter(subject=subject).select_related("user"),
        "state": drug_state(subject, today), "facts": patient_facts(subject),
        "counselling": [(labels.get(c.topic, c.topic), c.counselled_on)
                        for c in Counselling.objects.filter(subject=subject)],
        "contraception": latest_contraception(subject),
        "pregnancy": pregnancy_status(subject, today),
        "lab_alerts": subject_lab_alerts(subject, rights)[:1],
        "weekdays": WEEKDAYS, "topics": counselling_topics(subject), "kinds": DoseChangeKind.values,
        "is_investigator": Role.INVESTIGATOR in rights.roles, "is_pharmacist": Role.PHARMACIST in rights.roles,
    })


@require_POST
def subject_action(request: SignedInRequest, code: str, action: str, pk: int | None = None) -> HttpResponse:
    subject, rights = unblinded_subject(request.user, code, request.request_id)
    actor = actor_for(request.user, rights, subject.site, request.request_id)
    post = request.POST
    back = reverse("subject-treatment", kwargs={"code": subject.code})

    def visit() -> Visit:
        found = Visit.objects.filter(pk=pk, subject=subject).first() if pk is not None else None
        if found is None:
            raise Http404("no such visit")
        return found

    def prescription():
        found = subject.prescriptions.filter(pk=pk).first()
        if found is None:
            raise Http404("no such prescription")
        return found

    def dispensed():
        found = subject.dispensings.filter(pk=pk).first()
        if found is None:
            raise Http404("no such dispensing")
        return found

    handlers: dict[str, tuple[Callable[[], object], str]] = {
        "prescribe": (lambda: prescribing.prescribe(
            actor, subject, prescribed_on=_date(post, "prescribed_on"), days=_int(post, "days"),
            dose_mg=post.get("dose_mg", ""), weekday=post.get("weekday", ""),
            auxiliary_weekday=post.get("auxiliary_weekday", ""),
            auxiliary_dose_mg=post.get("auxiliary_dose_mg", "")), "Prescription saved."),
        "dispense": (lambda: dispensing.dispense(actor, prescription(), _date(post, "dispensed_on")),
                     "Dispensed."),
        "return": (lambda: dispensing.record_return(
            actor, dispensed(), _date(post, "returned_on"), _int(post, "tablets_returned"),
            _int(post, "auxiliary_returned") if post.get("auxiliary_returned", "").strip() else 0),
            "Returned tablets counted."),
        "dose-change": (lambda: prescribing.change_dose(
            actor, subject, post.get("kind", ""), _date(post, "effective_on"), post.get("reason", ""),
            post.get("new_dose_mg", "")), "Study drug change recorded."),
        "counselling": (lambda: counselling.record_counselling(
            actor, subject, post.getlist("topics"), _date(post, "counselled_on")), "Counselling recorded."),
        "contraception": (lambda: counselling.record_contraception(
            actor, subject, post.get("method", ""), _date(post, "started_on"), post.get("ongoing") == "true"),
            "Contraception recorded."),
        "unscheduled-visit": (lambda: visits.add_unscheduled_visit(
            actor, subject, _date(post, "visit_date"), post.get("reason", "")), "Unscheduled visit added."),
        "visit-done": (lambda: visits.mark_visit_done(
            actor, visit(), _date(post, "done_date"),
            confirm_outside_window=post.get("confirm_outside_window") == "on"), "Visit done."),
        "visit-undo-done": (lambda: visits.undo_visit_done(actor, visit(), post.get("reason", "")),
                            "Visit open again."),
        "visit-missed": (lambda: visits.mark_visit_missed(actor, visit(), post.get("reason", "")),
                         "Visit recorded as missed."),
    }
    if action not in handlers:
        raise Http404("no such action")
    run, done = handlers[action]
    return _attempt(request, back, run, done)


def subject_safety(request: SignedInRequest, code: str) -> HttpResponse:
    subject, rights = unblinded_subject(request.user, code, request.request_id)
    now = timezone.now()
    regimen = subject_regimen(subject)
    hours = clock_hours(subject.protocol_id)
    events = [(ae, event_clocks(ae, now, hours)) for ae in subject.adverse_events.order_by("-onset_date", "-id")]
    drugs = [regimen.study_drug.id] + ([regimen.auxiliary.id] if regimen and regimen.auxiliary else []) \
        if regimen else []
    return render(request, "treatment/subject_safety.html", {
        "subject": subject, "lang": _lang(), "events": events, "lab_alerts": subject_lab_alerts(subject, rights),
        "follow_ups": subject.pregnancy_follow_ups.select_related("adverse_event"),
        "pregnancy_reports": [(r, pregnancy_report_clock(r.opened_at, now, hours, r.sponsor_notified_at))
                              for r in subject.pregnancy_reports.order_by("-opened_at", "-id")],
        "can_notify_pregnancy": may(rights, Do.NOTIFY_PREGNANCY_REPORT),
        "can_close_pregnancy": may(rights, Do.CLOSE_PREGNANCY_REPORT),
        "drugs": drugs, "seriousness": SERIOUSNESS_CRITERIA,
        "special_interest": subject_protocol(subject).safety.special_interest,
        "causality": CAUSALITY, "actions_taken": ACTIONS_TAKEN, "outcomes": OUTCOMES,
        "pregnancy_outcomes": PREGNANCY_OUTCOMES,
        "now_local": to_trial_time(now).isoformat(timespec="minutes"), "today": trial_date(now),
        "is_investigator": Role.INVESTIGATOR in rights.roles,
    })


@require_POST
def report_event(request: SignedInRequest, code: str) -> HttpResponse:
    subject, rights = unblinded_subject(request.user, code, request.request_id)
    actor = actor_for(request.user, rights, subject.site, request.request_id)
    post = request.POST
    regimen = subject_regimen(subject)
    drugs = ([regimen.study_drug.id] + ([regimen.auxiliary.id] if regimen.auxiliary else [])) if regimen else []

    def run() -> AdverseEvent:
        return ae_actions.report_adverse_event(
            actor, subject, term=post.get("term", ""), onset_date=_date(post, "onset_date"),
            end_date=_optional_date(post, "end_date"), grade=_grade(post),
            seriousness=post.getlist("seriousness"), special_interest=post.getlist("special_interest"),
            site_aware_at=_moment(post, "site_aware_at"),
            causality={d: post.get(f"causality_{d}", "") for d in drugs if post.get(f"causality_{d}")},
            action_taken=post.get("action_taken", ""), outcome=post.get("outcome", ""))

    return _attempt(request, reverse("subject-safety", kwargs={"code": subject.code}), run, "Adverse event reported.")


def _event_for(request: SignedInRequest, pk: int) -> tuple[AdverseEvent, Any]:
    ae = AdverseEvent.objects.select_related("subject", "subject__site").filter(pk=pk).first()
    if ae is None:
        raise Http404("no such event")
    _subject, rights = unblinded_subject(request.user, ae.subject.code, request.request_id)
    return ae, rights


def adverse_event(request: SignedInRequest, pk: int) -> HttpResponse:
    ae, rights = _event_for(request, pk)
    now = timezone.now()
    return render(request, "treatment/adverse_event.html", {
        "ae": ae, "subject": ae.subject, "clocks": event_clocks(ae, now, clock_hours(ae.subject.protocol_id)),
        "lang": _lang(), "now_local": to_trial_time(now).isoformat(timespec="minutes"),
        "changes": ae.dose_changes.all(), "is_investigator": Role.INVESTIGATOR in rights.roles,
        "is_sponsor": Role.SPONSOR_ADMIN in rights.roles, "outcomes": OUTCOMES, "today": trial_date(now),
    })


@require_POST
def adverse_event_action(request: SignedInRequest, pk: int, action: str) -> HttpResponse:
    ae, rights = _event_for(request, pk)
    actor = actor_for(request.user, rights, ae.subject.site, request.request_id)
    post = request.POST
    handlers: dict[str, tuple[Callable[[], object], str]] = {
        "notify-sponsor": (lambda: ae_actions.notify_sponsor(actor, ae, _moment(post, "at")), "Sponsor notification recorded."),
        "expectedness": (lambda: ae_actions.assess_expectedness(
            actor, ae, _YES_NO.get(post.get("expected", ""), post.get("expected", ""))),
            "Expectedness recorded."),
        "notify-authorities": (lambda: ae_actions.notify_authorities(actor, ae, _moment(post, "at")),
                               "Authorities notification recorded."),
        "follow-up": (lambda: follow_up_adverse_event(
            actor, ae, end_date=_optional_date(post, "end_date"), outcome=post.get("outcome", ""),
            grade=_grade(post) if post.get("grade", "").strip() else None, reason=post.get("reason", ""),
            site_aware_at=_moment(post, "site_aware_at")), "Follow-up recorded."),
    }
    if action not in handlers:
        raise Http404("no such action")
    run, done = handlers[action]
    return _attempt(request, reverse("adverse-event", kwargs={"pk": ae.pk}), run, done)


@require_POST
def close_pregnancy(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    subject, rights = unblinded_subject(request.user, code, request.request_id)
    follow_up = PregnancyFollowUp.objects.filter(pk=pk, subject=subject).first()
    if follow_up is None:
        raise Http404("no such pregnancy follow-up")
    actor = actor_for(request.user, rights, subject.site, request.request_id)
    post = request.POST
    return _attempt(request, reverse("subject-safety", kwargs={"code": subject.code}), lambda: close_pregnancy_follow_up(
        actor, follow_up, outcome=post.get("outcome", ""), outcome_date=_optional_date(post, "outcome_date"),
        comments=post.get("comments", "")), "Pregnancy follow-up closed.")


@require_POST
def pregnancy_report_action(request: SignedInRequest, code: str, pk: int, action: str) -> HttpResponse:
    subject, rights = unblinded_subject(request.user, code, request.request_id)
    report = PregnancyReport.objects.filter(pk=pk, subject=subject).first()
    if report is None:
        raise Http404("no such pregnancy report")
    actor = actor_for(request.user, rights, subject.site, request.request_id)
    post = request.POST
    handlers: dict[str, tuple[Callable[[], object], str]] = {
        "notify-sponsor": (lambda: report_actions.notify_sponsor_of_pregnancy(actor, report, _moment(post, "at")),
                           _("Sponsor notification recorded.")),
        "close": (lambda: report_actions.close_pregnancy_report(actor, report, post.get("reason", "")),
                  _("Pregnancy report closed.")),
    }
    if action not in handlers:
        raise Http404("no such action")
    run, done = handlers[action]
    return _attempt(request, reverse("subject-safety", kwargs={"code": subject.code}), run, done)
