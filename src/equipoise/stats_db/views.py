"""Statistics pages and downloads, from the live database at a data cut-off.

Every view opens with `permissions.stats_access` (403 for roles without statistics rights, and
for arm-level documents asked by anyone but the unblinded statistician), reads `?cutoff=`
(default: today in Europe/Paris; a bad or future date is a 400 naming the parameter), renders
through `documents`, and leaves an audit event for every document served.

Nothing is rebuilt while the data stay the same: each document, and the analysis dataset it is
made from, is computed once per cut-off and data change (`computed`) and served from the stored
copy until an audited write moves the data on. Pages say when their figures were computed;
files carry it in the `X-Computed-At` header.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET

from equipoise.records.actor import Actor
from equipoise.records.loaded_protocols import chosen_protocol_id
from equipoise.records.protocol_versions import current_version, protocol_of
from equipoise.records.requests import SignedInRequest
from equipoise.stats.analysis_dataset import AnalysisDataset, dataset_from_json
from equipoise.stats.consort import consort_counts, pooled_counts
from equipoise.stats_db import documents
from equipoise.stats_db.computed import Computed, computed, data_mark
from equipoise.stats_db.downloads import record_download, record_dsmb
from equipoise.stats_db.extract import build_dataset
from equipoise.stats_db.permissions import stats_access
from equipoise.stats_db.trial_context import TrialContext, trial_context
from equipoise.visits.localtime import trial_date

DSMB_PARTS = ("open", "closed")


class BadParameter(ValueError):
    """A query parameter the page cannot use; the message names it, its value and the rule."""


@dataclass(frozen=True)
class Cut:
    """What one request works on: the cut-off, the trial context, its version label, the page
    language and the data mark; the dataset is read (or built) only when a document needs it."""

    cutoff: dt.date
    protocol_id: str
    context: TrialContext
    version_label: str
    lang: str
    mark: int
    fresh: bool = False

    def computed(self, document: str, compute: Callable[[], bytes], *extra: str, exact: bool = False) -> Computed:
        """`document` as stored (recent enough, unless the request asked `?fresh=1` or `exact`), else computed."""
        return computed((document, self.version_label, self.lang, *extra), self.cutoff, self.mark, compute,
                        fresh=self.fresh or exact)

    @cached_property
    def dataset(self) -> AnalysisDataset:
        built: list[AnalysisDataset] = []

        def build() -> bytes:
            built.append(build_dataset(self.cutoff, self.protocol_id, self.context))
            return built[0].to_json().encode()

        # Always of the current data: a document computed from it is stored under the current mark.
        stored = self.computed("dataset", build, exact=True)
        return built[0] if built else dataset_from_json(stored.body.decode())


def parse_cutoff(raw: str | None, today: dt.date) -> dt.date:
    """`?cutoff=YYYY-MM-DD`, defaulting to today; a future cut-off would report data not yet known."""
    if raw is None or raw == "":
        return today
    try:
        cutoff = dt.date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(f"cutoff: {raw!r} must be a date YYYY-MM-DD") from None
    if cutoff > today:
        raise BadParameter(f"cutoff: {raw} is after today ({today.isoformat()}); a cut-off cannot be in the future")
    return cutoff


def _cut(request: SignedInRequest) -> Cut:
    cutoff = parse_cutoff(request.GET.get("cutoff"), trial_date(timezone.now()))
    protocol_id = chosen_protocol_id(request.GET.get("protocol"))
    version = current_version(protocol_id)
    lang = (get_language() or "fr")[:2]
    lang = lang if lang in ("fr", "en") else "en"
    context = trial_context(protocol_of(version), lang)
    return Cut(cutoff, protocol_id, context, f"{protocol_id} v{version.number}", lang, data_mark(),
               fresh=request.GET.get("fresh") == "1")


def _file(result: Computed, content_type: str, filename: str, *, attachment: bool) -> HttpResponse:
    response = HttpResponse(result.body, content_type=content_type)
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["X-Computed-At"] = result.computed_at.isoformat()
    return response


@dataclass(frozen=True)
class ReportCopy:
    html: str
    json: bytes
    computed: Computed


def _report(cut: Cut) -> ReportCopy:
    """The statistician's report, HTML and JSON, computed together once per day of generation."""
    today = trial_date(timezone.now())

    def build() -> bytes:
        result = documents.report(cut.dataset, cut.context, today)
        return json.dumps({"html": result.html, "json": documents.report_json(result).decode()}).encode()

    stored = cut.computed("report", build, today.isoformat())
    both = json.loads(stored.body)
    return ReportCopy(both["html"], both["json"].encode(), stored)


def _name(cut: Cut, document: str, extension: str) -> str:
    return f"{cut.context.trial_id}-{document}-{cut.cutoff.isoformat()}.{extension}"


