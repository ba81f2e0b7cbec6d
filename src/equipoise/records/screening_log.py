"""The screening log: the latest eligibility decision of every screened patient, and failure counts.

A patient failing several criteria counts under each. These counts feed the CONSORT diagram.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from equipoise.records.models import EligibilityAssessment, Site


def failed_criteria(result: dict[str, Any]) -> list[str]:
    return [c["id"] for c in result["criteria"]
            if (c["kind"] == "inclusion" and c["status"] == "not_met")
            or (c["kind"] == "exclusion" and c["status"] == "met")]


VERDICT_LABELS = {"eligible": _("Eligible"), "not_eligible": _("Not eligible"), "incomplete": _("Incomplete")}


def log_rows(sites: Iterable[Site]) -> list[dict[str, Any]]:
    """One row per subject and screening attempt: its latest decision, whichever stage gave it (the
    randomization-stage verdict replaces the screening one, so a randomized patient is not shown as
    "incomplete, missing clasi_a_randomization"), and the subject's status today."""
    latest: dict[tuple[int, int], EligibilityAssessment] = {}
    for a in (EligibilityAssessment.objects.filter(subject__site__in=list(sites))
              .select_related("subject__site").order_by("evaluated_at", "id")):
        latest[(a.subject_id, a.attempt)] = a
    rows = []
    for a in sorted(latest.values(), key=lambda a: (a.subject.code, a.attempt)):
        current = a.attempt == a.subject.screening_attempt
        rows.append({
            "subject": a.subject.code, "site": a.subject.site.code, "attempt": a.attempt, "verdict": a.verdict,
            "verdict_label": VERDICT_LABELS.get(a.verdict, a.verdict), "stage": a.stage,
            "status": a.subject.get_status_display() if current else "",
            "failed": failed_criteria(a.result), "missing": a.result.get("missing", []),
            "protocol_version": a.result.get("protocol_version", ""), "evaluated_at": a.evaluated_at,
        })
    return rows


def failure_counts(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts for the log's summary: verdicts, and failures by criterion."""
    return {
        "screened": len({r["subject"] for r in rows}),
        "verdicts": dict(Counter(r["verdict"] for r in rows)),
        "verdicts_shown": [(VERDICT_LABELS.get(v, v), n) for v, n in Counter(r["verdict"] for r in rows).items()],
        "by_criterion": dict(sorted(Counter(c for r in rows for c in r["failed"]).items())),
    }
