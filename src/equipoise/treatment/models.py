"""Treatment and safety records. Rows are written only by `equipoise.treatment.actions`.

Prescriptions, dispensings, pill counts, dose changes, counselling and contraception entries are
append-only ledgers: a correction is a new row, never an edit. An adverse event is one row whose
reporting milestones (sponsor notified, expectedness assessed, authorities notified) are filled
in once each by their own action, each with an audit event. Dates are Europe/Paris calendar
dates; moments are aware datetimes stored in UTC.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from equipoise.records.models import ProtocolVersion, Subject

USER = settings.AUTH_USER_MODEL


class Prescription(models.Model):
    """A prescription of the arm's study drug, with its auxiliary drug (aspirin or folic acid)."""

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="prescriptions")
    drug = models.CharField(max_length=64)
    dose_mg = models.DecimalField(max_digits=7, decimal_places=2)
    frequency = models.CharField(max_length=8, choices=[("daily", "daily"), ("weekly", "weekly")])
    weekday = models.CharField(max_length=10, blank=True)
    auxiliary = models.CharField(max_length=64, blank=True)
    auxiliary_dose_mg = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    auxiliary_frequency = models.CharField(max_length=8, blank=True)
    auxiliary_weekday = models.CharField(max_length=10, blank=True)
    prescribed_on = models.DateField()
    days = models.PositiveIntegerField()
    prescriber = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    protocol_version = models.ForeignKey(ProtocolVersion, on_delete=models.PROTECT)

    class Meta:
        ordering = ["subject", "prescribed_on", "id"]


class Dispensing(models.Model):
    """Tablets handed over for one prescription; exists only if the pregnancy gate accepted it."""

    prescription = models.OneToOneField(Prescription, on_delete=models.PROTECT, related_name="dispensing")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="dispensings")
    dispensed_on = models.DateField()
    tablets = models.PositiveIntegerField()
    auxiliary_tablets = models.PositiveIntegerField(default=0)
    dispenser = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    protocol_version = models.ForeignKey(ProtocolVersion, on_delete=models.PROTECT)

    class Meta:
        ordering = ["subject", "dispensed_on", "id"]


class TabletReturn(models.Model):
    """The pill count of one dispensing; adherence is computed from it on read."""

    dispensing = models.OneToOneField(Dispensing, on_delete=models.PROTECT, related_name="tablet_return")
    returned_on = models.DateField()
    tablets_returned = models.PositiveIntegerField()
    auxiliary_returned = models.PositiveIntegerField(default=0)
    counted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()


class DoseChangeKind(models.TextChoices):
    HOLD = "hold"
    RESUME = "resume"
    REDUCE = "reduce"
    STOP = "stop"


class DoseChange(models.Model):
    """A hold, resumption, reduction or definitive stop of the study drug, always with a reason."""

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="dose_changes")
    kind = models.CharField(max_length=8, choices=DoseChangeKind.choices)
    effective_on = models.DateField()
    new_dose_mg = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    reason = models.TextField()
    adverse_event = models.ForeignKey("AdverseEvent", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="dose_changes")
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["subject", "effective_on", "id"]


class Counselling(models.Model):
    """Pregnancy-prevention counselling given to the patient, one row per topic.

    The topics, who they are for and their wording are the protocol's (`safety.yaml` `counselling`).
    """

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="counselling")
    topic = models.CharField(max_length=64)
    counselled_on = models.DateField()
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["subject", "counselled_on", "id"]


class Contraception(models.Model):
    """A contraception statement; the latest one is the one the pregnancy gate reads."""

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="contraception")
    method = models.CharField(max_length=200)
    started_on = models.DateField()
    ongoing = models.BooleanField()
    recorded_on = models.DateField()
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["subject", "recorded_on", "id"]


class AdverseEvent(models.Model):
    """An adverse event as reported by the site, and its reporting milestones.

    `causality` maps each intervention of the subject's arm (study drug and auxiliary drug) to
    "related" or "not_related": it names the drug, so it is arm-revealing.
    """

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="adverse_events")
    term = models.CharField(max_length=200)
    onset_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    grade = models.PositiveSmallIntegerField()
    seriousness = models.JSONField(default=list)
    special_interest = models.JSONField(default=list)
    causality = models.JSONField(default=dict)
    related_to_study_drug = models.BooleanField(null=True, blank=True)
    action_taken = models.CharField(max_length=24)
    outcome = models.CharField(max_length=32)
    site_aware_at = models.DateTimeField(null=True, blank=True)
    reported_at = models.DateTimeField()
    reported_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    sponsor_notified_at = models.DateTimeField(null=True, blank=True)
    expected = models.BooleanField(null=True, blank=True)
    expectedness_assessed_at = models.DateTimeField(null=True, blank=True)
    expectedness_assessed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT,
                                                 related_name="+")
    authorities_notified_at = models.DateTimeField(null=True, blank=True)
    protocol_version = models.ForeignKey(ProtocolVersion, on_delete=models.PROTECT)

    class Meta:
        ordering = ["subject", "onset_date", "id"]

    @property
    def serious(self) -> bool:
        return bool(self.seriousness)


class FollowUpStatus(models.TextChoices):
    # Labels equal to the values, as stored since the field was added (no migration needed).
    OPEN = "open", "open"
    CLOSED = "closed", "closed"


class PregnancyFollowUp(models.Model):
    """Opened when a patient's pregnancy is reported; followed until the outcome is known.

    Closed once, by `treatment.actions.pregnancy_follow_up.close_pregnancy_follow_up`, with an
    outcome of `treatment.pregnancy_outcome.PREGNANCY_OUTCOMES` and its date.
    """

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="pregnancy_follow_ups")
    adverse_event = models.OneToOneField(AdverseEvent, on_delete=models.PROTECT, related_name="pregnancy_follow_up")
    opened_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    outcome = models.TextField(blank=True)
    outcome_date = models.DateField(null=True, blank=True)
    comments = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")


class PregnancyReportStatus(models.TextChoices):
    OPEN = "open"
    CLOSED = "closed"


class PregnancyReport(models.Model):
    """Opened by a positive or indeterminate pregnancy test, in the transaction that saved it.

    The event of special interest: the study drug is put on hold, the site investigators and the
    sponsor's safety desk are emailed, and the sponsor must be told within the protocol's SAE
    hours (24) from `opened_at`; `sponsor_notified_at` stops that clock. It shows on the subject
    page, the safety dashboard and the worklist until an investigator closes it with a reason.
    """

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="pregnancy_reports")
    form_record = models.OneToOneField("records.FormRecord", on_delete=models.PROTECT, related_name="+")
    result = models.CharField(max_length=16)
    test_taken_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    hold = models.ForeignKey(DoseChange, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sponsor_notified_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=PregnancyReportStatus.choices,
                              default=PregnancyReportStatus.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closing_reason = models.TextField(blank=True)
    protocol_version = models.ForeignKey(ProtocolVersion, on_delete=models.PROTECT)

    class Meta:
        ordering = ["subject", "opened_at", "id"]


class ProtocolDeviation(models.Model):
    """A recorded departure from the protocol (e.g. a visit or an assessment outside its window),
    confirmed by the person who recorded it. Append-only; a deviation recorded by mistake (its visit
    undone) is cancelled with a reason, never deleted."""

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="deviations")
    visit = models.ForeignKey("records.Visit", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=32)
    detail = models.TextField()
    occurred_on = models.DateField()
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    cancelled_reason = models.TextField(blank=True)
    protocol_version = models.ForeignKey(ProtocolVersion, on_delete=models.PROTECT)

    class Meta:
        ordering = ["subject", "occurred_on", "id"]
