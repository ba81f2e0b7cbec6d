"""The blinding walk: every page and API route the blinded assessor can reach, for every randomized
subject of the demo trial, shows no arm and no study drug tied to that subject.

The demo seed gives a realistic trial (allocations, prescriptions, dispensings, pill counts,
adverse events with drug causality, lab alerts). The walk enumerates the URL configuration itself,
so a page added later is walked too; only the public registry page (the same for everyone, and
meant to name both drugs) and POST-only action routes are left out.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from equipoise.allocation.models import Allocation
from equipoise.demo.seed import seed_demo
from equipoise.records.actions.api_tokens import create_token
from equipoise.records.models import Subject, Visit
from equipoise.records.protocol_versions import current_version, protocol_of

STUDY_DRUGS = re.compile(r"lenalidomid|methotrexat|revlimid|novatrex|imeth", re.IGNORECASE)
AUXILIARY = re.compile(r"aspirin|folic|folique|acide folique", re.IGNORECASE)
SKIPPED_PREFIXES = ("trials/", "i18n/", "login/", "logout/", "static/", "api/")


def plain(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def routes(resolver=None, prefix: str = ""):
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from routes(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def fill(route: str, subject: Subject, visits: list[Visit], form_ids: list[str]) -> list[str]:
    """Concrete GET paths for one route template and one subject; [] for action routes."""
    if "<slug:action>" in route or "<int:pk>" in route or "<int:query_id>" in route:
        return []
    paths = [route.replace("<str:code>", subject.code)]
    if "<int:visit_pk>" in route:
        paths = [p.replace("<int:visit_pk>", str(v.pk)) for p in paths for v in visits]
    if "<slug:form_id>" in route:
        paths = [p.replace("<slug:form_id>", f) for p in paths for f in form_ids]
    return ["/" + p for p in paths if "<" not in p]


PREGNANCY_REPORT = re.compile(r"pregnancy.report|declaration de (la )?grossesse|pregnancy-alert|pregnancy-reports"
                              r"|on hold|suspendu", re.IGNORECASE)


def open_a_pregnancy_report() -> Subject:
    """A TNN woman of childbearing potential gets a positive test: hold, report, alert (item 13.1)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from equipoise.records.actions.forms import save_form
    from equipoise.records.actor import Actor
    from equipoise.records.roles import Role
    from equipoise.treatment.actions.visits import add_unscheduled_visit
    from equipoise.treatment.facts import patient_facts
    from equipoise.treatment.models import PregnancyReport
    from equipoise.visits.localtime import trial_date

    investigator = get_user_model().objects.get(username="investigator.tnn")
    actor = Actor(user=investigator, role=Role.INVESTIGATOR.value, site_code="TNN", request_id="walk")
    woman = next(a.subject for a in Allocation.objects.filter(subject__site__code="TNN", arm="lenalidomide")
                 .select_related("subject", "subject__site")
                 if patient_facts(a.subject).woman_of_childbearing_potential
                 and a.subject.participation_ended_on is None)
    now = timezone.now()
    visit = add_unscheduled_visit(actor, woman, trial_date(now), "suspected pregnancy")
    save_form(actor, woman, visit, "pregnancy_test", {
        "pregnancy_test_datetime": now.isoformat(), "pregnancy_test_result": "positive",
        "pregnancy_test_threshold_miu_ml": 25, "pregnancy_test_supervised": True})
    assert PregnancyReport.objects.filter(subject=woman, status="open").exists()
    return woman


@pytest.mark.django_db
def test_blinded_assessor_never_sees_an_arm(people):
    seed_demo(dt.date(2026, 11, 2), progress=lambda _: None)
    pregnant = open_a_pregnancy_report()
    from django.contrib.auth import get_user_model

    assessor = get_user_model().objects.get(username="assessor.tnn")
    client = Client()
    client.force_login(assessor)
    token = create_token(assessor, "walk", dt.datetime.now(dt.UTC))
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    protocol = protocol_of(current_version("nct06965244"))
    form_ids = [f.id for f in protocol.forms]
    allocations = list(Allocation.objects.filter(subject__site__code="TNN").select_related("subject"))
    assert {a.arm for a in allocations} == {"lenalidomide", "methotrexate"}
    templates = [r for r in routes() if not r.startswith(SKIPPED_PREFIXES)]
    walked = 0
    auxiliary_counts: dict[str, dict[str, set[int]]] = {}
    for allocation in allocations:
        subject = allocation.subject
        visits = list(subject.visits.all())
        paths = [p for t in templates for p in fill(t, subject, visits, form_ids)]
        api_paths = [f"/api/v1/subjects/{subject.code}", f"/api/v1/subjects/{subject.code}/visits",
                     "/api/v1/subjects", "/api/v1/queries"]
        api_paths += [f"/api/v1/subjects/{subject.code}/visits/{v.pk}/forms/{f}{suffix}"
                      for v in visits for f in form_ids for suffix in ("", "/history")]
        for path in paths + api_paths:
            response = (api if path.startswith("/api/") else client).get(path)
            if path == "/health/" and response.status_code == 503:
                # no worker heartbeat in a test: the monitoring answer is "unhealthy", and still
                # must name no arm
                assert not STUDY_DRUGS.search(plain(response.content.decode())), path
                continue
            if response.status_code != 200:
                assert response.status_code in (302, 403, 404, 405), (path, response.status_code)
                continue
            walked += 1
            body = plain(response.content.decode("utf-8", "replace"))
            assert not STUDY_DRUGS.search(body), (path, STUDY_DRUGS.search(body).group(0))
            if subject.pk == pregnant.pk or not path.startswith(f"/subjects/{subject.code}"):
                # the pregnancy report and the hold are treatment decisions: nothing of them shows
                assert not PREGNANCY_REPORT.search(body), (path, PREGNANCY_REPORT.search(body).group(0))
            template_key = re.sub(re.escape(subject.code), "<code>", path)
            template_key = re.sub(r"/\d+/", "/<n>/", template_key)
            auxiliary_counts.setdefault(template_key, {}).setdefault(allocation.arm, set()).add(
                len(AUXILIARY.findall(body)))
    assert walked > 200
    assert any(a.subject.pk == pregnant.pk for a in allocations)
    # Aspirin may be named by a criterion (EX06) the same way for everyone; it must never differ by arm.
    for key, by_arm in auxiliary_counts.items():
        seen = set().union(*by_arm.values())
        assert len(seen) <= 1, (key, by_arm)


@pytest.mark.django_db
def test_walk_covers_the_pages_that_reveal_arms_for_others(people):
    """The same walk as an investigator does find the drug: the check above has teeth."""
    seed_demo(dt.date(2026, 11, 2), progress=lambda _: None)
    from django.contrib.auth import get_user_model

    investigator = get_user_model().objects.get(username="investigator.tnn")
    client = Client()
    client.force_login(investigator)
    subject = Allocation.objects.filter(subject__site__code="TNN").first().subject
    body = plain(client.get(f"/treatment/subjects/{subject.code}/").content.decode())
    assert STUDY_DRUGS.search(body)
    pregnant = open_a_pregnancy_report()
    for path in (f"/subjects/{pregnant.code}/", "/treatment/safety/", "/treatment/worklist/"):
        assert PREGNANCY_REPORT.search(plain(client.get(path).content.decode())), path
