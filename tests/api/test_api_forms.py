"""Form record routes: read, save (201 then 200, reason for change), complete, reopen, lock,
history — each with site scoping (404 + audit), read-only 403, and assessor blinding (404)."""

import pytest
from api_testing import CLASI_SCREEN as CLASI
from api_testing import LABS, assert_error, denied_events, form_path, snapshot

from equipoise.records.models import AuditEvent, FormRecord, FormRevision

FULL_LABS = {**LABS, "lab_platelets_g_l": 200, "lab_creatinine_clearance_ml_min": 90,
             "lab_alt_x_uln": 1, "lab_ast_x_uln": 1}


def labs_record(subject):
    return FormRecord.objects.get(subject=subject, form_id="labs")


@pytest.fixture
def complete_labs(api, subject_a):
    assert api.put("inv_a", form_path(subject_a), {"data": FULL_LABS, "reason": "results"}).status_code == 200
    assert api.post("inv_a", form_path(subject_a) + "/complete").status_code == 200
    return labs_record(subject_a)


@pytest.fixture
def locked_labs(api, subject_a, complete_labs):
    assert api.post("dm", form_path(subject_a) + "/lock").status_code == 200
    return labs_record(subject_a)


def assert_other_site_404(api, method, path, body=None):
    before, count = snapshot(), denied_events("inv_b")
    assert_error(api.call("inv_b", method, path, body), 404)
    assert denied_events("inv_b") == count + 1
    assert snapshot() == before


# --- GET ----------------------------------------------------------------------------------------


def test_get_record(api, subject_a):
    for name in ("inv_a", "pharm_a", "monitor", "stat"):
        response = api.get(name, form_path(subject_a))
        assert response.status_code == 200, name
        body = response.json()
        assert body["data"] == LABS and body["derived"] == {} and body["state"] == "draft"
        assert body["revision"] == 1 and body["protocol_version"] == "nct06965244 v1"
        assert body["visit"] == "SCR" and body["subject"] == subject_a.code


def test_get_by_visit_number_and_missing_records(api, subject_a):
    visit = subject_a.visits.get(visit_id="SCR")
    assert api.get("inv_a", form_path(subject_a, visit=str(visit.pk))).json()["data"] == LABS
    assert_error(api.get("inv_a", form_path(subject_a, "pregnancy_test")), 404, "path", "not_found")
    assert_error(api.get("inv_a", form_path(subject_a, "no_such_form")), 404)
    assert_error(api.get("inv_a", form_path(subject_a, visit="W99")), 404)
    assert_error(api.get("inv_a", form_path(subject_a, visit="999999")), 404)


def test_get_other_site_is_404_and_audited(api, subject_a):
    assert_other_site_404(api, "GET", form_path(subject_a))


def test_blinded_assessor_cannot_open_other_forms(api, subject_a):
    """The answer is the one an unknown form gets: nothing says the labs form holds data."""
    labs = assert_error(api.get("assessor_a", form_path(subject_a)), 404)
    unknown = assert_error(api.get("assessor_a", form_path(subject_a, "no_such_form")), 404)
    assert labs["detail"] == "No form labs." and unknown["detail"] == "No form no_such_form."


# --- PUT ----------------------------------------------------------------------------------------


def test_first_save_is_201_then_changes_are_200_with_a_reason(api, subject_a):
    path = form_path(subject_a, "pregnancy_test")
    first = {"pregnancy_test_datetime": "2026-01-05T10:30:00+01:00", "pregnancy_test_result": "negative"}
    response = api.put("inv_a", path, {"data": first})
    assert response.status_code == 201
    body = response.json()
    assert body["revision"] == 1 and body["data"]["pregnancy_test_datetime"] == "2026-01-05T09:30:00+00:00"
    again = api.put("inv_a", path, {"data": first})
    assert again.status_code == 200 and again.json()["revision"] == 1  # no change, no new revision
    changed = api.put("inv_a", path, {"data": {**first, "pregnancy_test_threshold_miu_ml": 25},
                                      "reason": "threshold on the lab report"})
    assert changed.status_code == 200 and changed.json()["revision"] == 2
    event = AuditEvent.objects.filter(action="form.change").get()
    assert event.reason == "threshold on the lab report" and event.request_id
    assert event.changes["pregnancy_test_threshold_miu_ml"] == [None, 25]


def test_change_without_reason_is_400_naming_reason(api, subject_a):
    before = snapshot()
    body = assert_error(api.put("inv_a", form_path(subject_a), {"data": {**LABS, "lab_neutrophils_g_l": 2.0}}),
                        400, "reason", "required")
    assert "reason" in body["detail"]
    assert snapshot() == before


def test_blinded_assessor_saves_clasi_with_server_scores(api, subject_a):
    response = api.put("assessor_a", form_path(subject_a, "clasi"), {"data": CLASI})
    assert response.status_code == 201
    assert response.json()["derived"] == {"clasi_a": 6, "clasi_d": 3}


def test_blinded_assessor_writing_labs_is_404(api, subject_a):
    before = snapshot()
    assert_error(api.put("assessor_a", form_path(subject_a), {"data": LABS, "reason": "x"}), 404)
    assert snapshot() == before


@pytest.mark.parametrize("name", ["monitor", "stat", "dm", "sponsor"])
def test_save_by_read_only_role_is_403(api, subject_a, name):
    before = snapshot()
    assert_error(api.put(name, form_path(subject_a), {"data": {**LABS, "lab_neutrophils_g_l": 2.0},
                                                     "reason": "x"}), 403, "role")
    assert snapshot() == before


