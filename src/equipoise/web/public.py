"""The public trial page: what anyone may read about a trial, without logging in.

The page is rendered from the protocol files under `settings.PROTOCOLS_DIR`, in French or
English: `?lang=fr|en` chooses, otherwise the language Django picked for the request. Protocols
are cached by directory and the modification times of their files, so an edited protocol shows
at the next request without reloading on every hit.
"""

from __future__ import annotations

import dataclasses
import re
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation

from equipoise.protocol import schema
from equipoise.protocol.loader import load_protocol
from equipoise.registry.labels import LANGUAGES, enum_label
from equipoise.registry.public_page import PublicPage, SiteView, build_page

PROTOCOL_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def _files_stamp(directory: Path) -> tuple[tuple[str, int], ...]:
    """Name and modification time of every file of a protocol: changes when any file does."""
    return tuple(sorted(
        (str(path.relative_to(directory)), path.stat().st_mtime_ns)
        for path in directory.rglob("*.y*ml")
    ))


@lru_cache(maxsize=16)
def _load(directory: str, stamp: tuple[tuple[str, int], ...]) -> schema.Protocol:
    return load_protocol(directory).protocol


def public_protocol_ids() -> list[str]:
    """The protocols with a public page: the protocol directories under `settings.PROTOCOLS_DIR`."""
    root = Path(settings.PROTOCOLS_DIR)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and PROTOCOL_ID.match(p.name))


def public_protocol(protocol_id: str) -> schema.Protocol:
    """The protocol `protocol_id` under `settings.PROTOCOLS_DIR`; `Http404` if there is none."""
    if not PROTOCOL_ID.match(protocol_id):
        raise Http404(f"no protocol {protocol_id!r}")
    directory = Path(settings.PROTOCOLS_DIR) / protocol_id
    if not directory.is_dir():
        raise Http404(f"no protocol {protocol_id!r}")
    return _load(str(directory), _files_stamp(directory))


def page_language(request: HttpRequest) -> str:
    """`?lang=` when it names a language of the page, else Django's language for the request."""
    asked = request.GET.get("lang", "")
    if asked in LANGUAGES:
        return asked
    current = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    return current if current in LANGUAGES else "fr"


def with_database_sites(page: PublicPage, language: str) -> PublicPage:
    """The sites administered in the product, with their recruitment, replace the protocol's list
    once any exists (a site keeps the notes the protocol files attach to it)."""
    from equipoise.records.models import Site

    rows = list(Site.objects.order_by("code"))
    if not rows:
        return page
    declared = {s.code: s for s in page.sites}
    return dataclasses.replace(page, sites=tuple(
        SiteView(site.code, site.name, site.city, declared[site.code].country if site.code in declared else "France",
                 enum_label("site_status", site.recruitment, language),
                 declared[site.code].marks if site.code in declared else ())
        for site in rows))


@login_not_required
def trial_page(request: HttpRequest, protocol_id: str) -> HttpResponse:
    lowered = protocol_id.lower()
    if lowered != protocol_id and PROTOCOL_ID.match(lowered):
        # People type registry numbers in capitals (NCT06965244); the directory is lower case.
        target = f"/trials/{lowered}/"
        return redirect(f"{target}?{request.GET.urlencode()}" if request.GET else target)
    protocol = public_protocol(protocol_id)
    language = page_language(request)
    page = with_database_sites(build_page(protocol, language), language)
    with translation.override(language):
        response = render(request, "web/public_trial.html", {
            "page": page,
            "page_languages": [
                (code, name, code == language) for code, name in settings.LANGUAGES
                if code in LANGUAGES
            ],
        })
    response["Content-Language"] = language
    return response
