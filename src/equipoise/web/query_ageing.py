"""Query ageing for the data manager: queries not yet closed, by age bucket and site, then listed.

The buckets (under 7 days, 7 to 30 days, over 30 days) are the home page's. The summary is one
aggregate query grouped by site; the list is paginated, oldest first, with the subject, visit and
form read in the same query: the page costs the same number of queries whatever the trial's size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from equipoise.protocol.schema import Protocol
from equipoise.records.access import Rights, all_roles, visible_sites
from equipoise.records.models import DataQuery, FormRecord, QueryStatus
from equipoise.records.protocol_versions import current_version, protocol_of
from equipoise.records.requests import SignedInRequest
from equipoise.records.roles import Role
from equipoise.web.worklist_views import openable_forms

PER_PAGE = 25
ROLES = frozenset({Role.DATA_MANAGER, Role.MONITOR, Role.SPONSOR_ADMIN})


@dataclass(frozen=True)
class Bucket:
    key: str
    label: object  # a lazy translation
    newer_than_days: int | None  # raised less than this many days ago (None: no lower bound on age)
    older_than_days: int | None  # raised at least this many days ago

    def condition(self, now: dt.datetime, prefix: str = "") -> Q:
        q = Q()
        if self.newer_than_days is not None:
            q &= Q(**{f"{prefix}raised_at__gte": now - dt.timedelta(days=self.newer_than_days)})
        if self.older_than_days is not None:
            q &= Q(**{f"{prefix}raised_at__lt": now - dt.timedelta(days=self.older_than_days)})
        return q


BUCKETS = (
    Bucket("fresh", _("Less than 7 days"), 7, None),
    Bucket("weeks", _("7 to 30 days"), 30, 7),
    Bucket("old", _("More than 30 days"), None, 30),
)
BY_KEY = {b.key: b for b in BUCKETS}


def not_closed() -> Q:
    return ~Q(status=QueryStatus.CLOSED)


def bucket_counts(queries, now: dt.datetime) -> dict[str, int]:
    """How many of `queries` fall in each bucket: one aggregate query."""
    return queries.aggregate(**{b.key: Count("pk", filter=b.condition(now)) for b in BUCKETS})


@dataclass(frozen=True)
class Row:
    query: DataQuery
    form_title: str
    age_days: int


def query_ageing(request: SignedInRequest) -> HttpResponse:
    rights = Rights(all_roles(request.user))
    if not rights.roles & ROLES:
        raise PermissionDenied("query ageing is for the data manager and the monitor")
    sites = list(visible_sites(request.user))
    openable = FormRecord.objects.filter(openable_forms(rights, sites), subject__site__in=sites)
    queries = DataQuery.objects.filter(not_closed(), record__in=openable)
    now = timezone.now()
    by_site: list[dict[str, Any]] = [dict(row) for row in queries.values("record__subject__site__code").order_by("record__subject__site__code")
                   .annotate(**{b.key: Count("pk", filter=b.condition(now)) for b in BUCKETS})]
    summary = [{"site": row["record__subject__site__code"], "cells": [(b, row[b.key]) for b in BUCKETS]}
               for row in by_site]
    totals = [(b, sum(row[b.key] for row in by_site)) for b in BUCKETS]
    site_code = request.GET.get("site", "")
    bucket = BY_KEY.get(request.GET.get("age", ""))
    listed = queries
    if site_code:
        listed = listed.filter(record__subject__site__code=site_code)
    if bucket:
        listed = listed.filter(bucket.condition(now))
    listed = listed.select_related("record__subject__site", "record__visit").order_by("raised_at", "id")
    page = Paginator(listed, PER_PAGE).get_page(request.GET.get("page"))
    lang = get_language() or "fr"

    @cache
    def protocol(protocol_id: str) -> Protocol:
        return protocol_of(current_version(protocol_id))

    rows = [Row(q, protocol(q.record.subject.protocol_id).form(q.record.form_id).title.get(lang),
                (now - q.raised_at).days) for q in page]
    return render(request, "web/query_ageing.html", {
        "buckets": BUCKETS, "summary": summary, "totals": totals, "page": page, "rows": rows,
        "site_code": site_code, "bucket": bucket, "sites": sites,
    })

