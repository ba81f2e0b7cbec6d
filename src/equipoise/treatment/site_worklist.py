"""The site worklist at a given Paris `today`, in a fixed number of queries whatever the trial's size.

The per-subject functions of `treatment.worklist` read one subject at a time (about fourteen
queries each); a site page cannot afford that. Here:

- due and overdue visits are chosen by the database on their stored windows and read a page at a
  time (the same rules as `visits.calendar.visit_status`: not done, not missed, window open or closed);
- forms missing at done visits are found by counting, per visit, the expected forms that are
  complete or locked (the pregnancy test counted only for women of childbearing potential, as
  recorded on the current screening form), then read a page at a time;
- pregnancy tests due are decided per woman by `safety.pregnancy` as on the subject page, from
  facts read for all candidate women at once (first dispensing, stops, end-of-treatment visit,
  end of participation, qualifying tests): one query per kind of fact.

Every section is a `django.core.paginator.Page`, numbered by its own query parameter.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Min, Q, QuerySet

from equipoise.protocol.schema import Protocol
from equipoise.records.models import (
    AuditEvent,
    FormRecord,
    FormState,
    Subject,
    SubjectStatus,
    Visit,
)
from equipoise.safety.parameters import PregnancyRules
from equipoise.safety.pregnancy import (
    PregnancyTestState,
    PregnancyTestStatus,
    pregnancy_test_due_dates,
    pregnancy_test_status,
)
from equipoise.stats_db.computed import READ_ACTIONS
from equipoise.treatment.facts import (
    PREGNANCY_FORM,
    counts_as_negative,
    pregnancy_test_of,
    required_test_fields,
)
from equipoise.treatment.models import DoseChange, DoseChangeKind
from equipoise.treatment.worklist import VisitRow, status_of, visit_label

PER_PAGE = 25
DONE_STATES = (FormState.COMPLETE, FormState.LOCKED)


@dataclass(frozen=True)
class MissingForm:
    id: str
    title: str


@dataclass(frozen=True)
class MissingRow:
    row: VisitRow
    forms: list[MissingForm]


@dataclass
class SiteWorklist:
    today: dt.date
    due: Page
    overdue: Page
    missing: Page
    pregnancy_tests: Page


class SubjectIdRow(TypedDict):
    subject_id: int


def childbearing_subjects() -> QuerySet[FormRecord, SubjectIdRow]:
    """Ids of subjects whose current screening form records a woman of childbearing potential (an
    unrecorded potential counts as potential, like `facts.PatientFacts`), as a subquery."""
    return (FormRecord.objects.filter(form_id="screening", visit__visit_id="SCR", visit__scheduled=True,
                                      visit__attempt=F("subject__screening_attempt"), data__sex="female")
            .filter(Q(data__childbearing_potential=True) | Q(data__childbearing_potential__isnull=True)
                    | Q(data__childbearing_potential=None))
            .values("subject_id"))


def _page(items: Any, pages: Mapping[str, str], name: str, per_page: int) -> Page:
    return Paginator(items, per_page).get_page(pages.get(f"{name}_page"))


def _rows(visits: Iterable[Visit], protocol: Protocol, today: dt.date, lang: str) -> list[VisitRow]:
    return [VisitRow(v.subject, v, visit_label(protocol, v, lang), status_of(v, today)) for v in visits]


class _Rows:
    """A sliceable queryset of visits that the paginator turns into `VisitRow`s, one page at a time."""

    def __init__(self, visits: QuerySet[Visit], convert):
        self.visits, self.convert = visits, convert

    def count(self) -> int:
        return self.visits.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list:
        return self.convert(list(self.visits[index]))


def _missing_condition(protocol: Protocol) -> Q:
    """Per scheduled visit kind: fewer complete non-pregnancy forms than expected; or, at a kind that
    expects a pregnancy test, a woman of childbearing potential without a complete one. Each subquery
    appears once (not once per visit kind: PostgreSQL ran each copy), and none is correlated."""
    condition = Q(pk__in=[])
    for visit in protocol.schedule.visits:
        others = [f for f in visit.forms if f != PREGNANCY_FORM]
        if others:
            condition |= Q(visit_id=visit.id, n_done__lt=len(others))
    with_test = [v.id for v in protocol.schedule.visits if PREGNANCY_FORM in v.forms]
    if with_test:
        pregnancy_done = FormRecord.objects.filter(form_id=PREGNANCY_FORM, state__in=DONE_STATES).values("visit_id")
        condition |= (Q(visit_id__in=with_test) & Q(subject_id__in=childbearing_subjects())
                      & ~Q(pk__in=pregnancy_done))
    return condition


def _missing_rows(protocol: Protocol, today: dt.date, lang: str):
    def convert(visits: list[Visit]) -> list[MissingRow]:
        childbearing = set(childbearing_subjects().filter(subject_id__in={v.subject_id for v in visits})
                           .values_list("subject_id", flat=True))
        states: dict[int, dict[str, str]] = defaultdict(dict)
        for visit_pk, form_id, state in FormRecord.objects.filter(visit__in=[v.pk for v in visits]).values_list(
                "visit_id", "form_id", "state"):
            states[visit_pk][form_id] = state
        out = []
        for visit, row in zip(visits, _rows(visits, protocol, today, lang), strict=True):
            expected = [f for f in protocol.visit(visit.visit_id).forms
                        if visit.subject_id in childbearing or f != PREGNANCY_FORM]
            forms = [MissingForm(f, protocol.form(f).title.get(lang)) for f in expected
                     if states[visit.pk].get(f) not in DONE_STATES]
            out.append(MissingRow(row, forms))
        return out

    return convert


# Forms whose saves can move a woman on the test calendar: the test itself, and the screening form
# (sex and childbearing potential). Saves of every other form cannot.
PREGNANCY_FACT_FORMS = (PREGNANCY_FORM, "screening")


def pregnancy_mark() -> str:
    """The hash of the last audited change that can move a woman on the pregnancy-test calendar:
    every data change (dispensings, stops, visits, ends of participation...) except saves of forms
    that are neither the pregnancy test nor the screening form. The chain hash names the whole
    history up to it, so a restored or rebuilt database never reuses another one's answer."""
    last = (AuditEvent.objects.exclude(action__in=READ_ACTIONS)
            .filter(Q(form_id="") | Q(form_id__in=PREGNANCY_FACT_FORMS))
            .order_by("-sequence").values_list("hash", flat=True).first())
    return last or ""


