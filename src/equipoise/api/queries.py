"""Data queries: reviewers raise them on a field, the site answers, the raiser closes them;
the site worklist lists them. Each route checks access to the query's subject first."""

from __future__ import annotations

from typing import Any, Literal

from django.db.models import QuerySet
from django.http import Http404
from ninja import Query, Router, Status

from equipoise.allocation.blinding import may_open_form
from equipoise.api.form_context import form_context
from equipoise.api.requests import ApiRequest
from equipoise.api.schemas import READ_ERRORS, WRITE_ERRORS, AnswerIn, QueryCreate, QueryOut
from equipoise.api.serialize import query_out
from equipoise.records.access import Rights, actor_for, roles_at, site_access, visible_sites
from equipoise.records.actions import queries as query_actions
from equipoise.records.models import DataQuery, QueryStatus
from equipoise.records.protocol_versions import protocol_of

router = Router(tags=["queries"])

_RELATED = ("record__subject__site", "record__visit", "record__protocol_version", "raised_by", "answered_by")


def _request_id(request: ApiRequest) -> str:
    return getattr(request, "request_id", "")


def _query_for(request: ApiRequest, query_id: int):
    """The query and the caller's rights on its subject; its form must be one the caller may see."""
    query = DataQuery.objects.select_related(*_RELATED).filter(pk=query_id).first()
    if query is None:
        raise Http404(f"no query {query_id}")
    record = query.record
    ctx = form_context(request, record.subject.code, str(record.visit.pk), record.form_id, write=False)
    return query, ctx


def _hidden_from_blinded(queries: QuerySet[DataQuery], user) -> list[DataQuery]:
    """Drop queries on forms the caller may not open (the form pages answer those 404)."""
    rights_at: dict[int, Rights] = {}
    shown = []
    for query in queries:
        site = query.record.subject.site
        if site.pk not in rights_at:
            rights_at[site.pk] = Rights(roles_at(user, site))
        form = protocol_of(query.record.protocol_version).form(query.record.form_id)
        if may_open_form(rights_at[site.pk], form):
            shown.append(query)
    return shown


@router.get("/queries", response={200: list[QueryOut], **READ_ERRORS})
def list_queries(
    request: ApiRequest,
    status: Query[Literal["open", "answered", "closed"] | None] = None,
    site: Query[str | None] = None,
) -> Any:
    """The worklist at the caller's sites; without `status`, the queries not yet closed."""
    sites = visible_sites(request.auth)
    if site is not None:
        chosen, _ = site_access(request.auth, site, request_id=_request_id(request))
        sites = sites.filter(pk=chosen.pk)
    queries = DataQuery.objects.filter(record__subject__site__in=sites).select_related(*_RELATED)
    queries = queries.filter(status=status) if status else queries.exclude(status=QueryStatus.CLOSED)
    return [query_out(q) for q in _hidden_from_blinded(queries.order_by("raised_at", "pk"), request.auth)]


@router.post("/queries", response={201: QueryOut, **WRITE_ERRORS})
def raise_query(request: ApiRequest, body: QueryCreate) -> Any:
    """Raise a query on one field of a saved form (data manager or monitor)."""
    ctx = form_context(request, body.subject, body.visit, body.form_id, write=False)
    actor = actor_for(request.auth, ctx.rights, ctx.subject.site, _request_id(request))
    query = query_actions.raise_query(actor, ctx.existing_record(), body.field, body.text)
    return Status(201, query_out(DataQuery.objects.select_related(*_RELATED).get(pk=query.pk)))


@router.get("/queries/{query_id}", response={200: QueryOut, **READ_ERRORS})
def get_query(request: ApiRequest, query_id: int) -> Any:
    query, _ = _query_for(request, query_id)
    return query_out(query)


@router.post("/queries/{query_id}/answer", response={200: QueryOut, **WRITE_ERRORS})
def answer_query(request: ApiRequest, query_id: int, body: AnswerIn) -> Any:
    """Answer a query (the site's data-entry roles)."""
    query, ctx = _query_for(request, query_id)
    actor = actor_for(request.auth, ctx.rights, ctx.subject.site, _request_id(request))
    query_actions.answer_query(actor, query, body.answer)
    return query_out(DataQuery.objects.select_related(*_RELATED).get(pk=query.pk))


@router.post("/queries/{query_id}/close", response={200: QueryOut, **WRITE_ERRORS})
def close_query(request: ApiRequest, query_id: int) -> Any:
    """Close a query (only the person who raised it)."""
    query, ctx = _query_for(request, query_id)
    actor = actor_for(request.auth, ctx.rights, ctx.subject.site, _request_id(request))
    query_actions.close_query(actor, query)
    return query_out(DataQuery.objects.select_related(*_RELATED).get(pk=query.pk))
