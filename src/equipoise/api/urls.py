"""URL patterns of the API, mounted by the project at /api/v1/ with `include`.

The namespace must be the API's own (`api-v1`): ninja reverses its OpenAPI and docs URLs in it.
A path the API does not know gets the API's JSON answer (401 without a token, else 404), never
the site's HTML page. Every API view is `login_not_required` for the site's session login: the API
checks its own tokens and answers 401 itself.
"""

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja.errors import AuthenticationError

from equipoise.api.app import api
from equipoise.api.auth import TokenAuth
from equipoise.api.errors import error_body, implied_error


@login_not_required
@csrf_exempt
def unknown_route(request: HttpRequest) -> HttpResponse:
    if not TokenAuth()(request):
        return api.on_exception(request, AuthenticationError())
    message = f"no API route {request.path}"
    return api.create_response(request, error_body(message, [implied_error(404, message)]), status=404)


def token_checked(urls: tuple[list[Any], str, str]) -> tuple[list[Any], str, str]:
    """An API's `urls` with every view `login_not_required`: the site's session login does not
    apply, the API checks its own tokens and answers 401 itself."""
    for pattern in urls[0]:
        if pattern.callback is not None:
            login_not_required(pattern.callback)
    return urls


_patterns, _ninja_app_name, app_name = token_checked(api.urls)
# ninja's own root view answers an HTML 404; the root keeps its name (ninja reverses it to find
# the API's prefix) but answers like any unknown route.
urlpatterns = [
    *(path("", unknown_route, name="api-root") if getattr(p, "name", None) == "api-root" else p
      for p in _patterns),
    re_path(r"^.*$", unknown_route, name="unknown-route"),
]
