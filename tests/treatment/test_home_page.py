"""The home page: what is due at my sites for my role, each line a link to where it is done."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from equipoise.records.actions.forms import save_form
from equipoise.records.actions.queries import raise_query
from equipoise.records.roles import Role
from equipoise.treatment.actions.visits import mark_visit_done

from .conftest import today


def lines(html: str) -> dict[str, tuple[int, str]]:
    """Each home line's text -> (count, link)."""
    found = re.findall(r'<li><a href="([^"]+)"><span class="due-count[^"]*">(\d+)</span> ([^<]+)</a></li>', html)
    return {text.strip(): (int(count), url.replace("&amp;", "&")) for url, count, text in found}


@pytest.fixture
def trial(randomized, inv_a, actor_of, people):
    late = randomized("methotrexate", "male", None, days_ago=40)  # W0 and W4 overdue
    due = randomized("lenalidomide", "male", None, days_ago=28)  # W4 due now, W0 overdue
    w0 = due.visits.get(visit_id="W0")
    mark_visit_done(inv_a, w0, today() - dt.timedelta(days=28))
    draft = save_form(inv_a, due, w0, "steroid_dose", {"prednisone_equivalent_mg_day": 5})
    raise_query(actor_of(people["dm"], Role.DATA_MANAGER), draft, "prednisone_equivalent_mg_day", "Dose?")
    randomized("methotrexate", "male", None, days_ago=40, site=people["site_b"],
               actor=actor_of(people["inv_b"], Role.INVESTIGATOR, "SLS"))  # another site
    return {"late": late, "due": due}


def test_the_investigator_sees_what_is_due_at_the_site_and_follows_the_links(trial, people, client_for):
    client = client_for(people["inv_a"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    found = lines(html)
    assert found["Visits due now"][0] == 1
    assert found["Overdue visits"][0] == 2  # W0 and W4 of the late patient at TNN; SLS not counted
    assert found["Forms missing at done visits"][0] == 1
    assert found["Open queries to answer"][0] == 1
    assert "SAE and SUSAR reporting clocks running" in found
    for text, (_, url) in found.items():
        assert client.get(url).status_code == 200, (text, url)
    assert 'id="recruitment"' in html and "TNN" in html and "SLS" not in html.split('id="recruitment"')[1]


def test_the_data_manager_sees_query_ageing_and_forms_awaiting_lock(trial, people, client_for):
    client = client_for(people["dm"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    found = lines(client.get("/").content.decode())
    assert found["Queries open for less than 7 days"][0] == 1
    assert found["Queries open for more than 30 days"][0] == 0
    assert "Complete forms awaiting lock" in found
    assert found["Overdue visits"][0] == 4  # both sites: two at TNN, two at SLS


def test_the_blinded_assessor_gets_visit_counts_linked_to_the_subject_list(trial, people, client_for):
    client = client_for(people["assessor_a"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    found = lines(html)
    assert found["Overdue visits"] == (2, "/subjects/?next=overdue")
    assert "Safety" not in html and "/treatment/" not in html
    subject_list = client.get("/subjects/?next=overdue").content.decode()
    assert trial["late"].code in subject_list and trial["due"].code not in subject_list  # due now, not late


def test_nothing_is_due_for_a_patient_whose_participation_ended(trial, people, client_for, inv_a):
    from equipoise.records.actions.subjects import end_participation

    end_participation(inv_a, trial["late"], "withdrew_consent", today(), "patient withdrew consent")
    client = client_for(people["inv_a"])
    assert trial["late"].code not in client.get("/subjects/?next=overdue").content.decode()
    row = client.get("/subjects/?q=" + trial["late"].code).content.decode().split('id="subjects"')[1]
    assert "error-text" not in row  # no overdue visits shown


@pytest.mark.parametrize("user, shown, hidden", [
    ("inv_a", ["/treatment/safety/", "/treatment/worklist/"], ["/audit/", "/stats/", "/randomization/"]),
    ("pharm_a", ["/treatment/worklist/"], ["/treatment/safety/", "/audit/", "/stats/"]),
    ("assessor_a", ["/subjects/"], ["/treatment/", "/audit/", "/stats/"]),
    ("monitor", ["/audit/", "/treatment/safety/"], ["/stats/", "/randomization/"]),
    ("stat", ["/stats/", "/randomization/"], ["/audit/", "/treatment/"]),
])
def test_the_menu_shows_only_what_the_role_may_open(people, client_for, user, shown, hidden):
    client = client_for(people[user])
    nav = client.get("/").content.decode().split("<nav")[1].split("</nav>")[0]
    links = re.findall(r'href="([^"]+)"', nav)
    for url in shown:
        assert url in links, url
    for prefix in hidden:
        assert not any(link.startswith(prefix) for link in links), prefix
    for link in links:
        assert client.get(link).status_code == 200, link
