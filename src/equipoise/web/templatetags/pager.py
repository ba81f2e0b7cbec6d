"""`{% page_query name number %}`: the current query string with one list's page number replaced,
so paging one list of a page keeps the others' pages, the filters and the sort."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_query(context: template.Context, name: str, number: int) -> str:
    query = context["request"].GET.copy()
    query[f"{name}_page" if name else "page"] = str(number)
    return query.urlencode()


@register.simple_tag(takes_context=True)
def sort_query(context: template.Context, key: str) -> str:
    """The query string sorting by `key`, reversed when already sorted by it; back to page 1."""
    query = context["request"].GET.copy()
    query["sort"] = f"-{key}" if query.get("sort", "code") == key else key
    query.pop("page", None)
    return query.urlencode()
