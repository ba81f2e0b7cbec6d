"""The home page: what is due today and overdue at my sites, for my role, each line a link.

- Everyone at a site: visits due now and overdue, forms missing at done visits, pregnancy tests
  due (from `treatment.site_worklist`, the same rules as the worklist); a blinded assessor gets
  the visit counts only, linked to the subject list (the treatment pages are not for them).
- Queries: open queries to answer (data entry roles), answered queries to close (whoever raised them).
- Safety (roles of the safety page, unblinded): SAE and SUSAR clocks running and overdue; lab alerts.
- Data manager, monitor and sponsor: query ageing (to `query_ageing`); data manager: complete
  forms awaiting lock (to the locking page); monitor: completed forms awaiting source data
  verification (to their list).
- Recruitment against the plan per site: randomized subjects against an equal share of the
  protocol's target on a straight line over the enrolment period (`stats_db.trial_context`).
Every count is one query (or one worklist section), whatever the trial's size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from equipoise.allocation.blinding import may_see_arm
from equipoise.allocation.models import Allocation
from equipoise.records.access import Rights, all_roles, roles_at, visible_sites
from equipoise.records.loaded_protocols import chosen_protocol_id
from equipoise.records.models import (
    DataQuery,
    FormRecord,
    FormState,
    QueryStatus,
    Site,
    Subject,
    Visit,
)
from equipoise.records.permissions import Do, may
from equipoise.records.protocol_versions import current_version, protocol_of
from equipoise.records.requests import SignedInRequest
from equipoise.records.roles import Role
from equipoise.stats_db.trial_context import enrolment_period
from equipoise.treatment.clocks import running_clocks, serious_events
from equipoise.treatment.site_worklist import site_worklist_counts
from equipoise.visits.localtime import trial_date
from equipoise.web import query_ageing
from equipoise.web.source_verification_views import awaiting_verification


@dataclass(frozen=True)
class Line:
    text: str
    count: int
    url: str
    urgent: bool = False


@dataclass
class Section:
    title: str
    lines: list[Line] = field(default_factory=list)


@dataclass(frozen=True)
class SiteRecruitment:
    site: Site
    randomized: int
    expected: int
    url: str


def _subjects_url(**params: str) -> str:
    return f"{reverse('subjects')}?{urlencode(params)}"


def expected_by(day: dt.date, start: dt.date, end: dt.date, target: int) -> int:
    """Randomizations the straight-line plan expects by `day`, for a `target` over [start, end]."""
    if day <= start:
        return 0
    if day >= end:
        return target
    return round(target * (day - start).days / (end - start).days)


def _visits(sites: list[Site], today: dt.date, unblinded_sites: list[Site]) -> Section:
    section = Section(_("Today at my sites"))
    if unblinded_sites:
        protocol = protocol_of(current_version(chosen_protocol_id()))
        counts = site_worklist_counts(Subject.objects.filter(site__in=unblinded_sites), protocol, today)
        worklist = reverse("treatment-worklist")
        section.lines += [
            Line(_("Visits due now"), counts.due, f"{worklist}#due-visits"),
            Line(_("Overdue visits"), counts.overdue, f"{worklist}#overdue-visits", urgent=True),
            Line(_("Forms missing at done visits"), counts.missing, f"{worklist}#missing-forms"),
            Line(_("Pregnancy tests due"), counts.pregnancy_tests, f"{worklist}#pregnancy-tests", urgent=True),
        ]
    else:
        pending = Visit.objects.filter(subject__site__in=sites, subject__status="randomized",
                                       done_date__isnull=True, missed=False)
        section.lines += [
            Line(_("Visits due now"), pending.filter(earliest_date__lte=today, latest_date__gte=today).count(),
                 _subjects_url(next="due")),
            Line(_("Overdue visits"), pending.filter(latest_date__lt=today).count(), _subjects_url(next="overdue"),
                 urgent=True),
        ]
    return section


def _queries(user, sites: list[Site], rights: Rights, now: dt.datetime) -> Section:
    section = Section(_("Queries"))
    at_sites = DataQuery.objects.filter(record__subject__site__in=sites)
    worklist = reverse("worklist")
    if rights.can_enter_data:
        section.lines.append(Line(_("Open queries to answer"), at_sites.filter(status=QueryStatus.OPEN).count(),
                                  f"{worklist}#open-queries", urgent=True))
    section.lines.append(Line(_("Answered queries to close (raised by me)"),
                              at_sites.filter(status=QueryStatus.ANSWERED, raised_by=user).count(),
                              f"{worklist}#open-queries"))
    if rights.roles & query_ageing.ROLES:
        ages = query_ageing.bucket_counts(at_sites.filter(query_ageing.not_closed()), now)
        ageing = reverse("query-ageing")
        texts = {"fresh": _("Queries open for less than 7 days"), "weeks": _("Queries open for 7 to 30 days"),
                 "old": _("Queries open for more than 30 days")}
        section.lines += [Line(texts[b.key], ages[b.key], f"{ageing}?age={b.key}", urgent=b.key == "old")
                          for b in query_ageing.BUCKETS]
    return section


def _safety(sites: list[Site], now: dt.datetime) -> Section:
    clocks = running_clocks(serious_events([s.pk for s in sites]), now)
    overdue = [r for r in clocks if r.clock.time_left is not None and r.clock.time_left < dt.timedelta(0)]
    dashboard = reverse("safety-dashboard")
    return Section(_("Safety"), [
        Line(_("SAE and SUSAR reporting clocks running"), len(clocks), dashboard),
        Line(_("Reporting clocks overdue"), len(overdue), dashboard, urgent=True),
    ])


def _data_review(sites: list[Site], rights: Rights) -> Section | None:
    lines = []
    if may(rights, Do.LOCK_DATA):
        complete = FormRecord.objects.filter(subject__site__in=sites, state=FormState.COMPLETE).count()
        lines.append(Line(_("Complete forms awaiting lock"), complete, reverse("data-lock")))
    if may(rights, Do.VERIFY_SOURCE_DATA):
        awaiting = awaiting_verification(rights, sites).count()
        lines.append(Line(_("Complete forms awaiting source data verification"), awaiting,
                          reverse("source-verification")))
    return Section(_("Data review"), lines) if lines else None


def _recruitment(sites: list[Site], today: dt.date) -> list[SiteRecruitment]:
    protocol = protocol_of(current_version(chosen_protocol_id()))
    start, end = enrolment_period(protocol)
    all_sites = Site.objects.count() or 1
    share = protocol.registry.enrollment / all_sites
    counts = dict(Allocation.objects.filter(subject__site__in=sites).values("subject__site")
                  .annotate(n=Count("pk")).values_list("subject__site", "n"))
    return [SiteRecruitment(site, counts.get(site.pk, 0), expected_by(today, start, end, round(share)),
                            _subjects_url(site=site.code, status="randomized")) for site in sites]


def home(request: SignedInRequest) -> HttpResponse:
    user = request.user
    sites = list(visible_sites(user))
    rights = Rights(all_roles(user))
    now = timezone.now()
    today = trial_date(now)
    unblinded = [s for s in sites if may(held := Rights(roles_at(user, s)), Do.OPEN_VISIT_WORKLIST) and may_see_arm(held)]
    sections = []
    if rights.roles - {Role.STATISTICIAN}:
        sections.append(_visits(sites, today, unblinded))
        sections.append(_queries(user, sites, rights, now))
    safety_sites = [s for s in unblinded if may(Rights(roles_at(user, s)), Do.OPEN_SAFETY_DASHBOARD)]
    if safety_sites:
        sections.append(_safety(safety_sites, now))
    review = _data_review(sites, rights)
    if review:
        sections.append(review)
    return render(request, "web/home.html", {
        "sections": sections, "recruitment": _recruitment(sites, today), "today": today,
        "statistician": Role.STATISTICIAN in rights.roles,
        "lab_alerts": bool(safety_sites),
    })
