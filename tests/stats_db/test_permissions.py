"""Who sees which statistics: statistician, sponsor administrator, site staff, blinded assessor."""

from __future__ import annotations

import pytest

from equipoise.records.roles import Role
from equipoise.stats_db.permissions import stats_rights

OPEN_PAGES = ["/stats/", "/stats/consort.svg", "/stats/table1/", "/stats/recruitment.svg"]
ARM_LEVEL_PAGES = ["/stats/report/", "/stats/report.json", "/stats/dataset.json", "/stats/dsmb.pdf?part=closed"]


@pytest.mark.parametrize(("roles", "open_", "arm_level"), [
    ({Role.STATISTICIAN}, True, True),
    ({Role.SPONSOR_ADMIN}, True, False),
    ({Role.STATISTICIAN, Role.SPONSOR_ADMIN}, True, True),
    ({Role.STATISTICIAN, Role.BLINDED_ASSESSOR}, True, False),  # blinded anywhere: no arm, ever
    ({Role.INVESTIGATOR}, False, False),
    ({Role.BLINDED_ASSESSOR}, False, False),
    ({Role.PHARMACIST}, False, False),
    ({Role.DATA_MANAGER}, False, False),
    ({Role.MONITOR}, False, False),
    (set(), False, False),
])
def test_rights_by_role(roles, open_, arm_level):
    rights = stats_rights(frozenset(roles))
    assert (rights.open, rights.arm_level) == (open_, arm_level)


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["inv_a", "assessor_a", "pharm_a", "inv_b", "dm", "monitor"])
def test_roles_without_statistics_rights_are_refused_everywhere(people, client_for, username):
    client = client_for(people[username])
    for url in OPEN_PAGES + ARM_LEVEL_PAGES + ["/stats/dsmb.pdf?part=open", "/stats/consort.png"]:
        assert client.get(url).status_code == 403, url


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(people):
    from django.test import Client

    response = Client().get("/stats/report/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_sponsor_sees_pooled_pages_and_no_arm(trial, people, client_for):
    client = client_for(people["sponsor"])
    for url in ARM_LEVEL_PAGES:
        assert client.get(url).status_code == 403, url
    for url in OPEN_PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode().lower()
        for arm_word in ("lenalidomide", "lénalidomide", "methotrexate", "méthotrexate"):
            assert arm_word not in body, (url, arm_word)
    # The diagram speaks the page's language (French by default here).
    assert "bras regroupés" in client.get("/stats/consort.svg").content.decode()


@pytest.mark.django_db
def test_statistician_sees_results_by_arm(trial, people, client_for):
    client = client_for(people["stat"])
    for url in ("/stats/consort.svg", "/stats/table1/", "/stats/report/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "thotrexate" in response.content.decode(), url
    index = client.get("/stats/").content.decode()
    assert "dsmb.pdf?part=closed" in index and "dataset.json" in index


@pytest.mark.django_db
def test_statistician_who_is_also_blinded_gets_no_arm(trial, people, client_for):
    from equipoise.records.models import Membership

    Membership.objects.create(user=people["stat"], site=people["site_a"], role=Role.BLINDED_ASSESSOR.value)
    client = client_for(people["stat"])
    for url in ARM_LEVEL_PAGES:
        assert client.get(url).status_code == 403, url
    assert "thotrexate" not in client.get("/stats/table1/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "message"), [
    ("cutoff=2026-02-30", "cutoff: '2026-02-30' must be a date YYYY-MM-DD"),
    ("cutoff=2999-01-01", "cutoff: 2999-01-01 is after today"),
])
def test_bad_cutoff_is_a_400_naming_the_parameter(people, client_for, query, message):
    response = client_for(people["stat"]).get(f"/stats/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.django_db
def test_pages_work_before_anyone_is_randomized(people, client_for):
    client = client_for(people["stat"])
    for url in ("/stats/", "/stats/consort.svg", "/stats/table1/", "/stats/recruitment.svg", "/stats/dataset.json"):
        assert client.get(url).status_code == 200, url