def pregnancy_tests_due(subjects: QuerySet[Subject], protocol: Protocol, today: dt.date
                        ) -> list[tuple[Subject, PregnancyTestStatus]]:
    """Women of childbearing potential on the test calendar whose test is due or overdue today.

    Deciding it reads every woman's whole test history (the first unsatisfied due date decides, however
    old), so the answer is kept per set of subjects, protocol, day and `pregnancy_mark`, and read again
    only after a change that can move it: lab saves and other forms' saves do not."""
    scope = hashlib.sha256(str(subjects.values("pk").query).encode()).hexdigest()
    key = f"pregnancy-tests-due|{scope}|{protocol.id}|{today.isoformat()}|{pregnancy_mark()}"
    found = cache.get(key)
    if found is None:
        found = _pregnancy_tests_due(subjects, protocol, today)
        cache.set(key, found, timeout=24 * 3600)
    return found


def _pregnancy_tests_due(subjects: QuerySet[Subject], protocol: Protocol, today: dt.date
                         ) -> list[tuple[Subject, PregnancyTestStatus]]:
    rules = PregnancyRules.from_safety(protocol.safety)
    women = list(subjects.filter(pk__in=childbearing_subjects(), status=SubjectStatus.RANDOMIZED)
                 .annotate(first_dose=Min("dispensings__dispensed_on")).filter(first_dose__isnull=False)
                 .select_related("site").order_by("code"))
    if not women:
        return []
    pks = [w.pk for w in women]
    stops: dict[int, dt.date] = {}
    for subject_pk, effective_on in (DoseChange.objects.filter(subject__in=pks, kind=DoseChangeKind.STOP)
                                     .order_by("effective_on", "id").values_list("subject_id", "effective_on")):
        stops[subject_pk] = effective_on  # the last stop replayed, as `facts.drug_state` does
    eot_ids = [v.id for v in protocol.schedule.visits if v.kind == "end_of_treatment"]
    eot_done: dict[int, dt.date] = {}
    for subject_pk, done in (Visit.objects.filter(subject__in=pks, visit_id__in=eot_ids, scheduled=True,
                                                  done_date__isnull=False)
                             .order_by("-sequence", "-id").values_list("subject_id", "done_date")):
        if done is not None:
            eot_done[subject_pk] = done
    taken: dict[int, list[dt.date]] = defaultdict(list)
    required = required_test_fields(protocol)
    for subject_pk, data, state in (FormRecord.objects.filter(subject__in=pks, form_id=PREGNANCY_FORM)
                                    .values_list("subject_id", "data", "state")):
        test = pregnancy_test_of(data, state in (FormState.COMPLETE, FormState.LOCKED), required)
        if test is not None and counts_as_negative(test, rules.test_threshold_miu_ml):
            taken[subject_pk].append(test.taken_on)
    out: list[tuple[Subject, PregnancyTestStatus]] = []
    for woman in women:
        stop: dt.date | None = stops.get(woman.pk)
        if stop is not None and stop < woman.first_dose:
            stop = None  # a stop before the first dose does not end the treatment (`worklist.treatment_end`)
        ends = [d for d in (stop, eot_done.get(woman.pk), woman.participation_ended_on) if d is not None]
        last_dose = min(ends) if ends else None
        until = today + dt.timedelta(days=rules.test_max_days_before_prescription)
        dues = pregnancy_test_due_dates(woman.first_dose, last_dose, rules, until=None if last_dose else until)
        status = pregnancy_test_status(today, dues, taken[woman.pk], rules)
        if status.state in (PregnancyTestState.DUE, PregnancyTestState.OVERDUE):
            out.append((woman, status))
    return out


