"""Treatment and safety pages. Each view opens with the access helper of `treatment.access`, reads
`now` once, calls an action for any write, and shows a refusal as the action worded it (every
unmet condition, in the page's language)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from equipoise.records.access import Rights, actor_for, roles_at
from equipoise.records.actions.errors import ActionRefused, FieldError
from equipoise.records.confirmation import CONFIRM_FIELD, confirmed
from equipoise.records.loaded_protocols import chosen_protocol_id
from equipoise.records.models import Subject, SubjectStatus, Visit
from equipoise.records.permissions import Do
from equipoise.records.protocol_versions import current_version, protocol_of
from equipoise.records.requests import SignedInRequest
from equipoise.safety.adverse_events import SERIOUSNESS_CRITERIA, pregnancy_report_clock
from equipoise.safety.pregnancy import WEEKDAYS
from equipoise.treatment.access import site_scope, unblinded_subject
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
from equipoise.treatment.rejected import RejectedForm, rejected_form
from equipoise.treatment.site_worklist import site_worklist
from equipoise.treatment.worklist import pregnancy_status, subject_calendar
from equipoise.visits.localtime import (
    NotALocalTime,
    from_local_input,
    local_input_value,
    to_trial_time,
    trial_date,
)


class _BadInput(ValueError):
    """A typed value the page cannot even hand to the action (not a date, not a number)."""

    def __init__(self, field: str, message: str, message_fr: str):
        super().__init__(f"{field}: {message}")
        self.refused = ActionRefused(f"{field}: {message}", [
            FieldError(field, "typed value", message, message_fr=message_fr)])


# "true"/"false" from the form; anything else goes to the action as typed, which refuses it.
_YES_NO: dict[str, Any] = {"true": True, "false": False}


def _lang() -> str:
    return get_language() or "fr"


def _date(post: Any, field: str) -> dt.date:
    date = _optional_date(post, field)
    if date is None:
        raise _BadInput(field, "a date is required (YYYY-MM-DD)", "une date est obligatoire (AAAA-MM-JJ)")
    return date


def _optional_date(post: Any, field: str) -> dt.date | None:
    raw = post.get(field, "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise _BadInput(field, f"{raw!r} is not a date YYYY-MM-DD",
                        f"« {raw} » n'est pas une date AAAA-MM-JJ") from None


def _int(post: Any, field: str) -> int:
    raw = post.get(field, "").strip()
    try:
        return int(raw)
    except ValueError:
        raise _BadInput(field, f"{raw!r} is not a whole number", f"« {raw} » n'est pas un nombre entier") from None


def _grade(post: Any, field: str = "grade") -> Any:
    """A typed grade: a whole number when it is one, else the text, so the rule refuses it by name."""
    raw = post.get(field, "").strip()
    return int(raw) if raw.isdigit() else raw


def _moment(post: Any, field: str) -> dt.datetime | None:
    """A date and time picked in Paris wall-clock time, as the UTC instant it is (None if empty)."""
    raw = post.get(field, "").strip()
    if not raw:
        return None
    try:
        return from_local_input(raw)
    except NotALocalTime as exc:
        rule = (_("is in the hour skipped when clocks go forward; pick a time before or after it")
                if exc.reason == "skipped" else _("is not a date and time"))
        raise _BadInput(field, f"{raw!r} {rule}", f"« {raw} » {rule}") from None  # `rule` is in the page's language


@dataclass(frozen=True)
class _Form:
    """One form of a page: the action it runs, the inputs it has, and the message once done."""

    run: Callable[[], object]
    inputs: tuple[str, ...]
    done: str


def _attempt(request: SignedInRequest, form: str, pk: int | None, posted: _Form, back: str,
             show_again: Callable[[RejectedForm, int], HttpResponse], confirm: bool = False) -> HttpResponse:
    """Run the action: done, a message and back to the page; refused, the same page again with
    what was typed and each error beside its input, with the refusal's status. A refusal of the
    role itself (403) has no form to show again: the role is offered none. An irreversible action
    (`confirm`) runs only once its box is ticked."""
    try:
        if confirm and not confirmed(request.POST):
            message = _("Nothing was done: tick the box to confirm.")
            raise ActionRefused(message, [FieldError(CONFIRM_FIELD, "required", message, message_fr=message)])
        posted.run()
    except (ActionRefused, _BadInput) as caught:
        exc = caught.refused if isinstance(caught, _BadInput) else caught
        if exc.status == 403:
            raise PermissionDenied(str(exc)) from None
        rejected = rejected_form(form, pk, request.POST, posted.inputs, exc, _lang().startswith("fr"))
        return show_again(rejected, exc.status)
    messages.success(request, posted.done)
    return redirect(back)


# --- site-level pages -------------------------------------------------------------------------


def worklist(request: SignedInRequest) -> HttpResponse:
    sites = site_scope(request.user, Do.OPEN_VISIT_WORKLIST, request.GET.get("site", ""))
    today = trial_date(timezone.now())
    protocol_id = chosen_protocol_id(request.GET.get("protocol"))
    subjects = Subject.objects.filter(site__in=sites, protocol_id=protocol_id)
    work = site_worklist(subjects, protocol_of(current_version(protocol_id)), today, _lang(), request.GET)
    return render(request, "treatment/worklist.html", {
        "sites": sites, "work": work, "lang": _lang(),
        "pregnancy_reports": open_pregnancy_reports(timezone.now(), site_ids=[s.pk for s in sites])})


def dashboard(request: SignedInRequest) -> HttpResponse:
    sites = site_scope(request.user, Do.OPEN_SAFETY_DASHBOARD, request.GET.get("site", ""))
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
    return _treatment_page(request, subject, rights)


def _treatment_page(request: SignedInRequest, subject: Subject, rights: Rights,
                    rejected: RejectedForm | None = None, status: int = 200) -> HttpResponse:
    now = timezone.now()
    today = trial_date(now)
    regimen = subject_regimen(subject)
    protocol = subject_protocol(subject)
    labels = {t.id: t.label.get(_lang()) for t in protocol.safety.counselling}
    return render(request, "treatment/subject_treatment.html", {
        "subject": subject, "rights": rights, "lang": _lang(), "today": today, "today_iso": today.isoformat(),
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
        "rejected": rejected,
    }, status=status)


@require_POST
def subject_action(request: SignedInRequest, code: str, action: str, pk: int | None = None) -> HttpResponse:
    subject, rights = unblinded_subject(request.user, code, request.request_id)
    actor = actor_for(request.user, rights, subject.site, request.request_id)
    post = request.POST

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

    forms: dict[str, _Form] = {
        "prescribe": _Form(lambda: prescribing.prescribe(
            actor, subject, prescribed_on=_date(post, "prescribed_on"), days=_int(post, "days"),
            dose_mg=post.get("dose_mg", ""), weekday=post.get("weekday", ""),
            auxiliary_weekday=post.get("auxiliary_weekday", ""),
            auxiliary_dose_mg=post.get("auxiliary_dose_mg", "")),
            ("prescribed_on", "days", "dose_mg", "weekday", "auxiliary_dose_mg", "auxiliary_weekday"),
            _("Prescription saved.")),
        "dispense": _Form(lambda: dispensing.dispense(actor, prescription(), _date(post, "dispensed_on")),
                          ("dispensed_on",), _("Dispensed.")),
        "return": _Form(lambda: dispensing.record_return(
            actor, dispensed(), _date(post, "returned_on"), _int(post, "tablets_returned"),
            _int(post, "auxiliary_returned") if post.get("auxiliary_returned", "").strip() else 0),
            ("returned_on", "tablets_returned", "auxiliary_returned"), _("Returned tablets counted.")),
        "dose-change": _Form(lambda: prescribing.change_dose(
            actor, subject, post.get("kind", ""), _date(post, "effective_on"), post.get("reason", ""),
            post.get("new_dose_mg", "")), ("kind", "effective_on", "new_dose_mg", "reason", CONFIRM_FIELD),
            _("Study drug change recorded.")),
        "counselling": _Form(lambda: counselling.record_counselling(
            actor, subject, post.getlist("topics"), _date(post, "counselled_on")), ("topics", "counselled_on"),
            _("Counselling recorded.")),
        "contraception": _Form(lambda: counselling.record_contraception(
            actor, subject, post.get("method", ""), _date(post, "started_on"), post.get("ongoing") == "true"),
            ("method", "started_on", "ongoing"), _("Contraception recorded.")),
        "unscheduled-visit": _Form(lambda: visits.add_unscheduled_visit(
            actor, subject, _date(post, "visit_date"), post.get("reason", "")), ("visit_date", "reason"),
            _("Unscheduled visit added.")),
        "visit-done": _Form(lambda: visits.mark_visit_done(
            actor, visit(), _date(post, "done_date"),
            confirm_outside_window=post.get("confirm_outside_window") == "on"),
            ("done_date", "confirm_outside_window"), _("Visit done.")),
        "visit-undo-done": _Form(lambda: visits.undo_visit_done(actor, visit(), post.get("reason", "")),
                                 ("reason",), _("Visit open again.")),
        "visit-missed": _Form(lambda: visits.mark_visit_missed(actor, visit(), post.get("reason", "")),
                              ("reason", CONFIRM_FIELD), _("Visit recorded as missed.")),
    }
    if action not in forms:
        raise Http404("no such action")
    return _attempt(request, action, pk, forms[action], reverse("subject-treatment", kwargs={"code": subject.code}),
                    lambda rejected, status: _treatment_page(request, subject, rights, rejected, status),
                    confirm=_irreversible(action, post))


def _irreversible(action: str, post: Any) -> bool:
    """A missed visit and a definitive stop of the study drug cannot be taken back: they ask first."""
    return action == "visit-missed" or (action == "dose-change" and post.get("kind") == DoseChangeKind.STOP)


def subject_safety(request: SignedInRequest, code: str) -> HttpResponse:
    subject, rights = unblinded_subject(request.user, code, request.request_id)
    return _safety_page(request, subject, rights)


def _drugs(subject: Subject) -> list[str]:
    regimen = subject_regimen(subject)
    return ([regimen.study_drug.id] + ([regimen.auxiliary.id] if regimen.auxiliary else [])) if regimen else []


def _safety_page(request: SignedInRequest, subject: Subject, rights: Rights,
                 rejected: RejectedForm | None = None, status: int = 200) -> HttpResponse:
    now = timezone.now()
    hours = clock_hours(subject.protocol_id)
    events = [(ae, event_clocks(ae, now, hours)) for ae in subject.adverse_events.order_by("-onset_date", "-id")]
    return render(request, "treatment/subject_safety.html", {
        "subject": subject, "lang": _lang(), "events": events, "lab_alerts": subject_lab_alerts(subject, rights),
        "follow_ups": subject.pregnancy_follow_ups.select_related("adverse_event"),
        "pregnancy_reports": [(r, pregnancy_report_clock(r.opened_at, now, hours, r.sponsor_notified_at))
                              for r in subject.pregnancy_reports.order_by("-opened_at", "-id")],
        "rights": rights,
        "drugs": _drugs(subject), "seriousness": SERIOUSNESS_CRITERIA,
        "special_interest": subject_protocol(subject).safety.special_interest,
        "causality": CAUSALITY, "actions_taken": ACTIONS_TAKEN, "outcomes": OUTCOMES,
        "pregnancy_outcomes": PREGNANCY_OUTCOMES,
        "now_local": local_input_value(now), "today": trial_date(now),
        "today_iso": trial_date(now).isoformat(), "rejected": rejected,
    }, status=status)


@require_POST
def report_event(request: SignedInRequest, code: str) -> HttpResponse:
    subject, rights = unblinded_subject(request.user, code, request.request_id)
    actor = actor_for(request.user, rights, subject.site, request.request_id)
    post = request.POST
    drugs = _drugs(subject)

    def run() -> AdverseEvent:
        return ae_actions.report_adverse_event(
            actor, subject, term=post.get("term", ""), onset_date=_date(post, "onset_date"),
            end_date=_optional_date(post, "end_date"), grade=_grade(post),
            seriousness=post.getlist("seriousness"), special_interest=post.getlist("special_interest"),
            site_aware_at=_moment(post, "site_aware_at"),
            causality={d: post.get(f"causality_{d}", "") for d in drugs if post.get(f"causality_{d}")},
            action_taken=post.get("action_taken", ""), outcome=post.get("outcome", ""))

    inputs = ("term", "onset_date", "end_date", "grade", "seriousness", "special_interest", "site_aware_at",
              *(f"causality_{d}" for d in drugs), "action_taken", "outcome")
    return _attempt(request, "report", None, _Form(run, inputs, _("Adverse event reported.")),
                    reverse("subject-safety", kwargs={"code": subject.code}),
                    lambda rejected, status: _safety_page(request, subject, rights, rejected, status))


def _event_for(request: SignedInRequest, pk: int) -> tuple[AdverseEvent, Any]:
    ae = AdverseEvent.objects.select_related("subject", "subject__site").filter(pk=pk).first()
    if ae is None:
        raise Http404("no such event")
    _subject, rights = unblinded_subject(request.user, ae.subject.code, request.request_id)
    return ae, rights


def adverse_event(request: SignedInRequest, pk: int) -> HttpResponse:
    ae, rights = _event_for(request, pk)
    return _event_page(request, ae, rights)


def _event_page(request: SignedInRequest, ae: AdverseEvent, rights: Rights,
                rejected: RejectedForm | None = None, status: int = 200) -> HttpResponse:
    now = timezone.now()
    return render(request, "treatment/adverse_event.html", {
        "ae": ae, "subject": ae.subject, "clocks": event_clocks(ae, now, clock_hours(ae.subject.protocol_id)),
        "lang": _lang(), "now_local": local_input_value(now),
        "changes": ae.dose_changes.all(), "rights": rights, "outcomes": OUTCOMES,
        "today": trial_date(now), "rejected": rejected,
    }, status=status)


@require_POST
def adverse_event_action(request: SignedInRequest, pk: int, action: str) -> HttpResponse:
    ae, rights = _event_for(request, pk)
    actor = actor_for(request.user, rights, ae.subject.site, request.request_id)
    post = request.POST
    forms: dict[str, _Form] = {
        "notify-sponsor": _Form(lambda: ae_actions.notify_sponsor(actor, ae, _moment(post, "at")), ("at",),
                                _("Sponsor notification recorded.")),
        "expectedness": _Form(lambda: ae_actions.assess_expectedness(
            actor, ae, _YES_NO.get(post.get("expected", ""), post.get("expected", ""))), ("expected",),
            _("Expectedness recorded.")),
        "notify-authorities": _Form(lambda: ae_actions.notify_authorities(actor, ae, _moment(post, "at")), ("at",),
                                    _("Authorities notification recorded.")),
        "follow-up": _Form(lambda: follow_up_adverse_event(
            actor, ae, end_date=_optional_date(post, "end_date"), outcome=post.get("outcome", ""),
            grade=_grade(post) if post.get("grade", "").strip() else None, reason=post.get("reason", ""),
            site_aware_at=_moment(post, "site_aware_at")), ("end_date", "outcome", "grade", "site_aware_at", "reason"),
            _("Follow-up recorded.")),
    }
    if action not in forms:
        raise Http404("no such action")

    def show_again(rejected: RejectedForm, status: int) -> HttpResponse:
        ae.refresh_from_db()
        return _event_page(request, ae, rights, rejected, status)

    return _attempt(request, action, None, forms[action], reverse("adverse-event", kwargs={"pk": ae.pk}), show_again)


@require_POST
def close_pregnancy(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    subject, rights = unblinded_subject(request.user, code, request.request_id)
    follow_up = get_object_or_404(PregnancyFollowUp, pk=pk, subject=subject)
    actor = actor_for(request.user, rights, subject.site, request.request_id)
    post = request.POST
    form = _Form(lambda: close_pregnancy_follow_up(
        actor, follow_up, outcome=post.get("outcome", ""), outcome_date=_optional_date(post, "outcome_date"),
        comments=post.get("comments", "")), ("outcome", "outcome_date", "comments"), _("Pregnancy follow-up closed."))
    return _attempt(request, "close-follow-up", pk, form, reverse("subject-safety", kwargs={"code": subject.code}),
                    lambda rejected, status: _safety_page(request, subject, rights, rejected, status), confirm=True)


@require_POST
def pregnancy_report_action(request: SignedInRequest, code: str, pk: int, action: str) -> HttpResponse:
    subject, rights = unblinded_subject(request.user, code, request.request_id)
    report = get_object_or_404(PregnancyReport, pk=pk, subject=subject)
    actor = actor_for(request.user, rights, subject.site, request.request_id)
    post = request.POST
    forms: dict[str, _Form] = {
        "notify-sponsor": _Form(lambda: report_actions.notify_sponsor_of_pregnancy(actor, report, _moment(post, "at")),
                                ("at",), _("Sponsor notification recorded.")),
        "close": _Form(lambda: report_actions.close_pregnancy_report(actor, report, post.get("reason", "")),
                       ("reason", CONFIRM_FIELD), _("Pregnancy report closed.")),
    }
    if action not in forms:
        raise Http404("no such action")
    return _attempt(request, f"pregnancy-report-{action}", pk, forms[action],
                    reverse("subject-safety", kwargs={"code": subject.code}),
                    lambda rejected, status: _safety_page(request, subject, rights, rejected, status),
                    confirm=action == "close")
