"""List pages cost the same number of queries whatever the number of subjects.

Each page is read once with a few subjects and again after more subjects were added (overdue and
due visits, done visits with forms missing, drafts, open queries, a woman on the pregnancy-test
calendar): the number of SQL queries must not change.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from equipoise.records.actions.forms import save_form
from equipoise.records.actions.queries import raise_query
from equipoise.records.roles import Role
from equipoise.treatment.actions.counselling import record_contraception
from equipoise.treatment.actions.dispensing import dispense
from equipoise.treatment.actions.prescribing import prescribe
from equipoise.treatment.actions.visits import mark_visit_done

from .conftest import today

PAGES = ["/", "/subjects/", "/subjects/?sort=-next_visit", "/subjects/?next=overdue&status=randomized", "/subjects/?q=TNN", "/worklist/",
         "/treatment/worklist/", "/screening-log/"]


def grow(randomized, inv_a, pharm_a, record_pregnancy_test, actor_of, people, n: int) -> None:
    """`n` randomized subjects of each kind the lists show."""
    dm = actor_of(people["dm"], Role.DATA_MANAGER)
    for _ in range(n):
        late = randomized("methotrexate", "male", None, days_ago=40)
        w0 = late.visits.get(visit_id="W0")
        mark_visit_done(inv_a, w0, today() - dt.timedelta(days=40))
        draft = save_form(inv_a, late, w0, "steroid_dose", {"prednisone_equivalent_mg_day": 5})
        raise_query(dm, draft, "prednisone_equivalent_mg_day", "Please check the dose")
        randomized("lenalidomide", "male", None, days_ago=28)
        woman = randomized("lenalidomide", "female", True, days_ago=30)
        start = today() - dt.timedelta(days=30)
        record_contraception(inv_a, woman, "implant", start - dt.timedelta(days=60), True)
        record_pregnancy_test(woman, timezone.now() - dt.timedelta(days=31))
        dispense(pharm_a, prescribe(inv_a, woman, prescribed_on=start, days=28, now=timezone.now()), start)


def queries_per_page(client) -> dict[str, int]:
    counts = {}
    for url in PAGES:
        cache.clear()  # count the queries of a page computing everything it shows, not of a reused answer
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(captured)
    return counts


@pytest.mark.parametrize("user", ["inv_a", "dm"])
def test_list_pages_do_not_grow_with_the_number_of_subjects(user, people, randomized, inv_a, pharm_a,
                                                             record_pregnancy_test, actor_of, client_for):
    client = client_for(people[user])
    grow(randomized, inv_a, pharm_a, record_pregnancy_test, actor_of, people, 1)
    queries_per_page(client)  # warm the process-wide caches (protocol versions)
    small = queries_per_page(client)
    grow(randomized, inv_a, pharm_a, record_pregnancy_test, actor_of, people, 3)
    large = queries_per_page(client)
    assert large == small
    body = client.get("/treatment/worklist/").content.decode()
    assert body.count('href="/treatment/subjects/') >= 4 * 2  # the subjects are really listed


def test_pages_are_cut_and_numbered(people, randomized, inv_a, pharm_a, record_pregnancy_test, actor_of,
                                    client_for, monkeypatch):
    from equipoise.treatment import site_worklist
    from equipoise.web import subject_views

    monkeypatch.setattr(subject_views, "PER_PAGE", 2)
    monkeypatch.setattr(site_worklist, "PER_PAGE", 2)
    grow(randomized, inv_a, pharm_a, record_pregnancy_test, actor_of, people, 2)
    client = client_for(people["inv_a"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    first = client.get("/subjects/").content.decode()
    assert "Page 1 of 3 (6 in all)" in first
    second = client.get("/subjects/?page=2").content.decode()
    assert codes(first) and codes(second) and not codes(first) & codes(second)
    assert len(codes(first) | codes(second)) == 4
    work = client.get("/treatment/worklist/?overdue_page=2").content.decode()
    assert "Page 2 of" in work and "Page 1 of" in work  # the overdue list turned, the others did not


def codes(html: str) -> set[str]:
    """Subject codes linked from the subject table."""
    table = html.split('id="subjects"')[1].split("</table>")[0]
    return {part.split("/")[0] for part in table.split('href="/subjects/')[1:]}
