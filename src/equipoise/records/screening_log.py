"""The screening log: the latest eligibility decision of every screened patient, and failure counts.

A patient failing several criteria counts under each. These counts feed the CONSORT diagram.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from equipoise.records.models import EligibilityAssessment, Site, SubjectStatus


def failed_criteria(result: dict[str, Any]) -> list[str]:
    return [c["id"] for c in result["criteria"]
            if (c["kind"] == "inclusion" and c["status"] == "not_met")
            or (c["kind"] == "exclusion" and c["status"] == "met")]


VERDICT_LABELS = {"eligible": _("Eligible"), "not_eligible": _("Not eligible"), "incomplete": _("Incomplete")}


def log_rows(sites: Iterable[Site]) -> list[dict[str, Any]]:
    """One row per subject and screening attempt: its latest decision, whichever stage gave it (the
    randomization-stage verdict replaces the screening one, so a randomized patient is not shown as
    "incomplete, missing clasi_a_randomization"), and the subject's status today.

    One query of plain values: the stored summary (failed criteria, missing variables), never the
    full evidence, so the log of ten thousand patients reads a few columns per assessment.
    """
    latest: dict[tuple[int, int], Any] = {}
    for assessment in (EligibilityAssessment.objects.filter(subject__site__in=list(sites))
              .order_by("evaluated_at", "id")
              .values("subject_id", "attempt", "verdict", "stage", "failed_criteria", "missing_variables",
                      "evaluated_at", "subject__code", "subject__site__code", "subject__screening_attempt",
                      "subject__status", "subject__protocol_id", "protocol_version__number")):
        latest[(assessment["subject_id"], assessment["attempt"])] = assessment
    rows = []
    for a in sorted(latest.values(), key=lambda a: (a["subject__code"], a["attempt"])):
        current = a["attempt"] == a["subject__screening_attempt"]
        rows.append({
            "subject": a["subject__code"], "site": a["subject__site__code"], "attempt": a["attempt"],
            "verdict": a["verdict"], "verdict_label": VERDICT_LABELS.get(a["verdict"], a["verdict"]),
            "stage": a["stage"], "status": SubjectStatus(a["subject__status"]).label if current else "",
            "failed": a["failed_criteria"], "missing": a["missing_variables"],
            "protocol_version": f"{a['subject__protocol_id']} v{a['protocol_version__number']}",
            "evaluated_at": a["evaluated_at"],
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
