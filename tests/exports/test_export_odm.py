"""ODM 1.3.2 exports of the demo trial: valid against the official XSD, and a round trip.

The round trip reads the files back with lxml XPath written from the ODM specification (not with
the writer's code): SubjectData/StudyEventData/FormData/ItemGroupData/ItemData, typed through the
ItemDef's DataType, and compares with what the database holds for one subject.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from export_paths import ODM_NS, REPO
from lxml import etree

from equipoise.records.roles import Role

pytestmark = pytest.mark.django_db
PROTOCOL = "nct06965244"
FORMS = "odm:StudyEventData[@StudyEventOID!='SE.TREATMENT']/odm:FormData"  # the protocol's forms


def _odm(file_type: str, cutoff=None, roles=frozenset({Role.DATA_MANAGER})) -> bytes:
    from equipoise.exports.odm_export import write_odm
    from equipoise.exports.reading import Cutoff
    from equipoise.records.access import Rights

    out = io.BytesIO()
    write_odm(out, PROTOCOL, file_type, cutoff or Cutoff.at(None), rights=Rights(roles))
    return out.getvalue()


def _typed(text: str, data_type: str) -> Any:
    """An ODM value read back by its ItemDef DataType (ODM 1.3.2 §2.7 data formats)."""
    if data_type == "boolean":
        return {"true": True, "false": False, "1": True, "0": False}[text]
    if data_type == "integer":
        return int(text)
    if data_type in ("float", "double"):
        return float(text)
    return text


def _leaves(prefix: str, value: Any):
    """Every stored value of a form field, keyed the way the item OIDs name it."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _leaves(f"{prefix}.{key}", inner)
    elif isinstance(value, list):  # CLASI's not_assessed: the areas listed
        for member in value:
            yield f"{prefix}.{member}", True
    else:
        yield prefix, value


def _expected(record) -> dict[str, Any]:
    out = {}
    for name, value in record.data.items():
        if value is not None:
            out.update(_leaves(f"IT.{name}", value))
    return out


def _form_key(form_data) -> tuple[str, str | None, str]:
    event = form_data.getparent()
    return event.get("StudyEventOID"), event.get("StudyEventRepeatKey"), form_data.get("FormOID")


def _db_key(record) -> tuple[str, str | None, str]:
    visit = record.visit
    if not visit.scheduled:
        return "SE.UNSCHEDULED", str(visit.attempt), f"F.{record.form_id}"
    return f"SE.{visit.visit_id}", (str(visit.attempt) if visit.visit_id == "SCR" else None), f"F.{record.form_id}"


def _item_types(doc) -> dict[str, str]:
    return {d.get("OID"): d.get("DataType") for d in doc.xpath("//odm:MetaDataVersion/odm:ItemDef", namespaces=ODM_NS)}


def _corrected_subject():
    from equipoise.records.models import FormRevision

    revision = FormRevision.objects.exclude(reason="").select_related("record__subject").order_by("id").first()
    assert revision is not None, "the demo corrects some values with reasons"
    return revision.record.subject


@pytest.mark.parametrize("file_type", ["Transactional", "Snapshot"])
def test_odm_file_validates_against_the_official_xsd(demo, odm_schema, file_type):
    doc = etree.fromstring(_odm(file_type))
    assert odm_schema.validate(doc), odm_schema.error_log.filter_from_errors()
    assert doc.get("FileType") == file_type
    assert doc.get("ODMVersion") == "1.3.2"
    assert doc.get("Archival") == ("Yes" if file_type == "Transactional" else None)
    # Metadata in both languages, users by role, sites as locations.
    texts = doc.xpath("//odm:ItemDef/odm:Question/odm:TranslatedText", namespaces=ODM_NS)
    assert {t.get("{http://www.w3.org/XML/1998/namespace}lang") for t in texts} == {"en", "fr"}
    assert doc.xpath("//odm:Location[@LocationType='Site']/@OID", namespaces=ODM_NS) == ["LOC.SLS", "LOC.TNN"]
    displays = doc.xpath("//odm:User/odm:DisplayName/text()", namespaces=ODM_NS)
    assert any("Data manager" in d for d in displays) and any("Blinded assessor" in d for d in displays)
    assert doc.xpath("//odm:CodeList[@OID='CL.sex']/odm:CodeListItem/@CodedValue", namespaces=ODM_NS) == [
        "female", "male"]
    assert doc.xpath("//odm:ItemDef[@OID='IT.lab_platelets_g_l']/odm:MeasurementUnitRef", namespaces=ODM_NS)


