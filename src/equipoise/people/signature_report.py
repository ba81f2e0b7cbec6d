"""The signatures over a record, as data for the API and the exports (printed name, time, meaning,
whether they still stand)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import translation

from equipoise.people.actions.signatures import status
from equipoise.people.models import Signature, SignatureScope
from equipoise.records.models import FormRecord


def signatures_over(record: FormRecord) -> list[dict[str, Any]]:
    """Every signature of the record's visit, and of its subject's casebook, newest first."""
    signatures = Signature.objects.filter(
        Q(scope=SignatureScope.VISIT, visit_id=record.visit_id) | Q(scope=SignatureScope.CASEBOOK),
        subject_id=record.subject_id).select_related("subject", "visit")
    with translation.override("en"):
        return [{
            "scope": s.scope, "printed_name": s.printed_name, "role": s.role,
            "meaning": str(s.get_meaning_display()), "signed_at": s.signed_at, "status": status(s),
            "invalidated_by": s.invalidated_by, "content_sha256": s.content_sha256,
        } for s in signatures]
