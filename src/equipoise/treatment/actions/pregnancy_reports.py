"""A positive or indeterminate pregnancy test acts at once, in the transaction that saved it.

`open_on_positive_test` receives `records.signals.form_record_changed`, sent inside the save's
transaction whenever a form record is created or its values change.
When the result is positive or indeterminate, and no report exists yet for that test, it:

- puts the study drug on hold from today (unless already held or stopped; nothing to hold before
  randomization), with an audit event;
- opens a `PregnancyReport`, the event of special interest, whose sponsor clock (the protocol's
  SAE hours, 24) starts now, with an audit event;
- after the commit, emails the site's investigators and the sponsor's safety desk.

If any of it fails, the form save fails with it: a positive result is never stored without its
consequences. The report shows on the subject page, the safety dashboard and the treatment
worklist until an investigator closes it with a reason (`close_pregnancy_report`); the sponsor
notification (`notify_sponsor_of_pregnancy`) stops its clock. None of it is shown to a user the
blinding policy keeps from the arm: the hold is a treatment decision.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from equipoise.records.actions.errors import ActionRefused
from equipoise.records.actor import Actor
from equipoise.records.audit import record_event
from equipoise.records.audit_actions import AuditAction
from equipoise.records.models import FormRecord
from equipoise.records.permissions import Do, may, who_may
from equipoise.records.signals import form_record_changed
from equipoise.safety.pregnancy import NOT_NEGATIVE
from equipoise.treatment.actions.notification_times import record_notification_time
from equipoise.treatment.actions.prescribing import record_dose_change
from equipoise.treatment.actions.refusals import refusal, version_of
from equipoise.treatment.facts import PREGNANCY_FORM, drug_state, subject_regimen
from equipoise.treatment.models import DoseChangeKind, PregnancyReport, PregnancyReportStatus
from equipoise.treatment.notifications import send_pregnancy_report
from equipoise.visits.localtime import as_utc, trial_date

MIN_REASON = 5


@receiver(form_record_changed)
def open_on_positive_test(sender: object, actor: Actor, record: FormRecord, **kwargs: object) -> PregnancyReport | None:
    """Hold, open the report and (after commit) email, if `record` holds a positive/indeterminate result."""
    if record.form_id != PREGNANCY_FORM:
        return None
    result = record.data.get("pregnancy_test_result")
    if result not in NOT_NEGATIVE:
        return None
    if PregnancyReport.objects.filter(form_record_id=record.pk).exists():
        return None
    subject = record.subject
    now = timezone.now()
    today = trial_date(now)
    version, label = version_of(subject)
    hold = None
    if subject_regimen(subject) is not None:
        state = drug_state(subject, dt.date.max)
        if state.stopped is None and state.on_hold is None:
            hold = record_dose_change(actor, subject, DoseChangeKind.HOLD, today,
                                      f"{result} pregnancy test (form record {record.pk})")
    taken = record.data.get("pregnancy_test_datetime")
    report = PregnancyReport.objects.create(
        subject=subject, form_record=record, result=result,
        test_taken_at=dt.datetime.fromisoformat(taken) if taken else None,
        opened_at=now, opened_by=actor.user, hold=hold, protocol_version=version)
    record_event(actor, AuditAction.PREGNANCY_REPORT_OPEN, "pregnancy_report", report.pk, subject_code=subject.code,
                 site_code=subject.site.code,
                 changes={"result": [None, result], "form_record": [None, record.pk],
                          "study_drug_hold": [None, hold.pk if hold else None], "status": [None, "open"]},
                 protocol_version=label)
    transaction.on_commit(lambda: send_pregnancy_report(report))
    return report


def _locked(report: PregnancyReport) -> PregnancyReport:
    return (PregnancyReport.objects.select_for_update().select_related("subject", "subject__site")
            .get(pk=report.pk))


def notify_sponsor_of_pregnancy(actor: Actor, report: PregnancyReport, at: dt.datetime | None = None,
                                now: dt.datetime | None = None) -> PregnancyReport:
    """The pregnancy report reached the sponsor: stops its 24-hour clock (investigator or sponsor)."""
    if not may(actor.role, Do.NOTIFY_PREGNANCY_REPORT):
        raise ActionRefused(f"recording the pregnancy notification is for the {who_may(Do.NOTIFY_PREGNANCY_REPORT)}; "
                            f"not for {actor.role}", status=403)
    now = now or timezone.now()
    moment = as_utc("sponsor_notified_at", at or now)
    if moment > as_utc("now", now):
        raise refusal("sponsor_notified_at", moment, "not in the future",
                      f"sponsor_notified_at: {moment.isoformat()} is in the future",
                      f"sponsor_notified_at : {moment.isoformat()} est dans le futur")
    if moment < report.opened_at:
        raise refusal("sponsor_notified_at", moment, "not before the report",
                      f"sponsor_notified_at: {moment.isoformat()} precedes the report of {report.opened_at.isoformat()}",
                      f"sponsor_notified_at : {moment.isoformat()} précède la déclaration du "
                      f"{report.opened_at.isoformat()}")
    with transaction.atomic():
        locked = _locked(report)
        record_notification_time(
            actor, locked, "sponsor_notified_at", moment, AuditAction.PREGNANCY_REPORT_SPONSOR_NOTIFIED,
            obj_type="pregnancy_report", site_code=locked.subject.site.code,
            already=f"the sponsor was already notified of pregnancy report {locked.pk}",
            already_fr=f"le promoteur a déjà été informé de la déclaration de grossesse {locked.pk}")
    return locked


def close_pregnancy_report(actor: Actor, report: PregnancyReport, reason: str,
                           now: dt.datetime | None = None) -> PregnancyReport:
    """Close the report with a reason (investigator): pregnancy ruled out, or followed as an adverse event.

    Closing does not resume the study drug: that is its own decision (a dose change "resume").
    """
    if not may(actor.role, Do.CLOSE_PREGNANCY_REPORT):
        raise ActionRefused(f"closing a pregnancy report is for the {who_may(Do.CLOSE_PREGNANCY_REPORT)}; "
                            f"not for {actor.role}", status=403)
    reason = reason.strip() if isinstance(reason, str) else ""
    if len(reason) < MIN_REASON:
        raise refusal("reason", reason, "required",
                      "reason: say why the report is closed (pregnancy ruled out, or reported as an adverse event)",
                      "reason : indiquez pourquoi la déclaration est close (grossesse écartée, ou déclarée "
                      "comme événement indésirable)")
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(report)
        if locked.status == PregnancyReportStatus.CLOSED:
            raise refusal("status", locked.status, "open report", f"pregnancy report {locked.pk} is already closed",
                          f"la déclaration de grossesse {locked.pk} est déjà close", status=409)
        locked.status, locked.closed_at, locked.closed_by = PregnancyReportStatus.CLOSED, now, actor.user
        locked.closing_reason = reason
        locked.save(update_fields=["status", "closed_at", "closed_by", "closing_reason"])
        _, label = version_of(locked.subject)
        record_event(actor, AuditAction.PREGNANCY_REPORT_CLOSE, "pregnancy_report", locked.pk,
                     subject_code=locked.subject.code, site_code=locked.subject.site.code,
                     changes={"status": ["open", "closed"]}, reason=reason, protocol_version=label)
    return locked
