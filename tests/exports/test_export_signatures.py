"""Electronic signatures, adverse events and dispensings in the exports of the demo trial.

The investigator signs one visit (it stands) and another that a correction then invalidates.
The ODM files must validate against the official XSD; the signatures are read back with lxml
XPath written from the ODM 1.3.2 specification (Signature: UserRef, LocationRef, SignatureRef,
DateTimeStamp; SignatureDef in AdminData), and the signature dataset (ZS) with the Dataset-JSON
schema.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from export_paths import ODM_NS
from lxml import etree

from equipoise.records.roles import Role

pytestmark = pytest.mark.django_db
PROTOCOL = "nct06965244"
MEANING = "I confirm these data are accurate and complete"


def _odm(file_type: str, roles=frozenset({Role.DATA_MANAGER})) -> bytes:
    from equipoise.exports.odm_export import write_odm
    from equipoise.exports.reading import Cutoff
    from equipoise.records.access import Rights

    out = io.BytesIO()
    write_odm(out, PROTOCOL, file_type, Cutoff.at(None), rights=Rights(roles))
    return out.getvalue()


def _signed(actor_of):
    """One visit signed and standing; another signed, then corrected with a reason (invalidated)."""
    from django.contrib.auth import get_user_model

    from equipoise.demo.people import demo_password
    from equipoise.people.actions.signatures import sign
    from equipoise.records.actions.forms import save_form
    from equipoise.records.models import FormRecord

    record = (FormRecord.objects.filter(form_id="labs", visit__scheduled=True).select_related("subject__site", "visit")
              .order_by("subject__code", "visit__sequence").first())
    subject = record.subject
    other = (FormRecord.objects.filter(subject=subject, form_id="labs").exclude(visit=record.visit)
             .select_related("visit").order_by("visit__sequence").first())
    assert other is not None, "the demo subject has labs at two visits"
    site = subject.site.code
    investigator = get_user_model().objects.get(username=f"investigator.{site.lower()}")
    actor = actor_of(investigator, Role.INVESTIGATOR, site)
    standing = sign(actor, subject, record.visit, demo_password(), "")
    broken = sign(actor, subject, other.visit, demo_password(), "")
    changed = {**other.data, "lab_platelets_g_l": (other.data.get("lab_platelets_g_l") or 100) + 7}
    save_form(actor, subject, other.visit, "labs", changed, reason="Platelets re-read on the laboratory report")
    standing.refresh_from_db()
    broken.refresh_from_db()
    assert standing.invalidated_at is None and broken.invalidated_at is not None
    return subject, record.visit, other.visit, standing, broken


def _event(visit) -> tuple[str, str | None]:
    return f"SE.{visit.visit_id}", (str(visit.attempt) if visit.visit_id == "SCR" else None)


def _event_data(doc, subject, visit):
    oid, repeat = _event(visit)
    path = "//odm:SubjectData[@SubjectKey=$key]/odm:StudyEventData[@StudyEventOID=$oid]"
    found = [e for e in doc.xpath(path, namespaces=ODM_NS, key=subject.code, oid=oid)
             if e.get("StudyEventRepeatKey") == repeat]
    assert found, (oid, repeat)
    return found


@pytest.mark.parametrize("file_type", ["Transactional", "Snapshot"])
def test_a_standing_signature_is_an_odm_signature_and_an_invalidated_one_is_not(demo, odm_schema, actor_of,
                                                                                  file_type):
    subject, signed_visit, changed_visit, standing, broken = _signed(actor_of)
    doc = etree.fromstring(_odm(file_type))
    assert odm_schema.validate(doc), odm_schema.error_log.filter_from_errors()

    [definition] = doc.xpath("//odm:AdminData/odm:SignatureDef", namespaces=ODM_NS)
    assert definition.get("Methodology") == "Electronic"
    assert definition.findtext("odm:Meaning", namespaces=ODM_NS) == MEANING
    assert "21 CFR Part 11" in definition.findtext("odm:LegalReason", namespaces=ODM_NS)

    signatures = [s for e in _event_data(doc, subject, signed_visit) for s in e.xpath("odm:Signature", namespaces=ODM_NS)]
    assert signatures
    for signature in signatures:
        assert signature.xpath("odm:UserRef/@UserOID", namespaces=ODM_NS) == ["USR.investigator." + subject.site.code.lower()]
        assert signature.xpath("odm:LocationRef/@LocationOID", namespaces=ODM_NS) == [f"LOC.{subject.site.code}"]
        assert signature.xpath("odm:SignatureRef/@SignatureOID", namespaces=ODM_NS) == [definition.get("OID")]
        stamp = signature.findtext("odm:DateTimeStamp", namespaces=ODM_NS)
        assert dt.datetime.fromisoformat(stamp) == standing.signed_at.replace(microsecond=0)
    # The user and location the signature names are declared in AdminData.
    assert doc.xpath("//odm:AdminData/odm:User[@OID=$u]", namespaces=ODM_NS,
                     u="USR.investigator." + subject.site.code.lower())

    changed = _event_data(doc, subject, changed_visit)
    assert not [s for e in changed for s in e.xpath("odm:Signature", namespaces=ODM_NS)]
    comments = [c for e in changed for c in e.xpath("odm:Annotation/odm:Comment/text()", namespaces=ODM_NS)]
    assert any("signature invalidated by change of form labs" in c and "not valid" in c for c in comments), comments


def test_adverse_events_and_dispensings_read_back_from_the_odm_file(demo, odm_schema):
    from equipoise.treatment.models import AdverseEvent, Dispensing

    doc = etree.fromstring(_odm("Snapshot"))
    assert odm_schema.validate(doc), odm_schema.error_log.filter_from_errors()
    ae = AdverseEvent.objects.select_related("subject", "reported_by").order_by("id").first()
    [form] = doc.xpath("//odm:SubjectData[@SubjectKey=$key]/odm:StudyEventData[@StudyEventOID='SE.TREATMENT']"
                       "/odm:FormData[@FormOID='F.AE'][@FormRepeatKey=$n]", namespaces=ODM_NS,
                       key=ae.subject.code, n=str(ae.pk))
    values = {i.get("ItemOID"): i.get("Value") for i in form.xpath(".//odm:ItemData", namespaces=ODM_NS)}
    assert values["IT.AE.term"] == ae.term
    assert values["IT.AE.onset_date"] == ae.onset_date.isoformat()
    assert int(values["IT.AE.grade"]) == ae.grade
    assert form.xpath("odm:AuditRecord/odm:UserRef/@UserOID", namespaces=ODM_NS) == [f"USR.{ae.reported_by.username}"]
    # The item definitions the values refer to are in the metadata, typed.
    types = {d.get("OID"): d.get("DataType") for d in doc.xpath("//odm:ItemDef", namespaces=ODM_NS)}
    assert types["IT.AE.grade"] == "integer" and types["IT.AE.onset_date"] == "date"

    dispensing = Dispensing.objects.select_related("subject", "prescription").order_by("id").first()
    [form] = doc.xpath("//odm:FormData[@FormOID='F.DISPENSING'][@FormRepeatKey=$n]", namespaces=ODM_NS,
                       n=str(dispensing.pk))
    values = {i.get("ItemOID"): i.get("Value") for i in form.xpath(".//odm:ItemData", namespaces=ODM_NS)}
    assert values["IT.DISPENSING.drug"] == dispensing.prescription.drug
    assert values["IT.DISPENSING.dispensed_on"] == dispensing.dispensed_on.isoformat()
    assert int(values["IT.DISPENSING.tablets"]) == dispensing.tablets
    assert form.getparent().getparent().get("SubjectKey") == dispensing.subject.code


def test_a_blinded_reader_gets_no_adverse_event_or_dispensing(demo):
    doc = etree.fromstring(_odm("Snapshot", roles=frozenset({Role.MONITOR, Role.BLINDED_ASSESSOR})))
    assert not doc.xpath("//odm:StudyEventData[@StudyEventOID='SE.TREATMENT']", namespaces=ODM_NS)


def test_signature_dataset_lists_each_signature_and_whether_it_stands(demo, actor_of, tmp_path, dataset_validator):
    from equipoise.exports.datasets_export import write_datasets
    from equipoise.exports.reading import Cutoff
    from equipoise.interchange.sdtm import ArmMode
    from equipoise.records.access import Rights

    subject, signed_visit, changed_visit, standing, broken = _signed(actor_of)
    write_datasets(tmp_path, PROTOCOL, Cutoff.at(None), ArmMode.MASKED, rights=Rights(frozenset({Role.DATA_MANAGER})),
                   formats=["json", "csv", "xpt"], domains=["ZS"])
    dataset = json.loads((tmp_path / "zs.json").read_text(encoding="utf-8"))
    dataset_validator.validate(dataset)
    names = [c["name"] for c in dataset["columns"]]
    rows = [dict(zip(names, r, strict=True)) for r in dataset["rows"]]
    assert len(rows) == 2
    by_state = {r["ZSSTAT"]: r for r in rows}
    assert set(by_state) == {"VALID", "INVALIDATED"}
    valid, invalid = by_state["VALID"], by_state["INVALIDATED"]
    assert valid["USUBJID"].endswith(subject.code) and valid["ZSSIGNER"] == standing.printed_name
    assert valid["ZSMEAN"] == MEANING and valid["ZSSCOPE"] == "VISIT" and valid["ZSHASH"] == standing.content_sha256
    assert valid["ZSDTC"] == standing.signed_at.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    assert invalid["ZSINVBY"].startswith("form labs at visit") and valid["ZSINVBY"] == ""
    assert valid["VISITNUM"] != invalid["VISITNUM"]
    csv_lines = (tmp_path / "zs.csv").read_text(encoding="utf-8").splitlines()
    assert len(csv_lines) == 3 and csv_lines[0].startswith("STUDYID,DOMAIN,USUBJID")
    dictionary = (tmp_path / "data_dictionary.csv").read_text(encoding="utf-8")
    assert "ZS,Electronic Signatures" in dictionary
    import pyreadstat

    frame, _ = pyreadstat.read_xport(str(tmp_path / "zs.xpt"))
    assert sorted(frame["ZSSTAT"]) == ["INVALIDATED", "VALID"]
    assert set(frame["ZSHASH"]) == {standing.content_sha256, broken.content_sha256}


def test_a_casebook_signature_is_the_signature_of_the_subject_data(demo, odm_schema, actor_of):
    from django.contrib.auth import get_user_model

    from equipoise.demo.people import demo_password
    from equipoise.people.actions.signatures import ENDED, sign
    from equipoise.records.models import Subject

    subject = (Subject.objects.filter(status__in=[s.value for s in ENDED], form_records__isnull=False)
               .select_related("site").order_by("code").distinct().first())
    assert subject is not None, "the demo has a subject whose participation is over"
    site = subject.site.code
    investigator = get_user_model().objects.get(username=f"investigator.{site.lower()}")
    signature = sign(actor_of(investigator, Role.INVESTIGATOR, site), subject, None, demo_password(), "")

    doc = etree.fromstring(_odm("Snapshot"))
    assert odm_schema.validate(doc), odm_schema.error_log.filter_from_errors()
    [subject_data] = doc.xpath("//odm:SubjectData[@SubjectKey=$key]", namespaces=ODM_NS, key=subject.code)
    [mark] = subject_data.xpath("odm:Signature", namespaces=ODM_NS)
    assert mark.xpath("odm:UserRef/@UserOID", namespaces=ODM_NS) == [f"USR.{investigator.username}"]
    assert mark.xpath("odm:SignatureRef/@SignatureOID", namespaces=ODM_NS) == ["SD.accurate_complete"]
    assert (dt.datetime.fromisoformat(mark.findtext("odm:DateTimeStamp", namespaces=ODM_NS))
            == signature.signed_at.replace(microsecond=0))
