"""DLQI, pain/itch NRS, physician global and SLEDAI-2K through the generic form page, at the visits
the protocol schedules them, with their totals computed and stored by the server."""

from __future__ import annotations

import pytest

from equipoise.instruments.dlqi import score_dlqi
from equipoise.instruments.sledai import score_sledai
from equipoise.records.models import FormRecord
from equipoise.records.protocol_versions import current_version, protocol_of

DLQI = {f"dlqi_q{i}": i % 4 for i in range(1, 11)}  # 1+2+3+0+1+2+3+0+1+2 = 15
SLEDAI_PRESENT = {"sledai_arthritis", "sledai_rash", "sledai_low_complement", "sledai_fever"}  # 4+2+2+1 = 9


def sledai_post() -> dict[str, str]:
    protocol = protocol_of(current_version("nct06965244"))
    names = [f.name for f in protocol.form("sledai").fields()]
    assert len(names) == 24
    return {name: "true" if name in SLEDAI_PRESENT else "false" for name in names}


def url(subject, visit_id: str, form_id: str) -> str:
    visit = subject.visits.get(visit_id=visit_id, scheduled=True)
    return f"/subjects/{subject.code}/visits/{visit.pk}/forms/{form_id}/"


def test_the_protocol_schedules_dlqi_and_sledai_at_w0_w16_w24(protocol_version):
    protocol = protocol_of(current_version("nct06965244"))
    for form_id in ("dlqi", "sledai"):
        assert [v.id for v in protocol.schedule.visits if form_id in v.forms] == ["W0", "W16", "W24"]


@pytest.mark.parametrize("visit_id", ["W0", "W16", "W24"])
def test_dlqi_renders_and_saves_its_total(people, client_for, subject, visit_id):
    client = client_for(people["inv_a"], "en")
    page = client.get(url(subject, visit_id, "dlqi"))
    assert page.status_code == 200
    body = page.content.decode()
    assert body.count('<select id="f-dlqi_q') == 10 and "Dermatology Life Quality Index" in body
    saved = client.post(url(subject, visit_id, "dlqi"), {k: str(v) for k, v in DLQI.items()})
    assert saved.status_code == 302
    record = FormRecord.objects.get(visit__visit_id=visit_id, form_id="dlqi")
    assert record.data == DLQI
    assert record.derived == {"dlqi_total": score_dlqi(DLQI).total} == {"dlqi_total": 15}


@pytest.mark.parametrize("visit_id", ["W0", "W16", "W24"])
def test_sledai_renders_and_saves_its_total(people, client_for, subject, visit_id):
    client = client_for(people["inv_a"], "en")
    assert client.get(url(subject, visit_id, "sledai")).content.decode().count('<select id="f-sledai_') == 24
    assert client.post(url(subject, visit_id, "sledai"), sledai_post()).status_code == 302
    record = FormRecord.objects.get(visit__visit_id=visit_id, form_id="sledai")
    assert record.derived == {"sledai_total": score_sledai(record.data).total} == {"sledai_total": 9}


def test_a_partly_filled_dlqi_has_no_total_yet(people, client_for, subject):
    client = client_for(people["inv_a"])
    assert client.post(url(subject, "W0", "dlqi"), {"dlqi_q1": "2"}).status_code == 302
    assert FormRecord.objects.get(form_id="dlqi").derived == {"dlqi_total": None}


@pytest.mark.parametrize("form_id", ["dlqi", "sledai"])
def test_dlqi_and_sledai_are_refused_where_not_scheduled(people, client_for, subject, form_id):
    response = client_for(people["inv_a"]).post(url(subject, "W4", form_id), {})
    assert response.status_code == 400 and "not scheduled at visit W4" in response.content.decode()
    assert not FormRecord.objects.filter(form_id=form_id).exists()


@pytest.mark.parametrize("visit_id", ["W0", "W4", "W16", "W24"])
def test_pain_itch_and_physician_global_save_at_each_treatment_visit(people, client_for, subject, visit_id):
    investigator = client_for(people["inv_a"])
    assert investigator.get(url(subject, visit_id, "pain_itch_nrs")).status_code == 200
    assert investigator.post(url(subject, visit_id, "pain_itch_nrs"),
                             {"pain_nrs": "6", "itch_nrs": "3"}).status_code == 302
    assessor = client_for(people["assessor_a"])
    assert assessor.get(url(subject, visit_id, "physician_global")).status_code == 200
    assert assessor.post(url(subject, visit_id, "physician_global"), {"physician_global": "2"}).status_code == 302
    nrs = FormRecord.objects.get(visit__visit_id=visit_id, form_id="pain_itch_nrs")
    pga = FormRecord.objects.get(visit__visit_id=visit_id, form_id="physician_global")
    assert nrs.data == {"pain_nrs": 6, "itch_nrs": 3} and pga.data == {"physician_global": 2}


def test_nrs_out_of_range_is_refused_by_field(people, client_for, subject):
    response = client_for(people["inv_a"], "en").post(url(subject, "W4", "pain_itch_nrs"),
                                                      {"pain_nrs": "11", "itch_nrs": "3"})
    page = response.content.decode()
    assert response.status_code == 400 and "Skin pain must be at most 10." in page and "pain_nrs must" not in page
    assert not FormRecord.objects.filter(form_id="pain_itch_nrs").exists()


def test_the_blinded_assessor_does_not_see_the_investigator_forms(people, client_for, subject):
    assert client_for(people["assessor_a"]).get(url(subject, "W0", "dlqi")).status_code == 404
