"""The committed randomization list, its slots, the allocation ledger and unblinding events.

Ledgers (`Allocation`, `UnblindingEvent`) are append-only: the actions only ever create rows.
A `ListSlot` changes exactly once, when an allocation takes it (`used_at`, `subject`); its
list-defining columns (stratum, position, block, block_size, arm) never change, and the startup
check recomputes the list's SHA-256 from them to prove it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from equipoise.records.models import ProtocolVersion, Subject


class RandomizationList(models.Model):
    """A list the statistician committed to (its SHA-256) and loaded; at most one is active."""

    protocol_version = models.ForeignKey(ProtocolVersion, on_delete=models.PROTECT)
    sha256 = models.CharField(max_length=64)
    report = models.JSONField(default=dict)  # the public generation report (no seed)
    loaded_at = models.DateTimeField()
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["active"], condition=models.Q(active=True), name="one_active_list"),
        ]

    def __str__(self) -> str:
        return f"list {self.sha256[:12]}"


class ListSlot(models.Model):
    """One slot of a list. Serialized in (stratum, position) order it gives back the list bytes."""

    rlist = models.ForeignKey(RandomizationList, on_delete=models.PROTECT, related_name="slots")
    stratum = models.CharField(max_length=200)
    position = models.PositiveIntegerField()
    block = models.PositiveIntegerField()
    block_size = models.PositiveIntegerField()
    arm = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)
    subject = models.OneToOneField(Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["rlist", "stratum", "position"]
        constraints = [
            models.UniqueConstraint(fields=["rlist", "stratum", "position"], name="slot_position_unique"),
        ]
        indexes = [models.Index(fields=["rlist", "stratum", "used_at", "position"], name="slot_next_free")]


class Allocation(models.Model):
    """The ledger: one row per randomized subject, never changed or deleted."""

    subject = models.OneToOneField(Subject, on_delete=models.PROTECT, related_name="allocation")
    slot = models.OneToOneField(ListSlot, on_delete=models.PROTECT, related_name="allocation")
    number = models.CharField(max_length=32, unique=True)
    arm = models.CharField(max_length=64)
    stratum = models.CharField(max_length=200)
    allocated_at = models.DateTimeField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    protocol_version = models.ForeignKey(ProtocolVersion, on_delete=models.PROTECT)

    class Meta:
        ordering = ["allocated_at", "id"]

    def __str__(self) -> str:
        return self.number


class UnblindingEvent(models.Model):
    """An emergency unblinding: who asked, why, when. The arm itself is not stored here."""

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="unblindings")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    at = models.DateTimeField()
    protocol_version = models.ForeignKey(ProtocolVersion, on_delete=models.PROTECT)

    class Meta:
        ordering = ["at", "id"]


class ListWarning(models.Model):
    """A stratum whose list passed the warning fraction, and when the statistician was told."""

    rlist = models.ForeignKey(RandomizationList, on_delete=models.PROTECT, related_name="warnings")
    stratum = models.CharField(max_length=200)
    used = models.PositiveIntegerField()
    total = models.PositiveIntegerField()
    notified_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rlist", "stratum"], name="one_warning_per_stratum"),
        ]
