"""Invitations, electronic signatures and the sessions a user holds.

Sites and role memberships stay in `records` (trial data points at them); the second factor's
devices are django-otp's (`otp_totp`, `otp_static`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from equipoise.records.models import Subject, Visit


class Invitation(models.Model):
    """A one-time link to set a password and enrol a second factor; only its SHA-256 is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invitations")
    token_sha256 = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # A newer invitation for the same person replaces this one.
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class Preferences(models.Model):
    """What a person chose for themselves: the language the emails sent to them are written in.

    A person without a row reads the site's language (`settings.LANGUAGE_CODE`, French).
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)


class SignatureMeaning(models.TextChoices):
    ACCURATE_COMPLETE = "accurate_complete", _("I confirm these data are accurate and complete")


class SignatureScope(models.TextChoices):
    VISIT = "visit", _("Visit forms")
    CASEBOOK = "casebook", _("Casebook")


class Signature(models.Model):
    """An investigator's electronic signature over a visit's forms or a subject's whole casebook.

    `content_sha256` is the hash of exactly what was signed (each record's form, revision and
    values); the signature stands only while the records still hash to it. A change through the
    save action marks it invalidated and says what changed.
    """

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="signatures")
    visit = models.ForeignKey(Visit, null=True, blank=True, on_delete=models.PROTECT, related_name="signatures")
    scope = models.CharField(max_length=10, choices=SignatureScope.choices)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signatures")
    printed_name = models.CharField(max_length=300)
    role = models.CharField(max_length=32)
    meaning = models.CharField(max_length=32, choices=SignatureMeaning.choices)
    signed_at = models.DateTimeField()
    content_sha256 = models.CharField(max_length=64)
    content = models.JSONField()
    invalidated_at = models.DateTimeField(null=True, blank=True)
    invalidated_by = models.TextField(blank=True)
    # What changed, for showing it in the reader's language: form, visit, revision, fields.
    invalidated_change = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-signed_at", "-id"]


class UserSession(models.Model):
    """A signed-in session of a user, so they (and an administrator) can see and end it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tracked_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    started_at = models.DateTimeField()
    user_agent = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
