"""CLASI never scores what was not assessed (issue 13 item 4): items start empty, an area is either
scored or ticked "not assessed", completion waits for every area, totals say they are incomplete,
the assessment carries its date and assessor, and a query can target one item."""

from __future__ import annotations

import datetime as dt
import re

from clasi_testing import FULL_RECORD, fields_of

from clasi_fill import scored_everywhere
from equipoise.instruments.clasi import AREAS
from equipoise.records.actions.forms import save_form
from equipoise.records.models import DataQuery, FormRecord, FormState
from equipoise.records.roles import Role

DATED = {"assessment_date": "2026-03-02", "assessor": "Dr Assessor"}


def text_of(body: str, element_id: str) -> str:
    return re.search(rf'id="{element_id}"[^>]*>([^<]*)<', body).group(1).strip()


def messages_of(client, url: str) -> str:
    return " ".join(re.findall(r'<li class="[^"]*">([^<]+)</li>', client.get(url).content.decode()))


def test_a_new_clasi_has_no_item_chosen_and_no_total(people, client_for, clasi_url):
    body = client_for(people["assessor_a"]).get(clasi_url("W0")).content.decode()
    assert not re.search(r'<input type="radio"[^>]* checked', body)
    assert body.count('name="not_assessed"') == 13
    assert text_of(body, "clasi-severity") == "—"
    assert text_of(body, "clasi-status").startswith("Incomplet : 13 zone(s) encore vide(s), 4 item(s)")


def test_an_untouched_area_blocks_completion(people, client_for, clasi_url, subject):
    client = client_for(people["assessor_a"], "en")
    url = clasi_url("W0")
    record = dict(FULL_RECORD, regions={a: v for a, v in FULL_RECORD["regions"].items() if a != "feet"})
    response = client.post(url, {**fields_of(record), **DATED})
    assert response.status_code == 302
    stored = FormRecord.objects.get(visit__pk=subject.visits.get(visit_id="W0").pk, form_id="clasi")
    assert stored.derived == {"clasi_a": None, "clasi_d": None}
    body = client.get(url).content.decode()
    assert text_of(body, "clasi-status") == "Incomplete: 1 area(s) still empty"
    client.post(url + "complete/", {"confirm": "yes"})
    stored.refresh_from_db()
    assert stored.state == FormState.DRAFT
    said = messages_of(client, url)
    assert "cannot be completed yet" in said and said.endswith("as not assessed: Feet.")


def test_an_area_scored_in_part_names_the_empty_items(people, client_for, clasi_url):
    client = client_for(people["assessor_a"], "fr")
    regions = dict(FULL_RECORD["regions"], hands={"erythema": 1})
    client.post(clasi_url("W0"), {**fields_of(dict(FULL_RECORD, regions=regions)), **DATED})
    client.post(clasi_url("W0") + "complete/", {"confirm": "yes"})
    said = messages_of(client, clasi_url("W0"))
    assert "Mains — Squames / hypertrophie, Dyschromie, Cicatrice / atrophie / panniculite" in said


def test_not_assessed_is_accepted_and_leaves_no_total(people, client_for, clasi_url, subject):
    client = client_for(people["assessor_a"], "en")
    url = clasi_url("W0")
    record = dict(FULL_RECORD, regions={a: v for a, v in FULL_RECORD["regions"].items() if a != "feet"})
    response = client.post(url, {**fields_of(record), **DATED, "not_assessed": "feet"})
    assert response.status_code == 302
    stored = FormRecord.objects.get(visit__pk=subject.visits.get(visit_id="W0").pk, form_id="clasi")
    assert stored.data["clasi_record"]["not_assessed"] == ["feet"]
    assert stored.data["assessment_date"] == "2026-03-02" and stored.data["assessor"] == "Dr Assessor"
    assert stored.derived == {"clasi_a": None, "clasi_d": None}
    client.post(url + "complete/", {"confirm": "yes"})
    stored.refresh_from_db()
    assert stored.state == FormState.COMPLETE
    body = client.get(url).content.decode()
    assert text_of(body, "clasi-status") == "No total: an area was not assessed."
    assert 'id="na-feet" name="not_assessed" value="feet" checked disabled' in body


