"""Database models of the trial records. Rules live in Django-free modules these models call."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from equipoise.records.roles import Role


class ProtocolVersion(models.Model):
    """One version of a protocol's files; never changed once stored."""

    protocol_id = models.CharField(max_length=64)
    number = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    source = models.JSONField()
    loaded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["protocol_id", "number"], name="protocol_version_number"),
            models.UniqueConstraint(fields=["protocol_id", "sha256"], name="protocol_version_sha"),
        ]
        ordering = ["protocol_id", "number"]

    def __str__(self) -> str:
        return f"{self.protocol_id} v{self.number}"


class SiteRecruitment(models.TextChoices):
    """A site's recruitment, in the registry's words (the public page shows it)."""

    NOT_YET = "not_yet_recruiting", _("Not yet open")
    RECRUITING = "recruiting", _("Recruiting")
    CLOSED = "completed", _("Closed to recruitment")


class Site(models.Model):
    code = models.CharField(max_length=8, unique=True)
    name = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    principal_investigator = models.CharField(max_length=200, blank=True)
    # Sites set up before recruitment was tracked were recruiting; a site added now starts "not yet".
    recruitment = models.CharField(max_length=20, choices=SiteRecruitment.choices,
                                   default=SiteRecruitment.RECRUITING)
    subject_sequence = models.PositiveIntegerField(default=0)
    # How many of the site's subjects were randomized: numbers them R-TNN-0001, R-TNN-0002, ...
    allocation_sequence = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Membership(models.Model):
    """A role held by a user, at one site or (site empty) at sponsor level across all sites."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.PROTECT)
    role = models.CharField(max_length=32, choices=[(r.value, r.value) for r in Role])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "site", "role"], name="membership_unique"),
        ]


class LoginFailure(models.Model):
    username = models.CharField(max_length=150, db_index=True)
    at = models.DateTimeField(db_index=True)


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_sha256 = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=100)
    created_at = models.DateTimeField()


class SubjectStatus(models.TextChoices):
    SCREENING = "screening", _("Screening")
    SCREEN_FAILED = "screen_failed", _("Screen failed")
    RANDOMIZED = "randomized", _("Randomized")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    LOST_TO_FOLLOW_UP = "lost_to_follow_up", _("Lost to follow-up")
    COMPLETED = "completed", _("Completed")
    DIED = "died", _("Died")


class EndOutcome(models.TextChoices):
    """How a patient's participation ended: the outcomes a randomized patient may have, then the
    two ways a patient still in screening leaves before randomization (CONSORT 2025 "excluded")."""

    COMPLETED = "completed", _("Completed the study")
    WITHDREW_CONSENT = "withdrew_consent", _("Withdrew consent")
    INVESTIGATOR_DECISION = "investigator_decision", _("Withdrawn by the investigator")
    LOST_TO_FOLLOW_UP = "lost_to_follow_up", _("Lost to follow-up")
    DEATH = "death", _("Death")
    DECLINED = "declined", _("Declined to take part")
    OTHER = "other", _("Other reason, not randomized")


class Subject(models.Model):
    """A coded participant: site code and sequence only. Identity stays at the site (MR-001)."""

    code = models.CharField(max_length=20, unique=True)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="subjects")
    protocol_id = models.CharField(max_length=64)
    status = models.CharField(max_length=20, choices=SubjectStatus.choices, default=SubjectStatus.SCREENING)
    screening_attempt = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    participation_ended_on = models.DateField(null=True, blank=True)
    participation_end_reason = models.TextField(blank=True)
    end_outcome = models.CharField(max_length=24, choices=EndOutcome.choices, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Visit(models.Model):
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="visits")
    visit_id = models.CharField(max_length=16)
    scheduled = models.BooleanField(default=True)
    attempt = models.PositiveIntegerField(default=1)
    target_date = models.DateField(null=True, blank=True)
    earliest_date = models.DateField(null=True, blank=True)
    latest_date = models.DateField(null=True, blank=True)
    done_date = models.DateField(null=True, blank=True)
    missed = models.BooleanField(default=False)
    sequence = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["subject", "sequence", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "visit_id", "attempt"], condition=models.Q(scheduled=True),
                name="one_scheduled_visit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject.code} {self.visit_id}"


class FormState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COMPLETE = "complete", _("Complete")
    LOCKED = "locked", _("Locked")


class FormRecord(models.Model):
    """The current values of one form for one subject at one visit; revisions keep the history."""

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="form_records")
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="form_records")
    form_id = models.CharField(max_length=64)
    data = models.JSONField(default=dict)
    derived = models.JSONField(default=dict)
    revision = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=10, choices=FormState.choices, default=FormState.DRAFT)
    protocol_version = models.ForeignKey(ProtocolVersion, on_delete=models.PROTECT)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["visit", "form_id"], name="one_record_per_visit_form"),
        ]
        ordering = ["subject", "visit__sequence", "form_id"]


class FormRevision(models.Model):
    record = models.ForeignKey(FormRecord, on_delete=models.PROTECT, related_name="revisions")
    revision = models.PositiveIntegerField()
    data = models.JSONField()
    changes = models.JSONField()
    reason = models.TextField(blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    at = models.DateTimeField()
    protocol_version = models.ForeignKey(ProtocolVersion, on_delete=models.PROTECT)

    class Meta:
        ordering = ["record", "revision"]
        constraints = [
            models.UniqueConstraint(fields=["record", "revision"], name="revision_unique"),
        ]


class QueryStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class DataQuery(models.Model):
    record = models.ForeignKey(FormRecord, on_delete=models.PROTECT, related_name="queries")
    field = models.CharField(max_length=64)
    text = models.TextField()
    status = models.CharField(max_length=10, choices=QueryStatus.choices, default=QueryStatus.OPEN)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField()
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]


class AuditEvent(models.Model):
    """Append-only, hash-chained. `hash` covers every other column and the previous event's hash."""

    sequence = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    username = models.CharField(max_length=150)
    role = models.CharField(max_length=32, blank=True)
    site_code = models.CharField(max_length=8, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    subject_code = models.CharField(max_length=20, blank=True, db_index=True)
    form_id = models.CharField(max_length=64, blank=True)
    changes = models.JSONField(default=dict)
    reason = models.TextField(blank=True)
    protocol_version = models.CharField(max_length=80, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["sequence"]


class AuditHead(models.Model):
    """A single row holding the chain's head; locking it serializes appends to the chain."""

    last_sequence = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)


class AssessmentStage(models.TextChoices):
    # Labels equal to the values, as stored since the first migration (no migration needed).
    SCREENING = "screening", "screening"
    RANDOMIZATION = "randomization", "randomization"


class EligibilityAssessment(models.Model):
    """A stored eligibility decision: append-only, tied to the protocol version that made it."""

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="eligibility_assessments")
    attempt = models.PositiveIntegerField()
    stage = models.CharField(max_length=16, choices=AssessmentStage.choices)
    verdict = models.CharField(max_length=16)
    result = models.JSONField()
    # The summary the screening log and the statistics read, kept beside the full evidence (`result`)
    # so that lists of thousands of assessments need not load every criterion's inputs and reasons.
    failed_criteria = models.JSONField(default=list)
    missing_variables = models.JSONField(default=list)
    protocol_version = models.ForeignKey(ProtocolVersion, on_delete=models.PROTECT)
    evaluated_at = models.DateTimeField()
    evaluated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)

    class Meta:
        ordering = ["subject", "evaluated_at", "id"]


class VerificationState(models.TextChoices):
    """Source data verification of one form, by the monitor: its own state, beside the form's."""

    VERIFIED = "verified", _("Verified against the source")
    NOT_VERIFIED = "not_verified", _("Not verified")


class SourceVerification(models.Model):
    """The monitor's check of a form against the source documents, for one revision of its values.

    A change of the form's values (`records.signals.form_record_changed`, sent by the save action)
    sets it back to not verified, keeping who verified which revision until then.
    """

    record = models.OneToOneField(FormRecord, on_delete=models.PROTECT, related_name="verification")
    state = models.CharField(max_length=16, choices=VerificationState.choices,
                             default=VerificationState.NOT_VERIFIED)
    revision = models.PositiveIntegerField()
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField()
    invalidated_at = models.DateTimeField(null=True, blank=True)
    invalidated_by_revision = models.PositiveIntegerField(null=True, blank=True)
