"""The CLASI entry page: who sees it, what it shows, and saving through it to the write path."""

from __future__ import annotations

import re

from clasi_testing import FULL_RECORD, fields_of

from equipoise.instruments.clasi import AREAS, score_clasi
from equipoise.records.actions.forms import complete_form, save_form
from equipoise.records.models import AuditEvent, FormRecord
from equipoise.records.roles import Role
from equipoise.web.body_map import PALETTE


def radios(body: str, name: str) -> list[str]:
    return re.findall(rf'<input type="radio" id="[^"]+" name="{re.escape(name)}" value="(\d+)"', body)


def group_fill(body: str, area: str) -> str:
    return re.search(rf'id="clasi-area-{area}"[^>]*fill="([^"]+)"', body).group(1)


def text_of(body: str, element_id: str) -> str:
    return re.search(rf'id="{element_id}"[^>]*>([^<]*)<', body).group(1).strip()


def test_assessor_gets_the_grid_the_once_items_and_the_body_map(people, client_for, clasi_url):
    response = client_for(people["assessor_a"]).get(clasi_url("W0"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('<tr id="row-') == 13
    for area in AREAS:
        assert radios(body, f"regions.{area}.erythema") == ["0", "1", "2", "3"]
        assert radios(body, f"regions.{area}.scale") == ["0", "1", "2"]
        assert radios(body, f"regions.{area}.dyspigmentation") == ["0", "1"]
        assert radios(body, f"regions.{area}.scarring") == ([] if area == "scalp" else ["0", "1", "2"])
    assert radios(body, "mucous_membrane") == ["0", "1"]
    assert radios(body, "recent_hair_loss") == ["0", "1"]
    assert radios(body, "nonscarring_alopecia") == ["0", "1", "2", "3"]
    assert radios(body, "scarring_alopecia") == ["0", "3", "4", "5", "6"]
    assert 'type="checkbox" id="f-dyspigmentation_12_months_or_more"' in body
    assert body.count('class="clasi-area level-0"') == 13
    assert "/static/web/clasi.js" in body and "/static/web/clasi.css" in body
    assert 'id="clasi-bands" type="application/json"' in body
    assert text_of(body, "clasi-a-total") == "0" and text_of(body, "clasi-d-total") == "0"
    # No inline script or style attribute: the page lives under a strict CSP.
    assert "style=" not in body
    assert not re.search(r"<script(?![^>]*(src=|application/json))", body)


def test_wording_follows_the_language(people, client_for, clasi_url):
    french = client_for(people["assessor_a"], "fr").get(clasi_url("W0")).content.decode()
    english = client_for(people["assessor_a"], "en").get(clasi_url("W0")).content.decode()
    assert "Érythème" in french and "Cuir chevelu" in french and "rouge foncé, violacé ou croûteux" in french
    assert "Erythema" in english and "Scalp" in english and "dark red, violaceous or crusted" in english
    assert "Enregistrer le CLASI" in french and "Save CLASI" in english


def test_other_site_gets_404_and_an_audit_event(people, client_for, clasi_url):
    client = client_for(people["inv_b"])
    before = AuditEvent.objects.filter(action="access.denied", username="inv_b").count()
    assert client.get(clasi_url("W0")).status_code == 404
    assert client.post(clasi_url("W0"), fields_of(FULL_RECORD)).status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", username="inv_b").count() == before + 2
    assert not FormRecord.objects.exists()


def test_saving_through_the_page_stores_the_servers_totals(people, client_for, clasi_url, subject):
    client = client_for(people["assessor_a"])
    response = client.post(clasi_url("W0"), fields_of(FULL_RECORD))
    assert response.status_code == 302
    record = FormRecord.objects.get(subject=subject, form_id="clasi")
    expected = score_clasi(FULL_RECORD)
    assert record.data == {"clasi_record": FULL_RECORD}
    assert record.derived == {"clasi_a": expected.activity, "clasi_d": expected.damage}
    assert (expected.activity, expected.damage) == (29, 21)
    event = AuditEvent.objects.get(action="form.save", form_id="clasi")
    assert event.role == Role.BLINDED_ASSESSOR and event.changes["derived.clasi_a"] == [None, 29]
    body = client.get(clasi_url("W0")).content.decode()
    assert text_of(body, "clasi-a-total") == "29" and text_of(body, "clasi-d-total") == "21"
    assert text_of(body, "clasi-severity") == "sévère"
    for area in AREAS:
        assert group_fill(body, area) == PALETTE[expected.area(area).activity], area
    assert re.search(r'id="c-regions-nose-erythema-3" name="regions.nose.erythema" value="3" checked', body)


def test_a_change_needs_a_reason(people, client_for, clasi_url, subject):
    client = client_for(people["assessor_a"])
    client.post(clasi_url("W0"), fields_of(FULL_RECORD))
    changed = {**fields_of(FULL_RECORD), "regions.feet.erythema": "2"}
    refused = client.post(clasi_url("W0"), changed)
    assert refused.status_code == 400
    body = refused.content.decode()
    assert 'id="clasi-errors"' in body and "<code>reason</code>" in body and 'id="reason"' in body
    # The refused values stay on the page so nothing typed is lost.
    assert re.search(r'name="regions.feet.erythema" value="2" checked', body)
    assert FormRecord.objects.get(form_id="clasi").derived["clasi_a"] == 29
    assert client.post(clasi_url("W0"), {**changed, "reason": "feet re-examined"}).status_code == 302
    record = FormRecord.objects.get(form_id="clasi")
    assert record.revision == 2 and record.derived["clasi_a"] == 31
    assert record.revisions.get(revision=2).reason == "feet re-examined"


def test_errors_are_shown_by_key_and_nothing_is_saved(people, client_for, clasi_url):
    client = client_for(people["assessor_a"])
    off_scale = client.post(clasi_url("W0"), {"regions.chest.erythema": "4"}).content.decode()
    assert "<code>regions.chest.erythema</code>" in off_scale
    assert re.search(r'<td class="has-error">\s*<div class="seg" role="radiogroup" aria-label="Thorax', off_scale)
    not_a_number = client.post(clasi_url("W0"), {"regions.arms.scale": "x"}).content.decode()
    assert "<code>regions.arms.scale</code>" in not_a_number
    no_item = client.post(clasi_url("W0"), {"regions.scalp.scarring": "1"}).content.decode()
    assert "<code>regions.scalp.scarring</code>" in no_item
    assert not FormRecord.objects.exists()


def test_monitor_reads_the_stored_assessment_and_cannot_write(people, client_for, clasi_url, actor_of, subject):
    visit = subject.visits.get(visit_id="W0")
    save_form(actor_of(people["assessor_a"], Role.BLINDED_ASSESSOR, "TNN"), subject, visit, "clasi",
              {"clasi_record": FULL_RECORD})
    client = client_for(people["monitor"])
    body = client.get(clasi_url("W0")).content.decode()
    assert 'id="clasi-read-only"' in body and "clasi.js" not in body
    assert 'id="clasi-save"' not in body
    inputs = re.findall(r'<input type="(?:radio|checkbox)"[^>]*>', body)
    # 13 areas x (4 + 3 + 2) choices, 12 x 3 scarring, 2 + 2 + 4 + 5 once-items, 1 checkbox,
    # and 13 "not assessed" checkboxes.
    assert len(inputs) == 13 * 9 + 12 * 3 + 13 + 1 + 13 and all(i.endswith(" disabled>") for i in inputs)
    assert text_of(body, "clasi-a-total") == "29" and text_of(body, "clasi-d-total") == "21"
    assert group_fill(body, "nose") == PALETTE[5]
    assert client.post(clasi_url("W0"), fields_of({"mucous_membrane": 0})).status_code == 403
    assert FormRecord.objects.get(form_id="clasi").revision == 1


def test_a_completed_assessment_is_read_only_with_the_servers_totals(people, client_for, clasi_url, actor_of, subject):
    assessor = actor_of(people["assessor_a"], Role.BLINDED_ASSESSOR, "TNN")
    record = save_form(assessor, subject, subject.visits.get(visit_id="W4"), "clasi",
                       {"clasi_record": FULL_RECORD, "assessment_date": "2026-03-30", "assessor": "Dr A"})
    complete_form(assessor, record)
    # Stored totals are what the page shows, whatever the record would score today.
    FormRecord.objects.filter(pk=record.pk).update(derived={"clasi_a": 29, "clasi_d": 21})
    body = client_for(people["assessor_a"]).get(clasi_url("W4")).content.decode()
    assert 'id="clasi-read-only"' in body and "clasi.js" not in body
    assert text_of(body, "clasi-a-total") == "29" and text_of(body, "clasi-severity") == "sévère"
    assert f'action="{clasi_url("W4")}reopen/"' in body
    refused = client_for(people["assessor_a"]).post(clasi_url("W4"), fields_of(FULL_RECORD))
    assert refused.status_code == 400 and "complete" in refused.content.decode()


def test_other_forms_still_use_the_generic_page(people, client_for, subject):
    visit = subject.visits.get(visit_id="W0")
    body = client_for(people["inv_a"]).get(
        f"/subjects/{subject.code}/visits/{visit.pk}/forms/pain_itch_nrs/").content.decode()
    assert 'id="record-form"' in body and "clasi-grid" not in body
