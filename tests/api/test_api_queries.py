"""Query routes: a reviewer raises, the site answers, the raiser closes; the site worklist.
Each with site scoping (404 + audit), role refusals (403) and assessor blinding."""

import pytest
from api_testing import CLASI_SCREEN, assert_error, denied_events, form_path, snapshot

from equipoise.records.actions.forms import save_form
from equipoise.records.actions.queries import raise_query
from equipoise.records.actions.subjects import create_subject
from equipoise.records.models import AuditEvent, DataQuery, FormRecord
from equipoise.records.roles import Role


def query_body(subject, **over):
    return {"subject": subject.code, "visit": "SCR", "form_id": "labs", "field": "lab_neutrophils_g_l",
            "text": "Please confirm the neutrophil count.", **over}


@pytest.fixture
def query(subject_a, people, actor_of):
    record = FormRecord.objects.get(subject=subject_a, form_id="labs")
    return raise_query(actor_of(people["monitor"], Role.MONITOR), record, "lab_neutrophils_g_l", "Confirm?")


def assert_other_site_404(api, method, path, body=None):
    before, count = snapshot(), denied_events("inv_b")
    assert_error(api.call("inv_b", method, path, body), 404)
    assert denied_events("inv_b") == count + 1
    assert snapshot() == before


# --- POST /queries ------------------------------------------------------------------------------


def test_reviewer_raises_a_query(api, subject_a):
    response = api.post("monitor", "/queries", query_body(subject_a))
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "open" and body["raised_by"] == "monitor" and body["field"] == "lab_neutrophils_g_l"
    assert body["subject"] == subject_a.code and body["visit"] == "SCR" and body["answered_by"] is None
    assert AuditEvent.objects.filter(action="query.raise").count() == 1


@pytest.mark.parametrize("name", ["inv_a", "stat", "sponsor"])
def test_raise_by_other_roles_is_403(api, subject_a, name):
    before = snapshot()
    assert_error(api.post(name, "/queries", query_body(subject_a)), 403)
    assert snapshot() == before


def test_raise_other_site_is_404_and_audited(api, subject_a):
    assert_other_site_404(api, "POST", "/queries", query_body(subject_a))


@pytest.mark.parametrize("over, field, rule", [
    ({"field": "no_such_field"}, "field", "choices"),
    ({"text": "   "}, "text", "required"),
    ({"text": 5}, "text", "type"),
    ({"priority": "high"}, "priority", "unknown_field"),
])
def test_raise_with_bad_input_is_400(api, subject_a, over, field, rule):
    before = snapshot()
    assert_error(api.post("monitor", "/queries", query_body(subject_a, **over)), 400, field, rule)
    assert snapshot() == before


def test_raise_on_a_form_without_record_is_404(api, subject_a):
    assert_error(api.post("monitor", "/queries", query_body(subject_a, form_id="pregnancy_test",
                                                             field="pregnancy_test_result")), 404)
    assert not DataQuery.objects.exists()


# --- answer and close ---------------------------------------------------------------------------


def test_site_answers_and_raiser_closes(api, query):
    response = api.post("inv_a", f"/queries/{query.pk}/answer", {"answer": "Checked against the report."})
    assert response.status_code == 200
    assert response.json()["status"] == "answered" and response.json()["answered_by"] == "inv_a"
    assert_error(api.post("dm", f"/queries/{query.pk}/close"), 403)  # not the raiser
    closed = api.post("monitor", f"/queries/{query.pk}/close")
    assert closed.status_code == 200 and closed.json()["status"] == "closed" and closed.json()["closed_at"]
    assert_error(api.post("inv_a", f"/queries/{query.pk}/answer", {"answer": "late"}), 409)
    assert_error(api.post("monitor", f"/queries/{query.pk}/close"), 409)


@pytest.mark.parametrize("name", ["monitor", "stat", "dm"])
def test_answer_by_read_only_role_is_403(api, query, name):
    before = snapshot()
    assert_error(api.post(name, f"/queries/{query.pk}/answer", {"answer": "x"}), 403)
    assert snapshot() == before


