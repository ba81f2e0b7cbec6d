"""The screening log: the latest eligibility decision of every screened patient, and failure counts.

A patient failing several criteria counts under each. These counts feed the CONSORT diagram.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from equipoise.records.models import EligibilityAssessment, Site, SubjectStatus


def failed_criteria(result: dict[str, Any]) -> list[str]:
    return [c["id"] for c in result["criteria"]
            if (c["kind"] == "inclusion" and c["status"] == "not_met")
            or (c["kind"] == "exclusion" and c["status"] == "met")]


VERDICT_LABELS = {"eligible": _("Eligible"), "not_eligible": _("Not eligible"), "incomplete": _("Incomplete")}


FIELDS = ("subject_id", "attempt", "verdict", "stage", "failed_criteria", "missing_variables", "evaluated_at",
          "subject__code", "subject__site__code", "subject__screening_attempt", "subject__status",
          "subject__protocol_id", "protocol_version__number")


def latest_assessments(sites: Iterable[Site]) -> QuerySet[EligibilityAssessment]:
    """One assessment per subject and screening attempt, its latest decision, whichever stage gave it
    (the randomization-stage verdict replaces the screening one, so a randomized patient is not shown
    as "incomplete, missing clasi_a_randomization"), by subject code and attempt. A queryset: the
    database picks the rows, and a page of the log reads only its own."""
    newest = (EligibilityAssessment.objects.filter(subject=OuterRef("subject"), attempt=OuterRef("attempt"))
              .order_by("-evaluated_at", "-id").values("pk")[:1])
    return (EligibilityAssessment.objects.filter(subject__site__in=list(sites), pk=Subquery(newest))
            .order_by("subject__code", "attempt"))


def _row(a: dict[str, Any]) -> dict[str, Any]:
    current = a["attempt"] == a["subject__screening_attempt"]
    return {
        "subject": a["subject__code"], "site": a["subject__site__code"], "attempt": a["attempt"],
        "verdict": a["verdict"], "verdict_label": VERDICT_LABELS.get(a["verdict"], a["verdict"]),
        "stage": a["stage"], "status": SubjectStatus(a["subject__status"]).label if current else "",
        "failed": a["failed_criteria"], "missing": a["missing_variables"],
        "protocol_version": f"{a['subject__protocol_id']} v{a['protocol_version__number']}",
        "evaluated_at": a["evaluated_at"],
    }


class LogRows:
    """The log's rows as the paginator reads them: a count, and one slice turned into rows."""

    def __init__(self, assessments: QuerySet[EligibilityAssessment], total: int):
        self.assessments, self.total = assessments, total  # total: the summary's count of rows

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        return [_row(a) for a in self.assessments.values(*FIELDS)[index]]


def log_rows(sites: Iterable[Site]) -> list[dict[str, Any]]:
    """Every row of the log (the CSV download): the stored summary (failed criteria, missing
    variables), never the full evidence, so the log of ten thousand patients reads a few columns
    per assessment."""
    return [_row(a) for a in latest_assessments(sites).values(*FIELDS)]


def failure_counts(assessments: QuerySet[EligibilityAssessment]) -> dict[str, Any]:
    """Counts for the log's summary: verdicts, and failures by criterion, counted by the database
    except the failed criteria of the assessments that have some."""
    verdicts = dict(assessments.order_by().values_list("verdict").annotate(n=Count("pk")).values_list("verdict", "n"))
    failed = Counter(c for criteria in assessments.exclude(failed_criteria=[]).order_by()
                     .values_list("failed_criteria", flat=True) for c in criteria)
    return {
        "screened": len({subject for subject, _ in assessments.order_by().values_list("subject_id", "attempt")}),
        "rows": sum(verdicts.values()),
        "verdicts": verdicts,
        "verdicts_shown": [(VERDICT_LABELS.get(v, v), n) for v, n in verdicts.items()],
        "by_criterion": dict(sorted(failed.items())),
    }
