"""The screening log: the latest eligibility decision of every screened patient, and failure counts.

A patient failing several criteria counts under each. These counts feed the CONSORT diagram.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from equipoise.records.models import AssessmentStage, EligibilityAssessment, Site


def failed_criteria(result: dict[str, Any]) -> list[str]:
    return [c["id"] for c in result["criteria"]
            if (c["kind"] == "inclusion" and c["status"] == "not_met")
            or (c["kind"] == "exclusion" and c["status"] == "met")]


def log_rows(sites: Iterable[Site]) -> list[dict[str, Any]]:
    """One row per subject and screening attempt: its latest screening-stage decision."""
    latest: dict[tuple[int, int], EligibilityAssessment] = {}
    for a in (EligibilityAssessment.objects.filter(subject__site__in=list(sites), stage=AssessmentStage.SCREENING)
              .select_related("subject__site").order_by("evaluated_at", "id")):
        latest[(a.subject_id, a.attempt)] = a
    rows = []
    for a in sorted(latest.values(), key=lambda a: (a.subject.code, a.attempt)):
        rows.append({
            "subject": a.subject.code, "site": a.subject.site.code, "attempt": a.attempt, "verdict": a.verdict,
            "failed": failed_criteria(a.result), "missing": a.result.get("missing", []),
            "protocol_version": a.result.get("protocol_version", ""), "evaluated_at": a.evaluated_at,
        })
    return rows


def failure_counts(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts for the log's summary: verdicts, and failures by criterion."""
    return {
        "screened": len({r["subject"] for r in rows}),
        "verdicts": dict(Counter(r["verdict"] for r in rows)),
        "by_criterion": dict(sorted(Counter(c for r in rows for c in r["failed"]).items())),
    }
