"""Every page needs a login except the few marked `login_not_required`; the API answers for itself.

Walks the project's URL patterns, so a page added later is covered without editing this test.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# The pages anyone may open, by URL name; "health" is the server's health check.
# "invitation" and the password-reset pages are reached from an email link, before any sign-in.
PUBLIC = {"public-trial", "login", "set_language", "health", "invitation", "password-reset",
          "password-reset-confirm"}
SAMPLE_ARGUMENTS = {"code": "TNN-001", "visit_pk": 1, "form_id": "labs", "action": "record",
                    "pk": 1, "protocol_id": "nct06965244", "session_id": 1, "username": "inv_a",
                    "change": "open"}


def named_patterns(patterns=None, namespace=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def site_pages():
    return [(name, pattern) for name, pattern in named_patterns() if not name.startswith("api-v1:")]


def test_only_the_public_pages_and_the_api_skip_the_login():
    open_to_all = {name for name, pattern in named_patterns()
                   if not getattr(pattern.callback, "login_required", True)}
    site_open = {name for name in open_to_all if not name.startswith("api-v1:")}
    assert site_open <= PUBLIC, site_open - PUBLIC
    assert {"public-trial", "login", "set_language"} <= site_open
    api_names = {name for name, _ in named_patterns() if name.startswith("api-v1:")}
    assert api_names and api_names <= open_to_all


@pytest.mark.django_db
def test_anonymous_get_of_every_private_page_is_sent_to_login():
    anonymous = Client()
    checked = 0
    for name, pattern in site_pages():
        if name in PUBLIC:
            continue
        wanted = {key: SAMPLE_ARGUMENTS[key] for key in pattern.pattern.converters}
        url = reverse(name, kwargs=wanted)
        response = anonymous.get(url)
        assert response.status_code == 302, (name, url, response.status_code)
        assert response["Location"].startswith(reverse("login") + "?next="), (name, response["Location"])
        checked += 1
    assert checked >= 20


@pytest.mark.django_db
def test_the_api_refuses_an_anonymous_call_with_401_not_a_login_page():
    response = Client().get("/api/v1/subjects")
    assert response.status_code == 401 and response["Content-Type"].startswith("application/json")
