"""What a signature covers, and its hash.

The content names the subject and, for each form record signed, its visit, form, record key,
revision and values; the SHA-256 of its canonical JSON is stored with the signature. The hash ties
the signature to these records: copied onto another record, or left on a changed one, it no
longer matches.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from equipoise.records.models import FormRecord, Subject, Visit


def content_of(subject: Subject, visit: Visit | None) -> dict[str, Any]:
    records = FormRecord.objects.filter(subject=subject).select_related("visit")
    if visit is not None:
        records = records.filter(visit=visit)
    return {
        "subject": subject.code,
        "visit": None if visit is None else {"id": visit.visit_id, "attempt": visit.attempt, "key": visit.pk},
        "records": [
            {"visit": r.visit.visit_id, "visit_key": r.visit_id, "form": r.form_id, "record": r.pk,
             "revision": r.revision, "data": r.data}
            for r in records.order_by("visit__sequence", "visit_id", "form_id")
        ],
    }


def content_hash(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
