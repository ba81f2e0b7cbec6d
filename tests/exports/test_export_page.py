"""The data manager's download page: who sees it, what it hands out, and the audit event."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client
from lxml import etree

from equipoise.records.roles import Role

pytestmark = pytest.mark.django_db


def _client(user, lang="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    return client


def _events():
    from equipoise.records.models import AuditEvent

    return list(AuditEvent.objects.filter(action__startswith="export.").order_by("sequence"))


def test_the_page_is_linked_for_export_roles_only_in_both_languages(people):
    page = _client(people["dm"], "fr").get("/exports/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Exports de données" in text and "Historique complet" in text and "Codés A et B" in text
    english = _client(people["dm"], "en").get("/exports/").content.decode()
    assert "Full history, every change with who, when and why" in english
    assert 'href="/exports/"' in _client(people["dm"]).get("/audit/").content.decode()
    for name in ("inv_a", "assessor_a", "pharm_a"):
        assert _client(people[name]).get("/exports/").status_code == 403
        assert 'href="/exports/"' not in _client(people[name]).get("/audit/").content.decode()


def test_odm_download_validates_and_is_audited(people, odm_schema):
    response = _client(people["dm"]).post("/exports/download/", {"export": "odm-transactional", "cutoff": ""})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="nct06965244-odm-transactional-now.xml"')
    doc = etree.fromstring(b"".join(response.streaming_content))
    assert odm_schema.validate(doc), odm_schema.error_log.filter_from_errors()
    assert doc.get("Archival") == "Yes"
    [event] = _events()
    assert (event.action, event.username, event.role, event.object_id) == (
        "export.odm", "dm", Role.DATA_MANAGER.value, "odm-transactional")
    assert event.request_id


def test_datasets_download_is_a_zip_of_the_domains(people):
    response = _client(people["stat"]).post("/exports/download/", {
        "export": "datasets", "arms": "coded", "format": "csv", "cutoff": ""})
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = set(archive.namelist())
    assert {"dm.csv", "ae.csv", "fa.csv", "data_dictionary.csv"} <= names and "ex.csv" not in names
    [event] = _events()
    assert event.changes["arms"] == [None, "coded"] and event.username == "stat"


def test_blinded_role_is_refused_arms_on_the_page(people):
    from equipoise.records.models import Membership

    Membership.objects.create(user=people["monitor"], site=people["site_a"], role=Role.BLINDED_ASSESSOR.value)
    client = _client(people["monitor"])
    page = client.get("/exports/").content.decode()
    assert 'value="coded"' not in page and 'value="actual"' not in page and "blinded role" in page
    for arms in ("coded", "actual"):
        response = client.post("/exports/download/", {"export": "datasets", "arms": arms, "format": "csv"})
        assert response.status_code == 403
    assert not _events()


def test_bad_input_is_a_400_naming_it_and_records_nothing(people):
    client = _client(people["dm"])
    response = client.post("/exports/download/", {"export": "odm-snapshot", "cutoff": "31/12/2026"})
    assert response.status_code == 400 and "is not a date" in response.content.decode()
    response = client.post("/exports/download/", {"export": "odm-snapshot", "cutoff": "2999-01-01"})
    assert response.status_code == 400 and "is in the future" in response.content.decode()
    response = client.post("/exports/download/", {"export": "datasets", "format": "xlsx"})
    assert response.status_code == 400
    assert _client(people["dm"]).get("/exports/download/").status_code == 405
    assert not _events()
