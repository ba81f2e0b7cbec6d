"""The write path's prepared statements read and write exactly what the ORM would, on either database."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from equipoise.records import statements
from equipoise.records.actions.subjects import create_subject
from equipoise.records.models import FormRecord, FormRevision, Visit
from equipoise.records.protocol_versions import current_version
from equipoise.records.roles import Role

WHEN = dt.datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=dt.UTC)


@pytest.fixture
def subject(people, actor_of):
    return create_subject(actor_of(people["inv_a"], Role.INVESTIGATOR, "TNN"), people["site_a"], "nct06965244")


def _record(subject, visit, data):
    return FormRecord(subject=subject, visit=visit, form_id="labs", data=data, derived={"n": 1}, revision=1,
                      protocol_version=current_version("nct06965244"), updated_at=WHEN)


def test_insert_then_fetch_round_trips_json_dates_and_keys_like_the_orm(subject):
    visit = subject.visits.get(visit_id="SCR")
    data = {"lab_date": "2026-03-02", "nested": {"é": [1, 2.5, None, True]}}
    with transaction.atomic():
        record = statements.insert(_record(subject, visit, data))
    assert record.pk is not None and not record._state.adding
    orm = FormRecord.objects.get(pk=record.pk)
    assert (orm.data, orm.derived, orm.updated_at, orm.visit_id) == (data, {"n": 1}, WHEN, visit.pk)
    fetched = statements.fetch(FormRecord, visit_id=visit.pk, form_id="labs")
    assert (fetched.pk, fetched.data, fetched.updated_at, fetched.subject_id) == (record.pk, data, WHEN, subject.pk)
    assert statements.fetch(FormRecord, visit_id=visit.pk, form_id="no such form") is None


def test_fetch_only_defers_the_other_columns_and_fetch_values_builds_no_instance(subject):
    visit = subject.visits.get(visit_id="SCR")
    with transaction.atomic():
        record = statements.insert(_record(subject, visit, {"a": 1}))
    partial = statements.fetch(FormRecord, id=record.pk, only=["form_id"])
    assert partial.get_deferred_fields() >= {"data", "derived", "updated_at"}
    assert partial.data == {"a": 1}  # loaded on first use, as with QuerySet.only
    assert statements.fetch_values(FormRecord, ["form_id", "revision"], id=record.pk) == ("labs", 1)


def test_insert_unless_present_leaves_the_existing_row_alone(subject):
    visit = subject.visits.get(visit_id="SCR")
    with transaction.atomic():
        assert statements.insert_unless_present(_record(subject, visit, {"first": 1}))
        again = _record(subject, visit, {"second": 2})
        assert not statements.insert_unless_present(again)
    assert again.pk is None
    assert FormRecord.objects.get(visit=visit, form_id="labs").data == {"first": 1}


def test_a_plain_insert_that_breaks_a_constraint_raises_django_integrity_error(subject):
    visit = subject.visits.get(visit_id="SCR")
    with transaction.atomic():
        statements.insert(_record(subject, visit, {}))
    with pytest.raises(IntegrityError), transaction.atomic():
        statements.insert(_record(subject, visit, {}))
    assert FormRecord.objects.count() == 1


def test_update_and_update_values_write_only_the_named_fields(subject):
    visit = subject.visits.get(visit_id="SCR")
    with transaction.atomic():
        record = statements.insert(_record(subject, visit, {"a": 1}))
        record.data, record.revision = {"a": 2}, 5
        statements.update(record, ["data"])
        statements.update_values(FormRecord, record.pk, state="complete")
    stored = FormRecord.objects.get(pk=record.pk)
    assert (stored.data, stored.revision, stored.state) == ({"a": 2}, 1, "complete")


def test_upsert_many_inserts_new_rows_and_updates_the_ones_the_constraint_holds(subject):
    baseline = subject.visits.get(visit_id="W0")
    assert baseline.target_date is None
    rows = [{"subject_id": subject.pk, "visit_id": v, "scheduled": True, "attempt": 1, "sequence": i,
             "target_date": dt.date(2026, 3, 2) + dt.timedelta(days=7 * i)} for i, v in enumerate(["W0", "W4"])]
    with transaction.atomic():
        statements.upsert_many(Visit, rows, constraint="one_scheduled_visit", update=["sequence", "target_date"])
    baseline.refresh_from_db()
    assert baseline.target_date == dt.date(2026, 3, 2)
    assert subject.visits.get(visit_id="W4").target_date == dt.date(2026, 3, 9)
    assert subject.visits.filter(visit_id="W0").count() == 1


def test_while_django_logs_queries_the_statements_are_logged_and_behave_the_same(subject):
    visit = subject.visits.get(visit_id="SCR")
    with CaptureQueriesContext(connection) as logged, transaction.atomic():
        record = statements.insert(_record(subject, visit, {"a": 1}))
        fetched = statements.fetch(FormRecord, for_update=True, id=record.pk)
        rows = statements.query(f"SELECT {statements.column(FormRecord, 'data')} FROM {statements.table(FormRecord)}",
                                [], [FormRecord._meta.get_field("data")])
    assert fetched.data == {"a": 1} and rows == [({"a": 1},)]
    assert any("INSERT INTO" in q["sql"] for q in logged.captured_queries)
    assert len([q for q in logged.captured_queries if "records_formrecord" in q["sql"]]) == 3


def test_insert_unless_present_with_a_dependent_row_inserts_both_or_neither(subject, people):
    visit = subject.visits.get(visit_id="SCR")
    version = current_version("nct06965244")

    def revision(data):
        return FormRevision(revision=1, data=data, changes={}, reason="", user=people["inv_a"], at=WHEN,
                            protocol_version=version)

    with transaction.atomic():
        record = _record(subject, visit, {"first": 1})
        assert statements.insert_unless_present(record, then=revision({"first": 1}), link="record")
        assert not statements.insert_unless_present(_record(subject, visit, {"second": 2}),
                                                    then=revision({"second": 2}), link="record")
    assert [(r.record_id, r.data) for r in FormRevision.objects.all()] == [(record.pk, {"first": 1})]


def test_together_runs_independent_writes_and_hands_back_each_returned_key(subject):
    screening, baseline = subject.visits.get(visit_id="SCR"), subject.visits.get(visit_id="W0")
    with transaction.atomic():
        kept = statements.insert(_record(subject, screening, {"a": 1}))
        added = _record(subject, baseline, {"b": 2})
        skipped = _record(subject, screening, {"c": 3})
        keys = statements.together([
            statements.updating_values(FormRecord, kept.pk, state="complete"),
            statements.inserting(added),
            statements.inserting(skipped, unless_present=True),
            statements.upserting_many(Visit, [{"subject_id": subject.pk, "visit_id": "W0", "scheduled": True,
                                               "attempt": 1, "sequence": 1, "target_date": dt.date(2026, 3, 2)}],
                                      constraint="one_scheduled_visit", update=["target_date"]),
        ])
    assert keys == [None, added.pk, None, None] and added.pk is not None and skipped.pk is None
    assert FormRecord.objects.get(pk=kept.pk).state == "complete"
    assert FormRecord.objects.get(pk=added.pk).data == {"b": 2}
    assert subject.visits.get(visit_id="W0").target_date == dt.date(2026, 3, 2)


def test_on_postgresql_writes_together_are_one_statement(subject):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs them one by one")
    visit = subject.visits.get(visit_id="SCR")
    record = _record(subject, visit, {"a": 1})
    with CaptureQueriesContext(connection) as logged, transaction.atomic():
        statements.insert(record)
        statements.together([statements.updating_values(FormRecord, record.pk, state="complete"),
                             statements.updating_values(Visit, visit.pk, target_date=dt.date(2026, 3, 2))])
    assert len([q for q in logged.captured_queries if "records_" in q["sql"]]) == 2


def test_nothing_together_is_nothing_and_an_empty_multi_row_insert_is_refused(subject):
    with transaction.atomic():
        assert statements.together([]) == []
    with pytest.raises(ValueError, match="no Visit rows"):
        statements.inserting_many(Visit, [])