def test_transactional_file_holds_every_revision_with_its_audit_record(demo):
    from equipoise.records.models import FormRevision

    doc = etree.fromstring(_odm("Transactional"))
    users = set(doc.xpath("//odm:AdminData/odm:User/@OID", namespaces=ODM_NS))
    locations = set(doc.xpath("//odm:AdminData/odm:Location/@OID", namespaces=ODM_NS))
    items = doc.xpath("//odm:ItemData", namespaces=ODM_NS)
    assert items
    for item in items:
        audit = item.find("odm:AuditRecord", ODM_NS)
        assert audit.find("odm:UserRef", ODM_NS).get("UserOID") in users
        assert audit.find("odm:LocationRef", ODM_NS).get("LocationOID") in locations
        dt.datetime.fromisoformat(audit.findtext("odm:DateTimeStamp", namespaces=ODM_NS))
    reasons = set(doc.xpath("//odm:ReasonForChange/text()", namespaces=ODM_NS))
    assert reasons == set(FormRevision.objects.exclude(reason="").values_list("reason", flat=True))
    # One FormData per revision that changed something (a revision always does), and one per
    # adverse event and dispensing (the treatment app's records, in the common event SE.TREATMENT).
    from equipoise.treatment.models import AdverseEvent, Dispensing

    assert len(doc.xpath("//odm:StudyEventData[@StudyEventOID!='SE.TREATMENT']/odm:FormData",
                         namespaces=ODM_NS)) == FormRevision.objects.count()
    assert len(doc.xpath("//odm:FormData[@FormOID='F.AE']", namespaces=ODM_NS)) == AdverseEvent.objects.count() > 0
    assert len(doc.xpath("//odm:FormData[@FormOID='F.DISPENSING']", namespaces=ODM_NS)) == Dispensing.objects.count() > 0
    assert doc.xpath("//odm:ItemData[@TransactionType='Update']", namespaces=ODM_NS)


def test_round_trip_of_one_subject_through_both_odm_files(demo):
    from equipoise.records.models import FormRecord, FormRevision

    subject = _corrected_subject()
    records = list(FormRecord.objects.filter(subject=subject).select_related("visit"))
    expected = {_db_key(r): _expected(r) for r in records}
    derived = {_db_key(r): {f"IT.{k}": v for k, v in r.derived.items() if v is not None} for r in records}

    snapshot = etree.fromstring(_odm("Snapshot"))
    types = _item_types(snapshot)
    [subject_data] = snapshot.xpath("//odm:SubjectData[@SubjectKey=$key]", namespaces=ODM_NS, key=subject.code)
    assert subject_data.find("odm:SiteRef", ODM_NS).get("LocationOID") == f"LOC.{subject.site.code}"
    read = {}
    for form in subject_data.xpath(FORMS, namespaces=ODM_NS):
        read[_form_key(form)] = {i.get("ItemOID"): _typed(i.get("Value"), types[i.get("ItemOID")])
                                 for i in form.xpath("odm:ItemGroupData/odm:ItemData", namespaces=ODM_NS)}
    assert set(read) == set(expected)
    for key in expected:
        assert read[key] == {**expected[key], **derived[key]}, key

    history = etree.fromstring(_odm("Transactional"))
    [subject_data] = history.xpath("//odm:SubjectData[@SubjectKey=$key]", namespaces=ODM_NS, key=subject.code)
    replayed: dict[tuple, dict[str, Any]] = {}
    reasons = set()
    for form in subject_data.xpath(FORMS, namespaces=ODM_NS):
        state = replayed.setdefault(_form_key(form), {})
        for item in form.xpath("odm:ItemGroupData/odm:ItemData", namespaces=ODM_NS):
            oid, kind = item.get("ItemOID"), item.get("TransactionType")
            if kind == "Remove":
                del state[oid]
            else:
                assert kind == ("Insert" if oid not in state else "Update")
                state[oid] = _typed(item.get("Value"), types[oid])
            reasons.update(item.xpath("odm:AuditRecord/odm:ReasonForChange/text()", namespaces=ODM_NS))
    assert replayed == expected
    assert reasons == set(FormRevision.objects.filter(record__subject=subject).exclude(reason="")
                          .values_list("reason", flat=True))
    assert reasons, "the chosen subject had values corrected with a reason"