@dataclass(frozen=True)
class _Sections:
    """The visit sections' querysets, not yet read."""

    due: QuerySet[Visit]
    overdue: QuerySet[Visit]
    missing: QuerySet[Visit]


def _sections(subjects: QuerySet[Subject], protocol: Protocol, today: dt.date) -> _Sections:
    randomized = subjects.filter(status=SubjectStatus.RANDOMIZED)
    dated = (Visit.objects.filter(subject__in=randomized, done_date__isnull=True, missed=False,
                                  target_date__isnull=False, earliest_date__isnull=False, latest_date__isnull=False)
             .select_related("subject", "subject__site"))
    due = dated.filter(earliest_date__lte=today, latest_date__gte=today).order_by("target_date", "subject__code", "id")
    overdue = dated.filter(latest_date__lt=today).order_by("latest_date", "subject__code", "id")
    # The forms are counted per visit over narrow rows (ids only), and only the visits found short are
    # then read with their subject and site: grouping the joined rows by every selected column made
    # PostgreSQL sort 100,000 wide rows at 10,000 subjects.
    short = (Visit.objects.filter(subject__in=randomized, scheduled=True, done_date__isnull=False)
             .order_by().values("pk", "visit_id", "subject_id")
             .annotate(n_done=Count("form_records", filter=Q(form_records__state__in=DONE_STATES)
                                    & ~Q(form_records__form_id=PREGNANCY_FORM)))
             .filter(_missing_condition(protocol)).values("pk"))
    done = (Visit.objects.filter(pk__in=short).select_related("subject", "subject__site")
            .order_by("done_date", "subject__code", "id"))
    return _Sections(due, overdue, done)


@dataclass(frozen=True)
class SiteWorklistCounts:
    due: int
    overdue: int
    missing: int
    pregnancy_tests: int


def site_worklist_counts(subjects: QuerySet[Subject], protocol: Protocol, today: dt.date) -> SiteWorklistCounts:
    """How many lines each section of `site_worklist` has, without reading any of them (the home page)."""
    sections = _sections(subjects, protocol, today)
    return SiteWorklistCounts(
        due=sections.due.order_by().count(), overdue=sections.overdue.order_by().count(),
        missing=sections.missing.order_by().count(),
        pregnancy_tests=len(pregnancy_tests_due(subjects, protocol, today)))


def site_worklist(subjects: QuerySet[Subject], protocol: Protocol, today: dt.date, lang: str,
                  pages: Mapping[str, str] | None = None, per_page: int | None = None) -> SiteWorklist:
    """Today's and overdue visits, forms missing at done visits and pregnancy tests due, for the
    randomized subjects among `subjects`, each section paginated (`?due_page=`, `?overdue_page=`...)."""
    pages = pages or {}
    per_page = per_page or PER_PAGE
    sections = _sections(subjects, protocol, today)

    def rows(visits: list[Visit]) -> list[VisitRow]:
        return _rows(visits, protocol, today, lang)

    return SiteWorklist(
        today=today,
        due=_page(_Rows(sections.due, rows), pages, "due", per_page),
        overdue=_page(_Rows(sections.overdue, rows), pages, "overdue", per_page),
        missing=_page(_Rows(sections.missing, _missing_rows(protocol, today, lang)), pages, "missing", per_page),
        pregnancy_tests=_page(pregnancy_tests_due(subjects, protocol, today), pages, "tests", per_page),
    )
