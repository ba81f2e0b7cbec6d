"""A refused save shows the form again with every value the user typed, yes/no answers included.

Walks every form the form page serves (the CLASI page has its own test): one field gets a value
the form refuses, every other field a valid typed value; the page that comes back must still hold
each of those values, and nothing may be saved.
"""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.test import Client

from equipoise.records.actions.subjects import create_subject
from equipoise.records.models import FormRecord
from equipoise.records.protocol_versions import current_version, protocol_of
from equipoise.records.roles import Role
from equipoise.records.visits_setup import create_schedule
from equipoise.web.clasi_views import is_clasi_form

WRONG = "zz-wrong"


def typed_value(field, index: int) -> str:
    if field.type == "bool":
        return "true" if index % 2 else "false"
    if field.type == "enum":
        return str(field.choices[-1].code)
    if field.type == "date":
        return "2026-01-05"
    if field.type == "datetime":
        return "2026-01-05T09:30"  # what a datetime-local picker sends: Paris time, no offset
    if field.type in ("int", "number"):
        low = field.min if field.min is not None else 0
        return str(int(low) + 1)
    return "some text"


def shown_value(page: str, field) -> str | None:
    """The value the page shows for `field`: the selected option, or the input's value."""
    name = re.escape(field.name)
    select = re.search(rf'<select id="f-{name}" name="{name}"[^>]*>(.*?)</select>', page, re.S)
    if select:
        chosen = re.search(r'<option value="([^"]*)"\s+selected', select.group(1))
        return chosen.group(1) if chosen else ""
    box = re.search(rf'<input id="f-{name}" name="{name}" value="([^"]*)"', page)
    return html.unescape(box.group(1)) if box else None


def plain_forms():
    protocol = protocol_of(current_version("nct06965244"))
    return [f for f in protocol.forms if not is_clasi_form(f)
            and not any(x.type == "instrument" for x in f.fields())]


@pytest.fixture
def subject(people, actor_of):
    actor = actor_of(people["inv_a"], Role.INVESTIGATOR, "TNN")
    subject = create_subject(actor, people["site_a"], "nct06965244")
    create_schedule(subject, dt.date(2026, 1, 20))
    return subject


def test_every_form_page_keeps_every_typed_value_after_a_refused_save(people, subject):
    client = Client()
    client.force_login(people["inv_a"])
    protocol = protocol_of(current_version("nct06965244"))
    forms = plain_forms()
    assert {"screening", "pregnancy_test", "labs", "sledai", "dlqi"} <= {f.id for f in forms}
    for form in forms:
        visit_id = next(v.id for v in protocol.schedule.visits if form.id in v.forms)
        visit = subject.visits.get(visit_id=visit_id, scheduled=True)
        fields = list(form.fields())
        typed = {f.name: typed_value(f, i) for i, f in enumerate(fields)}
        typed[fields[0].name] = WRONG
        url = f"/subjects/{subject.code}/visits/{visit.pk}/forms/{form.id}/"
        response = client.post(url, typed)
        assert response.status_code == 400, (form.id, response.status_code)
        page = response.content.decode()
        assert 'role="alert"' in page, form.id
        for field in fields[1:]:
            assert shown_value(page, field) == typed[field.name], (form.id, field.name, typed[field.name])
        if fields[0].type not in ("bool", "enum"):
            assert shown_value(page, fields[0]) == WRONG, form.id
        assert not FormRecord.objects.filter(visit=visit, form_id=form.id).exists(), form.id


def test_a_saved_yes_no_answer_is_shown_selected(people, subject, actor_of):
    from equipoise.records.actions.forms import save_form

    actor = actor_of(people["inv_a"], Role.INVESTIGATOR, "TNN")
    visit = subject.visits.get(visit_id="SCR")
    save_form(actor, subject, visit, "pregnancy_test", {"pregnancy_test_supervised": False,
                                                        "pregnancy_test_result": "negative"})
    client = Client()
    client.force_login(people["inv_a"])
    page = client.get(f"/subjects/{subject.code}/visits/{visit.pk}/forms/pregnancy_test/").content.decode()
    form = protocol_of(current_version("nct06965244")).form("pregnancy_test")
    supervised = next(f for f in form.fields() if f.name == "pregnancy_test_supervised")
    assert shown_value(page, supervised) == "false"
