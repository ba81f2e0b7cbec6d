"""Plain words on every page (issue 14 item 2): each demo role, signed in, follows the links of its
pages from the home page, in French and in English, and no page shows a code, a Python literal, a
raw error or a sentence in the other language.

The crawl follows same-origin links only (never a form, so it never acts), skips the routes that
download a file or act on a GET, and opens a few pages of each URL pattern (a form is its own
pattern), so it stays short while reaching every kind of page the role can open.
"""

from __future__ import annotations

import gettext
from collections import Counter, deque
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone
from plain_words import plain_words_problems, svg_lines, visible_lines

import equipoise
from demo_rollback import demo_kept_for_the_module
from equipoise.visits.localtime import trial_date

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[2]
MO = Path(equipoise.__file__).resolve().parent / "locale" / "fr" / "LC_MESSAGES" / "django.mo"
DEMO_DAY = trial_date(timezone.now())

# One demo account per role (the second site's staff see the same pages).
ROLES = {
    "investigator": "investigator.tnn",
    "blinded_assessor": "assessor.tnn",
    "pharmacist": "pharmacist.tnn",
    "data_manager": "datamanager",
    "monitor": "monitor",
    "statistician": "statistician",
    "sponsor_admin": "sponsor",
}
# Routes never opened: they end the session, switch the language, download a file, or act on a GET.
NOT_FOLLOWED = {
    "logout", "set_language", "exports-download", "stats-dsmb", "stats-dataset", "stats-report-json",
    "stats-consort-png", "recovery-codes", "two-factor", "session-end", "health",
}
PAGES_PER_PATTERN = 3
# French translations that are English words too.
SAME_IN_ENGLISH = frozenset({"Patient", "Patients", "Date", "Action", "Contraception", "Grade", "Position", "Total"})


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), demo_kept_for_the_module(DEMO_DAY, REPO / "protocols"):
        yield


@pytest.fixture(scope="module")
def proper_names(demo, django_db_blocker) -> list[str]:
    """Names that are the same in both languages: people, sites, cities, sponsor, contacts."""
    from django.contrib.auth.models import User

    from equipoise.records.protocol_versions import current_version, protocol_of

    with django_db_blocker.unblock():
        registry = protocol_of(current_version("nct06965244")).registry
        people = [n for u in User.objects.all() for n in (u.get_full_name(), u.first_name, u.last_name)]
    names = [registry.sponsor, *registry.collaborators, *people, *entered_texts()]
    names += [x for s in registry.sites for x in (s.name, s.city)]
    names += [x for c in registry.central_contacts for x in (c.name, c.affiliation or "")]
    return [n for n in names if n]


def entered_texts() -> list[str]:
    """What people typed in their own words (reasons, terms, queries): shown as typed, in any language."""
    from equipoise.records.audit_reasons import system_reason
    from equipoise.records.models import AuditEvent, DataQuery
    from equipoise.treatment.models import AdverseEvent

    # A reason the system wrote is not a person's words: it must be shown in the page's language.
    texts = [reason for reason in AuditEvent.objects.exclude(reason="").values_list("reason", flat=True).distinct()
             if not system_reason(reason)]
    texts += AdverseEvent.objects.values_list("term", flat=True).distinct()
    texts += [t for q in DataQuery.objects.values_list("text", "answer") for t in q]
    return [t for t in texts if t]


def other_language_entries(language: str) -> frozenset[str]:
    """Catalogue entries as they read in the other language (a line equal to one was not translated)."""
    with MO.open("rb") as handle:
        catalogue = {k: v for k, v in gettext.GNUTranslations(handle)._catalog.items()
                     if isinstance(k, str) and k and v != k}
    if language == "fr":
        return frozenset(catalogue)
    return frozenset(set(catalogue.values()) - set(catalogue) - SAME_IN_ENGLISH)


def _route(url: str) -> tuple[str, str, tuple[str, ...]] | None:
    """(route name, form or action, query keys): the pattern a URL stands for; None if not followed."""
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return ("unknown", parts.path, ())
    if match.url_name in NOT_FOLLOWED:
        return None
    detail = str(match.kwargs.get("form_id") or match.kwargs.get("action") or match.kwargs.get("change") or "")
    return (match.url_name or "", detail, tuple(sorted(parse_qs(parts.query))))


def _links(page_url: str, content: bytes) -> list[str]:
    from lxml import html

    found = []
    for href in html.fromstring(content).xpath("//a/@href"):
        url = urljoin("http://testserver" + page_url, href.strip())
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc != "testserver":
            continue
        if parts.path.startswith(("/static/", "/api/", "/i18n/")):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def crawl(client: Client, language: str, ignored: list[str]) -> tuple[list[str], list[str]]:
    """(pages opened, problems found), each problem naming its page."""
    untranslated = other_language_entries(language)
    queue, queued = deque(["/"]), {"/"}
    per_route: Counter = Counter()
    opened: list[str] = []
    problems: dict[str, str] = {}  # each problem once, with the first page that shows it
    while queue:
        url = queue.popleft()
        response = client.get(url)
        opened.append(url)
        if response.status_code in (301, 302):
            targets = [response["Location"]]
        elif response.status_code >= 500:
            problems[f"server error {response.status_code}"] = url
            continue
        else:
            targets = []
        kind = response.get("Content-Type", "")
        if kind.startswith("text/html"):
            lines = visible_lines(response.content, language)
            targets += _links(url, response.content)
        elif kind.startswith("image/svg+xml"):
            lines = svg_lines(response.content)
        else:
            lines = []
        for problem in plain_words_problems(lines, language, ignored=ignored, untranslated=untranslated):
            problems.setdefault(problem, url)
        for target in targets:
            target = urlsplit(urljoin("http://testserver" + url, target))
            target_url = target.path + (f"?{target.query}" if target.query else "")
            if target_url in queued:
                continue
            route = _route(target_url)
            if route is None or per_route[route] >= PAGES_PER_PATTERN:
                continue
            per_route[route] += 1
            queued.add(target_url)
            queue.append(target_url)
    return opened, [f"{url}: {problem}" for problem, url in problems.items()]


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_a_role_reaches_speaks_plain_words(demo, proper_names, role, language):
    from django.contrib.auth.models import User

    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(User.objects.get(username=ROLES[role]))
    opened, problems = crawl(client, language, proper_names)
    assert len(opened) >= 5, f"{role} reached only {opened}: the crawl lost its way"
    assert not problems, f"{role}, {language}: {len(problems)} problems on {len(opened)} pages:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_public_page_speaks_plain_words(demo, proper_names, language):
    """The public trial page, for anyone signed out, in the browser's language."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    response = client.get("/trials/nct06965244/")
    assert response.status_code == 200 and f'<html lang="{language}">' in response.content.decode()
    lines = visible_lines(response.content, language)
    problems = plain_words_problems(lines, language, ignored=proper_names,
                                    untranslated=other_language_entries(language))
    assert not problems, f"public page, {language}:\n" + "\n".join(problems)
    condition = {"fr": "Lupus érythémateux cutané", "en": "Cutaneous lupus erythematosus"}[language]
    assert condition in lines, "the conditions are shown in the page's language"
    headings = [line for line in lines if line in ("Type de financeur", "Funder type")]
    assert len(headings) == 1, f"the funder type is shown once, under its own heading: {headings}"