def test_answer_needs_text(api, query):
    before = snapshot()
    assert_error(api.post("inv_a", f"/queries/{query.pk}/answer", {"answer": ""}), 400, "answer", "required")
    assert_error(api.post("inv_a", f"/queries/{query.pk}/answer", {}), 400, "answer", "required")
    assert snapshot() == before


def test_close_by_read_only_role_is_403(api, query):
    before = snapshot()
    assert_error(api.post("stat", f"/queries/{query.pk}/close"), 403)
    assert snapshot() == before


def test_answer_close_and_get_other_site_are_404_and_audited(api, query):
    assert_other_site_404(api, "POST", f"/queries/{query.pk}/answer", {"answer": "x"})
    assert_other_site_404(api, "POST", f"/queries/{query.pk}/close")
    assert_other_site_404(api, "GET", f"/queries/{query.pk}")
    assert_error(api.post("inv_a", "/queries/999999/answer", {"answer": "x"}), 404)


def test_get_one_query(api, query):
    response = api.get("inv_a", f"/queries/{query.pk}")
    assert response.status_code == 200 and response.json()["text"] == "Confirm?"


# --- GET /queries (worklist) --------------------------------------------------------------------


def test_worklist_is_scoped_to_the_callers_sites(api, query, people, actor_of):
    inv_b = actor_of(people["inv_b"], Role.INVESTIGATOR, "SLS")
    other = create_subject(inv_b, people["site_b"], "nct06965244")
    record = save_form(inv_b, other, other.visits.get(visit_id="SCR"), "labs", {"lab_date": "2026-01-06"})
    raise_query(actor_of(people["dm"], Role.DATA_MANAGER), record, "lab_date", "Date?")
    ids = lambda name, q="": [x["id"] for x in api.get(name, "/queries" + q).json()]  # noqa: E731
    assert ids("inv_a") == [query.pk]
    assert len(ids("inv_b")) == 1 and query.pk not in ids("inv_b")
    assert len(ids("monitor")) == 2 and ids("monitor", "?site=TNN") == [query.pk]
    assert ids("inv_a", "?status=open") == [query.pk] and ids("inv_a", "?status=closed") == []
    api.post("inv_a", f"/queries/{query.pk}/answer", {"answer": "ok"})
    assert ids("inv_a", "?status=open") == [] and ids("inv_a", "?status=answered") == [query.pk]
    assert ids("inv_a") == [query.pk]  # not closed yet


def test_worklist_bad_status_and_other_site(api, query):
    assert_error(api.get("inv_a", "/queries?status=pending"), 400, "status", "choices")
    before = denied_events("inv_a")
    assert_error(api.get("inv_a", "/queries?site=SLS"), 404)
    assert denied_events("inv_a") == before + 1


def test_blinded_assessor_sees_queries_on_assessor_forms_only(api, subject_a, query, people, actor_of):
    assessor = actor_of(people["assessor_a"], Role.BLINDED_ASSESSOR, "TNN")
    clasi = save_form(assessor, subject_a, subject_a.visits.get(visit_id="SCR"), "clasi", CLASI_SCREEN)
    on_clasi = raise_query(actor_of(people["monitor"], Role.MONITOR), clasi, "clasi_record", "Face scale?")
    assert [q["id"] for q in api.get("assessor_a", "/queries").json()] == [on_clasi.pk]
    assert_error(api.get("assessor_a", f"/queries/{query.pk}"), 404)
    before = snapshot()
    assert_error(api.post("assessor_a", f"/queries/{query.pk}/answer", {"answer": "x"}), 404)
    assert snapshot() == before
    assert api.post("assessor_a", f"/queries/{on_clasi.pk}/answer", {"answer": "Scale 2."}).status_code == 200
    assert api.get("assessor_a", form_path(subject_a, "clasi")).status_code == 200