def _guard(view):
    """Answer a bad query parameter with 400 and the parameter's message, changing nothing."""

    def wrapped(request: SignedInRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except BadParameter as exc:
            return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return require_GET(never_cache(wrapped))


def _served(actor: Actor, cut: Cut, document: str, arm_level: bool) -> None:
    record_download(actor, document, cut.cutoff, arm_level=arm_level, protocol_version=cut.version_label)


@_guard
def index(request: SignedInRequest) -> HttpResponse:
    rights, _ = stats_access(request.user, request_id=request.request_id)
    cut = _cut(request)
    stored = cut.computed("flow", lambda: json.dumps(pooled_counts(consort_counts(
        cut.dataset, visit=cut.context.primary_visit))).encode())
    counts = json.loads(stored.body)
    return render(request, "stats_db/index.html", {
        "rights": rights, "cut": cut, "counts": counts, "pooled": counts["arms"]["all"],
        "today": trial_date(timezone.now()), "computed": stored,
    })


def _served_report(request: SignedInRequest, document: str) -> tuple[Cut, ReportCopy]:
    """The report, for a reader who may see arms; the download of `document` is recorded."""
    _rights, actor = stats_access(request.user, arm_level=True, request_id=request.request_id)
    cut = _cut(request)
    report = _report(cut)
    _served(actor, cut, document, True)
    return cut, report


REPORT_CSP = {"default-src": [CSP.NONE], "style-src": [CSP.UNSAFE_INLINE], "img-src": [CSP.NONE]}
"""The report is one self-contained document (it is also saved and archived as a file): its
stylesheet and its matplotlib figures' styles are inline, and it runs no script."""


@csp_override(REPORT_CSP)
@_guard
def report_page(request: SignedInRequest) -> HttpResponse:
    report = _served_report(request, "report.html")[1]
    response = HttpResponse(report.html, content_type="text/html; charset=utf-8")
    response["X-Computed-At"] = report.computed.computed_at.isoformat()
    return response


@_guard
def report_json(request: SignedInRequest) -> HttpResponse:
    cut, report = _served_report(request, "report.json")
    body = dataclasses.replace(report.computed, body=report.json)
    return _file(body, "application/json", _name(cut, "report", "json"), attachment=True)


def _consort(request: SignedInRequest, fmt: str) -> HttpResponse:
    rights, actor = stats_access(request.user, request_id=request.request_id)
    cut = _cut(request)
    body = cut.computed("consort", lambda: documents.consort(cut.dataset, cut.context, arm_level=rights.arm_level,
                                                             fmt=fmt, language=cut.lang), fmt, str(rights.arm_level))
    _served(actor, cut, f"consort.{fmt}", rights.arm_level)
    content_type = "image/svg+xml" if fmt == "svg" else "image/png"
    return _file(body, content_type, _name(cut, "consort", fmt), attachment=False)


@_guard
def consort_svg(request: SignedInRequest) -> HttpResponse:
    return _consort(request, "svg")


@_guard
def consort_png(request: SignedInRequest) -> HttpResponse:
    return _consort(request, "png")


@_guard
def table1_page(request: SignedInRequest) -> HttpResponse:
    rights, actor = stats_access(request.user, request_id=request.request_id)
    cut = _cut(request)
    # The pure renderer escapes every label and value it writes.
    stored = cut.computed("table1", lambda: documents.table1_fragment(
        cut.dataset, cut.context, arm_level=rights.arm_level, language=cut.lang).encode(), str(rights.arm_level))
    table = mark_safe(stored.body.decode())  # escaped by table1_html when it was computed
    _served(actor, cut, "table1.html", rights.arm_level)
    return render(request, "stats_db/table1.html", {"rights": rights, "cut": cut, "table": table, "computed": stored})


@_guard
def recruitment_svg(request: SignedInRequest) -> HttpResponse:
    rights, actor = stats_access(request.user, request_id=request.request_id)
    cut = _cut(request)
    body = cut.computed("recruitment", lambda: documents.recruitment(cut.dataset, cut.context, language=cut.lang))
    _served(actor, cut, "recruitment.svg", False)
    return _file(body, "image/svg+xml", _name(cut, "recruitment", "svg"), attachment=False)


@_guard
def dsmb_pdf(request: SignedInRequest) -> HttpResponse:
    rights, actor = stats_access(request.user, request_id=request.request_id)
    part = request.GET.get("part", "open")
    if part not in DSMB_PARTS:
        raise BadParameter(f"part: {part!r} must be one of {', '.join(DSMB_PARTS)}")
    # Refused before any data is read: only the unblinded statistician produces the closed part.
    if part == "closed" and not rights.arm_level:
        raise PermissionDenied("the DSMB closed part is produced by the unblinded statistician only")
    cut = _cut(request)
    today = trial_date(timezone.now())
    body = cut.computed("dsmb", lambda: documents.dsmb(cut.dataset, cut.context, include_closed=part == "closed",
                                                       generated_on=today), part, today.isoformat())
    record_dsmb(actor, part, cut.cutoff, protocol_version=cut.version_label)
    return _file(body, "application/pdf", _name(cut, f"dsmb-{part}", "pdf"), attachment=True)


@_guard
def dataset_json(request: SignedInRequest) -> HttpResponse:
    rights, actor = stats_access(request.user, arm_level=True, request_id=request.request_id)
    cut = _cut(request)
    stored = cut.computed("dataset", lambda: build_dataset(cut.cutoff, cut.protocol_id, cut.context).to_json().encode(),
                          exact=True)
    _served(actor, cut, "dataset.json", True)
    return _file(stored, "application/json", _name(cut, "dataset", "json"), attachment=True)
