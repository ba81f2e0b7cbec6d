"""The API object: token auth on every route, strict JSON bodies, one error shape, OpenAPI 3.1.

The OpenAPI document (/api/v1/openapi.json) and its browsable docs (/api/v1/docs) need no
token: they describe the API, they hold no trial data.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.html import escape
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from equipoise.api import forms, queries, subjects
from equipoise.api.auth import TokenAuth
from equipoise.api.body import StrictJsonParser
from equipoise.api.errors import install_error_handlers
from equipoise.api.randomize import router as allocation_router


class SelfHostedSwagger(Swagger):
    """Swagger UI from our own static files only: the pages' Content-Security-Policy allows no
    third-party scripts, and a trial system should not load code from a CDN. Without the
    "ninja" app installed (which ships those files) the page just links the OpenAPI document."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs) -> HttpResponse:
        if "ninja" in settings.INSTALLED_APPS:
            return super().render_page(request, api, **kwargs)
        url = escape(self.get_openapi_url(api, kwargs))
        return HttpResponse(
            f"<!doctype html><html lang=en><title>{escape(api.title)}</title>"
            f"<p>The API is described by its OpenAPI document: <a href=\"{url}\">{url}</a></p></html>")


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="Equipoise API",
        version="1",
        description="Trial records: subjects, visits, case report forms and data queries. "
                    "Authenticate with `Authorization: Bearer <token>`; tokens come from "
                    "`equipoise api token create USERNAME`.",
        auth=TokenAuth(),
        parser=StrictJsonParser(),
        urls_namespace="api-v1",
        docs=SelfHostedSwagger(),
    )
    install_error_handlers(api)
    api.add_router("", subjects.router)
    api.add_router("", forms.router)
    api.add_router("", queries.router)
    api.add_router("", allocation_router)
    return api


api = build_api()