def test_an_area_ticked_and_scored_is_refused_and_nothing_saved(people, client_for, clasi_url):
    client = client_for(people["assessor_a"], "en")
    response = client.post(clasi_url("W0"), {**fields_of(FULL_RECORD), **DATED, "not_assessed": "nose"})
    assert response.status_code == 400
    assert "Nose (with malar area) is marked not assessed but has scores" in response.content.decode()
    assert not FormRecord.objects.filter(form_id="clasi").exists()


def test_completion_needs_the_date_and_the_assessor(people, client_for, clasi_url, subject):
    client = client_for(people["assessor_a"], "en")
    url = clasi_url("W0")
    body = client.get(url).content.decode()
    assert 'id="f-assessor" name="assessor" value="assessor_a"' in body  # who is signed in, editable
    client.post(url, {**fields_of(FULL_RECORD), "assessor": ""})
    client.post(url + "complete/", {"confirm": "yes"})
    stored = FormRecord.objects.get(form_id="clasi")
    assert stored.state == FormState.DRAFT and stored.derived["clasi_a"] == 29
    assert messages_of(client, url).endswith("This CLASI cannot be completed yet. Fill in: Date of the assessment; Assessed by.")


def test_a_future_assessment_date_is_refused(people, client_for, clasi_url):
    client = client_for(people["assessor_a"], "en")
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    response = client.post(clasi_url("W0"), {**fields_of(FULL_RECORD), "assessment_date": tomorrow, "assessor": "A"})
    assert response.status_code == 400 and "cannot be in the future" in response.content.decode()
    assert not FormRecord.objects.filter(form_id="clasi").exists()


def test_a_query_can_target_one_item(people, client_for, clasi_url, actor_of, subject):
    save_form(actor_of(people["assessor_a"], Role.BLINDED_ASSESSOR, "TNN"), subject, subject.visits.get(visit_id="W0"),
              "clasi", {"clasi_record": scored_everywhere({}), **DATED})
    monitor = client_for(people["monitor"], "en")
    body = monitor.get(clasi_url("W0")).content.decode()
    assert '<option value="clasi_record.regions.scalp.erythema">Scalp — Erythema</option>' in body
    monitor.post(clasi_url("W0") + "query/", {"field": "clasi_record.regions.nose.scale", "text": "verrucous?"})
    query = DataQuery.objects.get()
    assert query.field == "clasi_record.regions.nose.scale"
    body = client_for(people["assessor_a"], "en").get(clasi_url("W0")).content.decode()
    cell = re.search(r'<td class="[^"]*queried[^"]*"[^>]*>\s*<div class="seg" role="radiogroup" aria-label="([^"]+)"', body)
    assert cell.group(1) == "Nose (with malar area) — Scale / hypertrophy"
    monitor.post(clasi_url("W0") + "query/", {"field": "clasi_record.regions.nose.elbow", "text": "?"})
    assert DataQuery.objects.count() == 1


def test_every_area_scored_zero_is_a_real_zero(people, client_for, clasi_url):
    client = client_for(people["assessor_a"], "en")
    client.post(clasi_url("W0"), {**fields_of(scored_everywhere({})), **DATED})
    stored = FormRecord.objects.get(form_id="clasi")
    assert stored.derived == {"clasi_a": 0, "clasi_d": 0}
    assert set(stored.data["clasi_record"]["regions"]) == set(AREAS)


def test_an_assessment_outside_the_window_asks_for_confirmation_and_records_a_deviation(
        people, client_for, clasi_url, subject):
    from equipoise.treatment.models import ProtocolDeviation

    client = client_for(people["assessor_a"], "en")
    url = clasi_url("W4")
    w4 = subject.visits.get(visit_id="W4")
    late = (w4.latest_date + dt.timedelta(days=20)).isoformat()
    response = client.post(url, {**fields_of(FULL_RECORD), "assessment_date": late, "assessor": "A"})
    body = response.content.decode()
    assert response.status_code == 400 and "20 day(s) outside the visit window" in body
    assert 'name="confirm_outside_window"' in body
    assert not FormRecord.objects.filter(form_id="clasi").exists()
    response = client.post(url, {**fields_of(FULL_RECORD), "assessment_date": late, "assessor": "A",
                                 "confirm_outside_window": "on"})
    assert response.status_code == 302
    deviation = ProtocolDeviation.objects.get()
    assert deviation.visit_id == w4.pk and "CLASI assessment" in deviation.detail and "20 day(s) late" in deviation.detail