def test_save_other_site_is_404_and_audited(api, subject_a):
    assert_other_site_404(api, "PUT", form_path(subject_a), {"data": LABS, "reason": "x"})


def test_save_to_locked_form_is_409(api, subject_a, locked_labs):
    before = snapshot()
    assert_error(api.put("inv_a", form_path(subject_a), {"data": FULL_LABS | {"lab_alt_x_uln": 2},
                                                        "reason": "x"}), 409, "state", "conflict")
    assert snapshot() == before


def test_save_to_complete_form_is_409(api, subject_a, complete_labs):
    before = snapshot()
    body = assert_error(api.put("inv_a", form_path(subject_a), {"data": FULL_LABS | {"lab_alt_x_uln": 2},
                                                               "reason": "x"}), 409)
    assert "reopen" in body["detail"]
    assert snapshot() == before


# --- POST complete ------------------------------------------------------------------------------


def test_complete(api, subject_a):
    incomplete = assert_error(api.post("inv_a", form_path(subject_a) + "/complete"), 400,
                              "lab_platelets_g_l", "required")
    assert "required" in incomplete["detail"]
    assert labs_record(subject_a).state == "draft"
    api.put("inv_a", form_path(subject_a), {"data": FULL_LABS, "reason": "results arrived"})
    response = api.post("inv_a", form_path(subject_a) + "/complete")
    assert response.status_code == 200 and response.json()["state"] == "complete"
    assert_error(api.post("inv_a", form_path(subject_a) + "/complete"), 409)


def test_complete_by_read_only_role_is_403(api, subject_a):
    api.put("inv_a", form_path(subject_a), {"data": FULL_LABS, "reason": "results"})
    before = snapshot()
    assert_error(api.post("monitor", form_path(subject_a) + "/complete"), 403)
    assert snapshot() == before


def test_complete_other_site_and_missing_record(api, subject_a):
    assert_other_site_404(api, "POST", form_path(subject_a) + "/complete")
    assert_error(api.post("inv_a", form_path(subject_a, "pregnancy_test") + "/complete"), 404)


# --- POST reopen --------------------------------------------------------------------------------


def test_reopen_needs_a_reason(api, subject_a, complete_labs):
    before = snapshot()
    assert_error(api.post("inv_a", form_path(subject_a) + "/reopen", {}), 400, "reason", "required")
    assert_error(api.post("inv_a", form_path(subject_a) + "/reopen", {"reason": "  "}), 400, "reason")
    assert snapshot() == before
    response = api.post("inv_a", form_path(subject_a) + "/reopen", {"reason": "platelets mistyped"})
    assert response.status_code == 200 and response.json()["state"] == "draft"
    assert AuditEvent.objects.filter(action="form.reopen").get().reason == "platelets mistyped"


def test_reopen_locked_is_data_manager_only(api, subject_a, locked_labs):
    before = snapshot()
    for name in ("inv_a", "monitor", "stat"):
        assert_error(api.post(name, form_path(subject_a) + "/reopen", {"reason": "fix"}), 403)
    assert snapshot() == before
    response = api.post("dm", form_path(subject_a) + "/reopen", {"reason": "site asked to correct"})
    assert response.status_code == 200 and response.json()["state"] == "draft"


def test_reopen_other_site_is_404_and_audited(api, subject_a, complete_labs):
    assert_other_site_404(api, "POST", form_path(subject_a) + "/reopen", {"reason": "x"})


# --- POST lock ----------------------------------------------------------------------------------


def test_lock_by_data_manager(api, subject_a, complete_labs):
    for name in ("inv_a", "monitor", "stat"):
        before = snapshot()
        assert_error(api.post(name, form_path(subject_a) + "/lock"), 403)
        assert snapshot() == before
    response = api.post("dm", form_path(subject_a) + "/lock")
    assert response.status_code == 200 and response.json()["state"] == "locked"
    assert_error(api.post("dm", form_path(subject_a) + "/lock"), 409)


def test_lock_other_site_is_404_and_audited(api, subject_a, complete_labs):
    assert_other_site_404(api, "POST", form_path(subject_a) + "/lock")


# --- GET history --------------------------------------------------------------------------------


def test_history_lists_revisions_with_old_and_new(api, subject_a):
    api.put("inv_a", form_path(subject_a), {"data": {**LABS, "lab_neutrophils_g_l": 2.0},
                                            "reason": "transcription error"})
    response = api.get("monitor", form_path(subject_a) + "/history")
    assert response.status_code == 200
    first, second = response.json()
    assert first["revision"] == 1 and first["user"] == "inv_a" and first["reason"] == ""
    assert {c["field"] for c in first["changes"]} == {"lab_date", "lab_neutrophils_g_l"}
    assert second["changes"] == [{"field": "lab_neutrophils_g_l", "old": 2.5, "new": 2.0}]
    assert second["reason"] == "transcription error" and second["protocol_version"] == "nct06965244 v1"
    assert FormRevision.objects.count() == 2


def test_history_other_site_and_blinded(api, subject_a):
    assert_other_site_404(api, "GET", form_path(subject_a) + "/history")
    assert_error(api.get("assessor_a", form_path(subject_a) + "/history"), 404)