def test_snapshot_at_a_cutoff_gives_the_values_known_then(demo):
    """A correction saved after the cut-off is not in the snapshot; the value it replaced is."""
    from equipoise.exports.reading import Cutoff
    from equipoise.records.models import FormRevision, ProtocolVersion

    correction = FormRevision.objects.exclude(reason="").filter(record__form_id="labs").select_related(
        "record__subject").first()
    before = FormRevision.objects.get(record=correction.record, revision=correction.revision - 1)
    # Date the history: the first entry a month ago, the correction today.
    month_ago = correction.at - dt.timedelta(days=30)
    FormRevision.objects.filter(record=correction.record, revision__lt=correction.revision).update(at=month_ago)
    ProtocolVersion.objects.update(loaded_at=month_ago - dt.timedelta(days=1))
    cutoff = Cutoff.at((month_ago + dt.timedelta(days=1)).date())

    doc = etree.fromstring(_odm("Snapshot", cutoff))
    assert doc.get("AsOfDateTime")
    value = doc.xpath("//odm:SubjectData[@SubjectKey=$key]//odm:FormData[@FormOID='F.labs']"
                      "//odm:ItemData[@ItemOID='IT.lab_platelets_g_l']/@Value", namespaces=ODM_NS,
                      key=correction.record.subject.code)
    assert [float(v) for v in value] == [before.data["lab_platelets_g_l"]]
    assert before.data["lab_platelets_g_l"] != correction.data["lab_platelets_g_l"]


def test_each_protocol_version_is_its_own_metadata_version(demo, tmp_path, settings):
    """An amendment stored after the demo adds MetaDataVersion v2; data saved under v1 stays in v1."""
    import shutil

    import yaml

    from equipoise.records.protocol_versions import store_protocol_version

    amended = tmp_path / PROTOCOL
    shutil.copytree(REPO / "protocols" / PROTOCOL, amended)
    nrs = amended / "forms" / "pain_itch_nrs.yaml"
    form = yaml.safe_load(nrs.read_text(encoding="utf-8"))
    form["title"]["en"] = "Pain and itch (amended)"
    nrs.write_text(yaml.safe_dump(form, allow_unicode=True), encoding="utf-8")
    version, created = store_protocol_version(amended)
    assert created and version.number == 2

    doc = etree.fromstring(_odm("Snapshot"))
    assert doc.xpath("//odm:MetaDataVersion/@OID", namespaces=ODM_NS) == [
        f"MDV.{PROTOCOL}.v1", f"MDV.{PROTOCOL}.v2"]
    assert doc.xpath("//odm:MetaDataVersion[@OID=$v]/odm:FormDef[@OID='F.pain_itch_nrs']/@Name",
                     namespaces=ODM_NS, v=f"MDV.{PROTOCOL}.v2") == ["Pain and itch (amended)"]
    assert doc.xpath("//odm:ClinicalData/@MetaDataVersionOID", namespaces=ODM_NS) == [
        f"MDV.{PROTOCOL}.v1", f"MDV.{PROTOCOL}.v2"]
    assert doc.xpath("//odm:ClinicalData[@MetaDataVersionOID=$v]/odm:SubjectData", namespaces=ODM_NS,
                     v=f"MDV.{PROTOCOL}.v1")


def test_a_blinded_role_gets_only_the_forms_it_may_open(demo, odm_schema):
    doc = etree.fromstring(_odm("Transactional", roles=frozenset({Role.DATA_MANAGER, Role.BLINDED_ASSESSOR})))
    assert odm_schema.validate(doc), odm_schema.error_log.filter_from_errors()
    forms = set(doc.xpath("//odm:ClinicalData//odm:FormData/@FormOID", namespaces=ODM_NS))
    assert forms == {"F.clasi", "F.physician_global"}
