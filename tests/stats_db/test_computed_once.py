"""Statistics are computed once per cut-off and data change, not on every request."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def reads_form_records(client, url: str) -> bool:
    """Whether serving `url` read the form records (that is, rebuilt the analysis dataset)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return any("records_formrecord" in q["sql"] for q in captured)


def test_pages_reuse_the_computed_figures_until_the_data_change(trial, people, client_for, staff, today, settings):
    from equipoise.records.actions.forms import save_form
    from equipoise.records.models import Subject
    from equipoise.stats_db.models import ComputedResult

    settings.STATS_MAX_AGE = 0  # no grace period: every data change is seen at once
    client = client_for(people["stat"])
    first = client.get("/stats/")
    assert first.status_code == 200 and 'id="computed-at"' in first.content.decode()
    assert reads_form_records(client, "/stats/") is False
    # Other documents are made from the stored dataset; each is stored once made.
    report = json.loads(client.get("/stats/report.json").content)
    assert ComputedResult.objects.filter(key__startswith="report|").count() == 1
    for url in ("/stats/table1/", "/stats/table1/", "/stats/report.json", "/stats/recruitment.svg"):
        assert reads_form_records(client, url) is False, url
    assert ComputedResult.objects.filter(key__startswith="report|").count() == 1
    # Serving documents left audit events, which are reads: the figures still stand.
    assert reads_form_records(client, "/stats/") is False
    # A change of data (a form saved through its action) is seen on the next request.
    subject = Subject.objects.filter(site__code="TNN").order_by("code").first()
    save_form(staff["inv_a"], subject, subject.visits.filter(visit_id="SCR").first(), "labs",
              {"lab_date": today.isoformat()})
    assert reads_form_records(client, "/stats/") is True
    assert reads_form_records(client, "/stats/") is False
    assert json.loads(client.get("/stats/report.json").content).keys() == report.keys()
    marks = set(ComputedResult.objects.values_list("data_mark", flat=True))
    assert len(marks) == 1  # results of the earlier data were dropped


def test_a_different_cut_off_is_computed_separately(trial, people, client_for, today):
    import datetime as dt

    client = client_for(people["stat"])
    assert reads_form_records(client, "/stats/") is True
    earlier = (today - dt.timedelta(days=30)).isoformat()
    assert reads_form_records(client, f"/stats/?cutoff={earlier}") is True
    assert reads_form_records(client, f"/stats/?cutoff={earlier}") is False
    assert reads_form_records(client, "/stats/") is False


def test_while_data_entry_goes_on_recent_figures_are_served_and_say_so(trial, people, client_for, staff, today,
                                                                       settings):
    from equipoise.records.actions.forms import save_form
    from equipoise.records.models import Subject

    settings.STATS_MAX_AGE = 600
    client = client_for(people["stat"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/stats/"})
    assert reads_form_records(client, "/stats/") is True
    subject = Subject.objects.filter(site__code="TNN").order_by("code").first()
    save_form(staff["inv_a"], subject, subject.visits.filter(visit_id="SCR").first(), "labs",
              {"lab_date": today.isoformat()})
    assert reads_form_records(client, "/stats/") is False  # ten minutes of grace
    page = client.get("/stats/").content.decode()
    assert "Data have been entered since." in page and "fresh=1" in page
    assert reads_form_records(client, "/stats/?fresh=1") is True
    assert "Data have been entered since." not in client.get("/stats/").content.decode()
