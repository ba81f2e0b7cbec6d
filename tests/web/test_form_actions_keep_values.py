"""The small forms under a record keep what was typed when refused (issue 13 item 3, the same defect
found beyond the treatment pages): a change's reason on a refused save, a reopening, a query and an
answer come back as typed, with the error beside the input in the page's language and the refusal's
status, and nothing changed."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.test import Client

from equipoise.records.actions.forms import complete_form, save_form
from equipoise.records.actions.queries import raise_query
from equipoise.records.actions.subjects import create_subject
from equipoise.records.models import DataQuery, FormRecord, FormState
from equipoise.records.roles import Role
from equipoise.records.visits_setup import create_schedule

LABS = {"lab_date": "2026-01-20", "lab_neutrophils_g_l": 3.1, "lab_platelets_g_l": 210,
        "lab_creatinine_clearance_ml_min": 95, "lab_alt_x_uln": 1, "lab_ast_x_uln": 1}


@pytest.fixture
def labs(people, actor_of):
    inv = actor_of(people["inv_a"], Role.INVESTIGATOR, "TNN")
    subject = create_subject(inv, people["site_a"], "nct06965244")
    create_schedule(subject, dt.date(2026, 1, 20))
    return save_form(inv, subject, subject.visits.get(visit_id="W0"), "labs", LABS)


def client_of(user, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def url(record: FormRecord, action: str = "") -> str:
    page = f"/subjects/{record.subject.code}/visits/{record.visit_id}/forms/{record.form_id}/"
    return page + (f"{action}/" if action else "")


def form_in(response, form_id: str) -> str:
    return response.content.decode().split(f'id="{form_id}"', 1)[1].split("</form>", 1)[0]


def beside(form: str, field: str) -> str:
    found = re.search(rf'data-field="{field}">([^<]*)<', form)
    return html.unescape(found.group(1)) if found else ""


def test_a_refused_change_keeps_its_reason(people, labs):
    response = client_of(people["inv_a"], "fr").post(url(labs), {
        **{k: str(v) for k, v in LABS.items()}, "lab_platelets_g_l": "beaucoup", "reason": "erreur de saisie"})
    assert response.status_code == 400
    assert 'name="reason" size="60" value="erreur de saisie"' in response.content.decode()
    labs.refresh_from_db()
    assert labs.revision == 1


def test_a_refused_reopening_says_why_beside_its_reason(people, labs, actor_of):
    complete_form(actor_of(people["inv_a"], Role.INVESTIGATOR, "TNN"), labs)
    response = client_of(people["inv_a"], "fr").post(url(labs, "reopen"), {"reason": "  "})
    assert response.status_code == 400
    assert "indiquez pourquoi" in beside(form_in(response, "reopen-form"), "reason")
    labs.refresh_from_db()
    assert labs.state == FormState.COMPLETE


def test_a_refused_query_keeps_the_field_chosen(people, labs):
    response = client_of(people["monitor"], "en").post(url(labs, "query"),
                                                       {"field": "lab_platelets_g_l", "text": ""})
    assert response.status_code == 400
    form = form_in(response, "query-form")
    assert '<option value="lab_platelets_g_l" selected>' in form and "write the question" in beside(form, "text")
    assert not DataQuery.objects.exists()


def test_a_refused_answer_is_shown_beside_its_query(people, labs, actor_of):
    query = raise_query(actor_of(people["monitor"], Role.MONITOR), labs, "lab_platelets_g_l", "Source value?")
    response = client_of(people["inv_a"], "fr").post(url(labs, "answer"), {"query": query.pk, "answer": " "})
    assert response.status_code == 400
    assert "écrivez la réponse" in beside(form_in(response, f"answer-form-{query.pk}"), "answer")
    query.refresh_from_db()
    assert not query.answer
