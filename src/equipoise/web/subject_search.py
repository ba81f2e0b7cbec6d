"""The subject list's query: search by code, filters, sort, and the next-visit and overdue columns.

Everything is one annotated queryset that the paginator cuts into pages, so a page costs the same
few queries whatever the number of subjects (the next visit and the counts are correlated
subqueries, evaluated by the database for the rows of the page).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from equipoise.records.models import DataQuery, QueryStatus, Site, Subject, SubjectStatus, Visit

# sort key in the URL -> ORDER BY (a leading "-" in the URL reverses it)
SORTS = {"code": ("code",), "site": ("site__code", "code"), "status": ("status", "code"),
         "next_visit": ("next_visit_date", "code"), "overdue": ("overdue_visits", "code")}
NEXT_VISIT_FILTERS = {
    "overdue": _("Overdue"),
    "due": _("Due now"),
    "week": _("Within 7 days"),
    "month": _("Within 30 days"),
}


@dataclass(frozen=True)
class SubjectQuery:
    """What the person asked for, already checked: unknown values fall back to no filter."""

    q: str = ""
    site: str = ""
    status: str = ""
    next_visit: str = ""
    sort: str = "code"

    @classmethod
    def from_params(cls, params: Mapping[str, str], sites: list[Site]) -> SubjectQuery:
        site = params.get("site", "")
        status = params.get("status", "")
        next_visit = params.get("next", "")
        sort = params.get("sort", "code")
        return cls(
            q=params.get("q", "").strip()[:20],
            site=site if site in {s.code for s in sites} else "",
            status=status if status in SubjectStatus.values else "",
            next_visit=next_visit if next_visit in NEXT_VISIT_FILTERS else "",
            sort=sort if sort.lstrip("-") in SORTS else "code",
        )


def _pending() -> QuerySet[Visit]:
    """Visits still to do (not done, not missed) that are dated, of the outer subject while in the
    trial (randomized; after withdrawal, loss or completion nothing is due any more)."""
    return Visit.objects.filter(subject=OuterRef("pk"), subject__status=SubjectStatus.RANDOMIZED,
                                done_date__isnull=True, missed=False, target_date__isnull=False)


def _count(queryset: QuerySet, subject_field: str = "subject") -> Coalesce:
    counted = queryset.order_by().values(subject_field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def subject_rows(subjects: QuerySet[Subject], query: SubjectQuery, today: dt.date, *,
                 with_queries: bool) -> QuerySet[Subject]:
    """`subjects` narrowed and sorted as asked, each annotated with its next visit (id, target
    date, window) and its number of overdue visits (and open queries when `with_queries`)."""
    nxt = _pending().order_by("target_date", "sequence", "id")
    rows = subjects.select_related("site").annotate(
        next_visit_id=Subquery(nxt.values("visit_id")[:1]),
        next_visit_scheduled=Subquery(nxt.values("scheduled")[:1]),
        next_visit_date=Subquery(nxt.values("target_date")[:1]),
        next_visit_latest=Subquery(nxt.values("latest_date")[:1]),
        overdue_visits=_count(_pending().filter(latest_date__lt=today)),
    )
    if with_queries:
        rows = rows.annotate(open_queries=_count(DataQuery.objects.filter(
            record__subject=OuterRef("pk"), status__in=[QueryStatus.OPEN, QueryStatus.ANSWERED]),
            "record__subject"))
    if query.q:
        rows = rows.filter(code__icontains=query.q)
    if query.site:
        rows = rows.filter(site__code=query.site)
    if query.status:
        rows = rows.filter(status=query.status)
    if query.next_visit == "overdue":
        rows = rows.filter(overdue_visits__gt=0)
    elif query.next_visit == "due":
        rows = rows.filter(status=SubjectStatus.RANDOMIZED, pk__in=Visit.objects.filter(
            done_date__isnull=True, missed=False, earliest_date__lte=today, latest_date__gte=today).values("subject_id"))
    elif query.next_visit in ("week", "month"):
        days = 7 if query.next_visit == "week" else 30
        rows = rows.filter(next_visit_date__gte=today, next_visit_date__lte=today + dt.timedelta(days=days))
    order = SORTS[query.sort.lstrip("-")]
    if query.sort.startswith("-"):
        order = tuple(f"-{field}" for field in order)
    return rows.order_by(*order)
