"""The hot API calls (read a form, save it) run a small, fixed number of SQL queries, the same
whatever else the trial holds, and never read a protocol version's stored source files."""

from __future__ import annotations

import pytest
from api_testing import LABS, form_path
from django.db import connection
from django.test.utils import CaptureQueriesContext

from equipoise.records.actions.forms import save_form
from equipoise.records.actions.subjects import create_subject

# Token and user, subject and site, roles, the record with its visit, the protocol version in force,
# the signatures over the record.
READ_QUERIES = 6
# The read's queries, then the transaction: the chain head locked (once: the action hands the row it
# locked to read the version under it on to the audit writer), the version, the record locked, the
# record updated, its revision inserted, the head moved and the audit event inserted, the source
# verification and the signatures locked (each set back by the change); the answer's signatures.
SAVE_QUERIES = 17

SOURCE = '"records_protocolversion"."source"'


def calls(api, subject, reason: str) -> dict[str, list[str]]:
    out = {}
    for name, call in (("read", lambda: api.get("inv_a", form_path(subject))),
                       ("save", lambda: api.put("inv_a", form_path(subject),
                                                {"data": {**LABS, "lab_neutrophils_g_l": len(reason)},
                                                 "reason": reason}))):
        with CaptureQueriesContext(connection) as captured:
            response = call()
        assert response.status_code == 200, response.content[:300]
        out[name] = [q["sql"] for q in captured]
    return out


def test_form_read_and_save_queries_are_few_and_do_not_grow(api, subject_a, inv_a, people,
                                                             django_assert_max_num_queries):
    calls(api, subject_a, "warm")  # the first call parses the protocol once for the process
    small = calls(api, subject_a, "first correction")
    for _ in range(5):  # more subjects, more saved records and revisions, a longer audit chain
        other = create_subject(inv_a, people["site_a"], "nct06965244")
        save_form(inv_a, other, other.visits.get(visit_id="SCR"), "labs", LABS)
    with django_assert_max_num_queries(READ_QUERIES + SAVE_QUERIES):
        large = calls(api, subject_a, "second correction here")
    assert {k: len(v) for k, v in large.items()} == {k: len(v) for k, v in small.items()}
    assert len(large["read"]) <= READ_QUERIES and len(large["save"]) <= SAVE_QUERIES
    assert not [q for q in large["read"] + large["save"] if SOURCE in q]


def test_save_answers_the_saved_record(api, subject_a):
    """The save's answer is built from what the action wrote, not read back: it must match a read."""
    saved = api.put("inv_a", form_path(subject_a), {"data": {**LABS, "lab_neutrophils_g_l": 3.1},
                                                     "reason": "typo"}).json()
    assert saved == api.get("inv_a", form_path(subject_a)).json()
    assert saved["revision"] == 2 and saved["data"]["lab_neutrophils_g_l"] == 3.1


@pytest.mark.parametrize("changed_before", [False, True])
def test_unchanged_save_answers_like_a_read(api, subject_a, changed_before):
    if changed_before:
        api.put("inv_a", form_path(subject_a), {"data": {**LABS, "lab_neutrophils_g_l": 3.1}, "reason": "typo"})
    current = api.get("inv_a", form_path(subject_a)).json()
    again = api.put("inv_a", form_path(subject_a), {"data": current["data"]})
    assert again.status_code == 200 and again.json() == current
