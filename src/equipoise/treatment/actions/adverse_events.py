"""Report an adverse event, and the reporting milestones that stop its clocks.

- `report_adverse_event` (investigator): validated by `safety.adverse_events.validate_adverse_event`
  plus the causality/action/outcome checks of `treatment.ae_entry`; any problem refuses the report,
  naming the field and the rule, and nothing is saved. A serious event emails the sponsor's
  safety desk after the commit. A patient's pregnancy stops the study drug (a stop record) and
  opens a pregnancy follow-up, in the same transaction.
- `notify_sponsor` (investigator or sponsor administrator): the SAE reached the sponsor; stops the
  24-hour clock.
- `assess_expectedness` (sponsor administrator): expected or not; a serious, related, unexpected
  event is a SUSAR and its 7- or 15-day clock starts at this assessment.
- `notify_authorities` (sponsor administrator): the SUSAR was reported; stops that clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from equipoise.records.actions.errors import ActionRefused, FieldError
from equipoise.records.actor import Actor
from equipoise.records.audit import record_event
from equipoise.records.audit_actions import AuditAction
from equipoise.records.models import Subject
from equipoise.records.permissions import Do
from equipoise.safety.adverse_events import AdverseEvent as PureEvent
from equipoise.safety.adverse_events import AeProblem, validate_adverse_event
from equipoise.safety.errors import InvalidInput
from equipoise.treatment.actions.notification_times import record_notification_time
from equipoise.treatment.actions.prescribing import record_dose_change
from equipoise.treatment.actions.refusals import (
    from_invalid,
    refusal,
    require_permission,
    version_of,
)
from equipoise.treatment.ae_entry import entry_problems, related_to
from equipoise.treatment.clocks import clock_hours, event_clocks
from equipoise.treatment.facts import drug_state, subject_protocol, subject_regimen
from equipoise.treatment.models import AdverseEvent, DoseChangeKind, PregnancyFollowUp
from equipoise.treatment.notifications import send_sae_reported
from equipoise.visits.localtime import as_utc, trial_date

PREGNANCY_OF_PATIENT = "pregnancy_patient"


def _as_errors(problems: Iterable[AeProblem]) -> list[FieldError]:
    out = []
    for p in problems:
        value = p.value.isoformat() if isinstance(p.value, dt.date | dt.datetime) else p.value
        out.append(FieldError(p.field, p.rule, p.message.en,
                              value if isinstance(value, str | int | list | None) else str(value), p.message.fr))
    return out


def problems_refusal(problems: Iterable[AeProblem]) -> ActionRefused:
    """One refusal listing every problem, each with its field, value, rule and both wordings."""
    errors = _as_errors(problems)
    return ActionRefused("; ".join(f"{e.field}: {e.message} (rule: {e.rule})" for e in errors), errors)


def report_adverse_event(
    actor: Actor, subject: Subject, *, term: str, onset_date: dt.date, grade: Any, action_taken: str,
    outcome: str, causality: Mapping[str, str], end_date: dt.date | None = None,
    seriousness: Iterable[str] = (), special_interest: Iterable[str] = (),
    site_aware_at: dt.datetime | None = None, now: dt.datetime | None = None,
) -> AdverseEvent:
    require_permission(actor, Do.REPORT_ADVERSE_EVENT, "reporting an adverse event")
    now = now or timezone.now()
    regimen = subject_regimen(subject)
    if regimen is None:
        raise refusal("subject", subject.code, "randomized",
                      f"subject {subject.code} is not randomized: causality to the study drugs cannot be assessed",
                      status=409)
    if onset_date is None:
        raise refusal("onset_date", None, "required", "onset_date: the onset date is required",
                      "onset_date : la date de début est obligatoire")
    for field, value in (("onset_date", onset_date), ("end_date", end_date)):
        if value is not None and (not isinstance(value, dt.date) or isinstance(value, dt.datetime)):
            raise refusal(field, value, "calendar date", f"{field}: {value!r} must be a date YYYY-MM-DD")
    protocol = subject_protocol(subject)
    drugs = [regimen.study_drug.id] + ([regimen.auxiliary.id] if regimen.auxiliary else [])
    pure = PureEvent(term=term.strip() if isinstance(term, str) else term, grade=grade, onset_date=onset_date,
                     end_date=end_date, seriousness=frozenset(seriousness),
                     special_interest=frozenset(special_interest), site_aware_at=site_aware_at,
                     related=related_to(causality, regimen.study_drug.id))
    try:
        problems = validate_adverse_event(pure, now, protocol.safety.special_interest)
    except InvalidInput as exc:
        raise from_invalid(exc) from None
    problems += entry_problems(causality, drugs, action_taken, outcome, grade)
    if problems:
        raise problems_refusal(problems)
    version, label = version_of(subject)
    today = trial_date(now)
    with transaction.atomic():
        ae = AdverseEvent.objects.create(
            subject=subject, term=pure.term, onset_date=onset_date, end_date=end_date, grade=grade,
            seriousness=sorted(pure.seriousness), special_interest=sorted(pure.special_interest),
            causality={d: causality[d] for d in drugs}, related_to_study_drug=pure.related,
            action_taken=action_taken, outcome=outcome,
            site_aware_at=as_utc("site_aware_at", site_aware_at) if site_aware_at else None,
            reported_at=now, reported_by=actor.user, protocol_version=version)
        # Causality names the drugs, hence the arm: the audit event keeps the arm-neutral facts.
        record_event(actor, AuditAction.ADVERSE_EVENT_REPORT, "adverse_event", ae.pk, subject_code=subject.code,
                     site_code=subject.site.code,
                     changes={"term": [None, ae.term], "grade": [None, ae.grade],
                              "onset_date": [None, onset_date.isoformat()],
                              "seriousness": [None, ae.seriousness], "special_interest": [None, ae.special_interest]},
                     protocol_version=label)
        if PREGNANCY_OF_PATIENT in ae.special_interest:
            _stop_for_pregnancy(actor, subject, ae, today, now)
        if ae.serious:
            sae = event_clocks(ae, now, clock_hours(subject.protocol_id))[0]
            transaction.on_commit(lambda: send_sae_reported(ae, sae))
    return ae


def _stop_for_pregnancy(actor: Actor, subject: Subject, ae: AdverseEvent, today: dt.date, now: dt.datetime) -> None:
    """A pregnancy ends the study drug at once, and is followed to its outcome."""
    if drug_state(subject, dt.date.max).stopped is None:
        record_dose_change(actor, subject, DoseChangeKind.STOP, today,
                           f"pregnancy reported (adverse event {ae.pk})", adverse_event=ae)
    follow_up = PregnancyFollowUp.objects.create(subject=subject, adverse_event=ae, opened_at=now)
    _, label = version_of(subject)
    record_event(actor, AuditAction.PREGNANCY_FOLLOW_UP_OPEN, "pregnancy_follow_up", follow_up.pk, subject_code=subject.code,
                 site_code=subject.site.code, changes={"adverse_event": [None, ae.pk], "status": [None, "open"]},
                 protocol_version=label)


def _moment(field: str, value: dt.datetime | None, now: dt.datetime, not_before: dt.datetime | None,
            not_before_name: str) -> dt.datetime:
    moment = value or now
    try:
        moment = as_utc(field, moment)
    except InvalidInput as exc:
        raise from_invalid(exc) from None
    if moment > as_utc("now", now):
        raise refusal(field, moment, "not in the future", f"{field}: {moment.isoformat()} is in the future")
    if not_before is not None and moment < not_before:
        raise refusal(field, moment, f"not before {not_before_name}",
                      f"{field}: {moment.isoformat()} precedes {not_before_name} {not_before.isoformat()}")
    return moment


def locked_event(ae: AdverseEvent) -> AdverseEvent:
    return AdverseEvent.objects.select_for_update().select_related("subject", "subject__site").get(pk=ae.pk)


def notify_sponsor(actor: Actor, ae: AdverseEvent, at: dt.datetime | None = None,
                   now: dt.datetime | None = None) -> AdverseEvent:
    require_permission(actor, Do.NOTIFY_SAE, "recording the SAE notification")
    now = now or timezone.now()
    if not ae.serious:
        raise refusal("seriousness", [], "serious event", f"event {ae.pk} is not serious; there is no SAE clock",
                      status=409)
    moment = _moment("sponsor_notified_at", at, now, ae.site_aware_at, "site_aware_at")
    with transaction.atomic():
        locked = locked_event(ae)
        record_notification_time(actor, locked, "sponsor_notified_at", moment,
                                 AuditAction.ADVERSE_EVENT_SPONSOR_NOTIFIED, obj_type="adverse_event",
                                 site_code=locked.subject.site.code,
                                 already=f"the sponsor was already notified of event {ae.pk}")
    return locked


def assess_expectedness(actor: Actor, ae: AdverseEvent, expected: bool, now: dt.datetime | None = None) -> AdverseEvent:
    require_permission(actor, Do.ASSESS_EXPECTEDNESS, "assessing expectedness")
    now = now or timezone.now()
    if not isinstance(expected, bool):
        raise refusal("expected", expected, "yes or no", "expected: answer expected or unexpected")
    if not ae.serious:
        raise refusal("seriousness", [], "serious event",
                      f"event {ae.pk} is not serious; expectedness decides SUSARs among serious events", status=409)
    with transaction.atomic():
        locked = locked_event(ae)
        if locked.expectedness_assessed_at is not None:
            raise refusal("expectedness_assessed_at", locked.expectedness_assessed_at, "once",
                          f"expectedness of event {ae.pk} is already assessed", status=409)
        locked.expected = expected
        # Floored to the minute, the precision people type notification times in: the clock then
        # starts up to 59 s early (its deadline errs on the safe side), and a report typed in the
        # same minute does not appear to precede the assessment.
        locked.expectedness_assessed_at = as_utc("now", now).replace(second=0, microsecond=0)
        locked.expectedness_assessed_by = actor.user
        locked.save(update_fields=["expected", "expectedness_assessed_at", "expectedness_assessed_by"])
        _, label = version_of(locked.subject)
        record_event(actor, AuditAction.ADVERSE_EVENT_EXPECTEDNESS, "adverse_event", locked.pk,
                     subject_code=locked.subject.code, site_code="",
                     changes={"expected": [None, expected],
                              "expectedness_assessed_at": [None, locked.expectedness_assessed_at.isoformat()]},
                     protocol_version=label)
    return locked


def notify_authorities(actor: Actor, ae: AdverseEvent, at: dt.datetime | None = None,
                       now: dt.datetime | None = None) -> AdverseEvent:
    require_permission(actor, Do.NOTIFY_AUTHORITIES, "recording the SUSAR report")
    now = now or timezone.now()
    if not (ae.serious and ae.related_to_study_drug is True and ae.expected is False):
        raise refusal("expected", ae.expected, "SUSAR",
                      f"event {ae.pk} is not an assessed SUSAR (serious, related, unexpected)", status=409)
    moment = _moment("authorities_notified_at", at, now, ae.expectedness_assessed_at, "expectedness_assessed_at")
    with transaction.atomic():
        locked = locked_event(ae)
        record_notification_time(actor, locked, "authorities_notified_at", moment,
                                 AuditAction.ADVERSE_EVENT_AUTHORITIES_NOTIFIED, obj_type="adverse_event",
                                 site_code="", already=f"the authorities were already notified of event {ae.pk}")
    return locked
