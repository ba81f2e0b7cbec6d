"""The statistics page and the screening log cost the same queries whatever the number of patients,
and neither reads the full eligibility evidence: they read the summary stored beside it.

Each is measured at the `trial` fixture's size and again after more patients were screened; the
number of SQL queries must not change (a per-patient query would add one per patient).
"""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .conftest import _screen

pytestmark = pytest.mark.django_db

EVIDENCE = '"records_eligibilityassessment"."result"'


def grow(staff, people, today, n: int) -> None:
    rng = random.Random(n)
    for i in range(n):
        _screen(staff["inv_a"], people["site_a"], rng, today, ["EX08"] if i % 2 else None)


def queries_of(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"] for q in captured]


def test_statistics_page_computes_with_a_fixed_number_of_queries(trial, people, staff, client_for, today,
                                                                 settings, django_assert_max_num_queries):
    settings.STATS_MAX_AGE = 0  # every data change recomputes the figures
    client = client_for(people["stat"])
    queries_of(client, "/stats/")  # the first request also warms the process (session, protocol parse)
    grow(staff, people, today, 1)
    small = queries_of(client, "/stats/")
    assert any("records_formrecord" in q for q in small)  # the figures were computed in this request
    grow(staff, people, today, 4)
    with django_assert_max_num_queries(len(small)):
        large = queries_of(client, "/stats/")
    assert any("records_formrecord" in q for q in large) and len(large) == len(small)
    assert not [q for q in small + large if EVIDENCE in q]
    body = client.get("/stats/").content.decode()
    assert 'id="computed-at"' in body


def test_screening_log_reads_the_summary_not_the_evidence(trial, people, staff, client_for, today,
                                                          django_assert_max_num_queries):
    client = client_for(people["inv_a"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    queries_of(client, "/screening-log/")  # warm the process
    small = queries_of(client, "/screening-log/")
    grow(staff, people, today, 4)
    with django_assert_max_num_queries(len(small)):
        large = queries_of(client, "/screening-log/")
    assert not [q for q in small + large if EVIDENCE in q]
    page = client.get("/screening-log/").content.decode()
    # The failed criteria and the protocol version come from the stored summary.
    assert "EX08" in page and "nct06965244 v1" in page
    csv = client.get("/screening-log/?format=csv").content.decode()
    assert "EX02, EX06" in csv


def test_dataset_extraction_reads_the_summary_not_the_evidence(trial, today):
    from equipoise.records.models import EligibilityAssessment
    from equipoise.records.screening_log import failed_criteria
    from equipoise.stats_db.extract import build_dataset

    with CaptureQueriesContext(connection) as captured:
        dataset = build_dataset(today)
    assert dataset.subjects and not [q["sql"] for q in captured if EVIDENCE in q["sql"]]
    # The summary agrees with the evidence it was taken from.
    for a in EligibilityAssessment.objects.all():
        assert a.failed_criteria == failed_criteria(a.result)
        assert a.missing_variables == a.result["missing"]
