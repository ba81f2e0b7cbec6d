"""/subjects routes: site scoping (404 + access.denied audit), read-only 403, creation through
the write path, visits with the forms each role may open."""

import pytest
from api_testing import assert_error, denied_events, snapshot

from equipoise.records.actions.subjects import create_subject
from equipoise.records.models import AuditEvent, Subject
from equipoise.records.roles import Role


@pytest.fixture
def subject_b(people, actor_of):
    return create_subject(actor_of(people["inv_b"], Role.INVESTIGATOR, "SLS"), people["site_b"], "nct06965244")


# --- GET /subjects ------------------------------------------------------------------------------


def test_list_shows_own_site_and_all_sites_to_sponsor_level(api, subject_a, subject_b):
    codes = lambda name, q="": [s["code"] for s in api.get(name, "/subjects" + q).json()]  # noqa: E731
    assert codes("inv_a") == [subject_a.code]
    assert codes("inv_b") == [subject_b.code]
    assert codes("monitor") == sorted([subject_a.code, subject_b.code])
    assert codes("monitor", "?site=SLS") == [subject_b.code]
    first = api.get("inv_a", "/subjects").json()[0]
    assert first == {**first, "site": "TNN", "protocol_id": "nct06965244", "status": "screening"}


def test_list_filtered_on_another_site_is_404_and_audited(api, subject_a, subject_b):
    before = denied_events("inv_a")
    assert_error(api.get("inv_a", "/subjects?site=SLS"), 404, "path", "not_found")
    assert denied_events("inv_a") == before + 1
    assert_error(api.get("inv_a", "/subjects?site=XXX"), 404)


# --- POST /subjects -----------------------------------------------------------------------------


def test_create_returns_201_with_a_coded_id(api, people):
    response = api.post("inv_a", "/subjects", {"site": "TNN"})
    assert response.status_code == 201
    body = response.json()
    assert body["code"] == "TNN-0001" and body["site"] == "TNN" and body["status"] == "screening"
    event = AuditEvent.objects.get(action="subject.create")
    assert event.username == "inv_a" and event.site_code == "TNN" and event.request_id
    assert Subject.objects.get(code="TNN-0001").visits.filter(visit_id="SCR").exists()


def test_create_at_another_site_is_404_and_audited(api, people):
    before = snapshot()
    count = denied_events("inv_a")
    assert_error(api.post("inv_a", "/subjects", {"site": "SLS"}), 404)
    assert denied_events("inv_a") == count + 1
    assert snapshot() == before


@pytest.mark.parametrize("name", ["monitor", "stat", "dm", "sponsor"])
def test_create_by_read_only_role_is_403(api, people, name):
    before = snapshot()
    assert_error(api.post(name, "/subjects", {"site": "TNN"}), 403, "role", "permission")
    assert snapshot() == before


@pytest.mark.parametrize("body, field, rule", [
    ({}, "site", "required"),
    ({"site": 7}, "site", "type"),
    ({"site": "TNN", "name": "Jane Doe"}, "name", "unknown_field"),
    ({"site": "TNN", "protocol": "nct00000000"}, "protocol", "choices"),
    ({"site": "TNN-LONG-CODE"}, "site", "max_length"),
])
def test_create_with_bad_input_is_400_and_writes_nothing(api, people, body, field, rule):
    before = snapshot()
    assert_error(api.post("inv_a", "/subjects", body), 400, field, rule)
    assert snapshot() == before


def test_create_names_the_protocol_explicitly(api, people):
    response = api.post("inv_a", "/subjects", {"site": "TNN", "protocol": "nct06965244"})
    assert response.status_code == 201 and response.json()["protocol_id"] == "nct06965244"


# --- GET /subjects/{code} -----------------------------------------------------------------------


def test_get_subject(api, subject_a):
    for name in ("inv_a", "assessor_a", "monitor", "stat"):
        response = api.get(name, f"/subjects/{subject_a.code}")
        assert response.status_code == 200 and response.json()["code"] == subject_a.code


def test_get_subject_of_another_site_is_404_and_audited(api, subject_a):
    before = denied_events("inv_b")
    body = assert_error(api.get("inv_b", f"/subjects/{subject_a.code}"), 404)
    unknown = assert_error(api.get("inv_b", "/subjects/TNN-9999"), 404)
    assert body["detail"] == unknown["detail"]  # another site's subject looks like no subject
    assert denied_events("inv_b") == before + 1
    event = AuditEvent.objects.filter(action="access.denied").last()
    assert event.subject_code == subject_a.code and event.request_id


# --- GET /subjects/{code}/visits ----------------------------------------------------------------


def test_visits_list_forms_and_states(api, subject_a):
    response = api.get("inv_a", f"/subjects/{subject_a.code}/visits")
    assert response.status_code == 200
    visits = {v["visit_id"]: v for v in response.json()}
    screening = visits["SCR"]
    assert screening["scheduled"] is True and screening["id"] == subject_a.visits.get(visit_id="SCR").pk
    forms = {f["form_id"]: f for f in screening["forms"]}
    assert set(forms) == {"screening", "clasi", "labs", "pregnancy_test"}
    assert forms["labs"] == {"form_id": "labs", "state": "draft", "revision": 1}
    assert forms["clasi"]["state"] == "none"


def test_blinded_assessor_sees_only_assessor_forms(api, subject_a):
    visits = api.get("assessor_a", f"/subjects/{subject_a.code}/visits").json()
    assert visits
    for visit in visits:
        assert {f["form_id"] for f in visit["forms"]} <= {"clasi", "physician_global"}
    assert [f["form_id"] for f in visits[0]["forms"]] == ["clasi"]


def test_visits_of_another_site_is_404_and_audited(api, subject_a):
    before = denied_events("inv_b")
    assert_error(api.get("inv_b", f"/subjects/{subject_a.code}/visits"), 404)
    assert denied_events("inv_b") == before + 1
