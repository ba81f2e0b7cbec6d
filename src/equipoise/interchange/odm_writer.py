"""Write an ODM 1.3.2 file incrementally with lxml's `xmlfile`.

The root, Study, AdminData and each ClinicalData are opened as streaming contexts; a subject's
data (`SubjectBlock`, one subject at a time, never the trial) is written element by element through
the same incremental writer, no tree built per value. Element order follows ODM1-3-2-foundation.xsd.
A signature that stands is a `Signature` (its meaning a `SignatureDef` in AdminData); one that a
later change invalidated is only told in an `Annotation` comment, never given as a Signature.

    with OdmFile(out, file_type="Transactional", file_oid=..., created=..., archival=True) as odm:
        odm.study(study, layouts)
        odm.admin(study.oid, users, locations)
        with odm.clinical_data(study.oid, layout.oid):
            for block in blocks:
                odm.subject(block)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

from lxml import etree

from equipoise.interchange.form_items import odm_value
from equipoise.interchange.odm_metadata import Bilingual, VersionLayout

ODM_NS = "http://www.cdisc.org/ns/odm/v1.3"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NSMAP = {None: ODM_NS}


def q(tag: str) -> str:
    return f"{{{ODM_NS}}}{tag}"


(SUBJECT_DATA, SITE_REF, STUDY_EVENT_DATA, FORM_DATA, ITEM_GROUP_DATA, ITEM_DATA, SIGNATURE, USER_REF, LOCATION_REF,
 SIGNATURE_REF, DATE_TIME_STAMP, ANNOTATION, COMMENT) = map(q, (
    "SubjectData", "SiteRef", "StudyEventData", "FormData", "ItemGroupData", "ItemData", "Signature", "UserRef",
    "LocationRef", "SignatureRef", "DateTimeStamp", "Annotation", "Comment"))


@dataclass(frozen=True)
class StudyInfo:
    oid: str
    name: str
    description: str
    protocol_name: str


@dataclass(frozen=True)
class LocationInfo:
    oid: str
    name: str
    kind: str  # Sponsor | Site
    versions: tuple[tuple[str, dt.date], ...]  # (MetaDataVersion OID, effective date)


@dataclass(frozen=True)
class UserInfo:
    oid: str
    login: str
    display: str
    kind: str  # ODM UserType: Sponsor | Investigator | Other
    organization: str
    locations: tuple[str, ...]


@dataclass(frozen=True)
class Audit:
    """Who changed a value, where, when (UTC) and why."""

    user_oid: str
    location_oid: str
    at: dt.datetime
    reason: str = ""
    source_id: str = ""


@dataclass(frozen=True)
class SignatureDefInfo:
    """What a kind of signature means (AdminData `SignatureDef`)."""

    oid: str
    meaning: str
    legal_reason: str
    methodology: str = "Electronic"


@dataclass(frozen=True)
class Signed:
    """A signature that stands over a subject's data or a visit's: who, where, which meaning, when."""

    user_oid: str
    location_oid: str
    signature_oid: str
    at: dt.datetime


@dataclass
class ItemValue:
    oid: str
    value: Any  # None with transaction "Remove"
    transaction: str | None = None
    audit: Audit | None = None


@dataclass
class FormBlock:
    form_oid: str
    transaction: str | None = None
    repeat_key: str | None = None
    audit: Audit | None = None
    groups: list[tuple[str, list[ItemValue]]] = field(default_factory=list)


@dataclass
class EventBlock:
    event_oid: str
    repeat_key: str | None
    forms: list[FormBlock] = field(default_factory=list)
    signature: Signed | None = None
    notes: list[str] = field(default_factory=list)  # Annotation comments (e.g. a signature invalidated)


@dataclass
class SubjectBlock:
    key: str
    location_oid: str
    events: list[EventBlock] = field(default_factory=list)
    signature: Signed | None = None
    notes: list[str] = field(default_factory=list)


def _stamp(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _texts(parent: etree._Element, tag: str, text: Bilingual) -> None:
    holder = etree.SubElement(parent, q(tag))
    for lang, value in (("en", text.en), ("fr", text.fr)):
        etree.SubElement(holder, q("TranslatedText"), {XML_LANG: lang}).text = value


def _element(tag: str, attrs: dict[str, str], text: str | None = None) -> etree._Element:
    el = etree.Element(q(tag), attrs, nsmap=NSMAP)
    el.text = text
    return el


def audit_element(audit: Audit) -> etree._Element:
    el = etree.Element(q("AuditRecord"), nsmap=NSMAP)
    etree.SubElement(el, q("UserRef"), UserOID=audit.user_oid)
    etree.SubElement(el, q("LocationRef"), LocationOID=audit.location_oid)
    etree.SubElement(el, q("DateTimeStamp")).text = _stamp(audit.at)
    if audit.reason:
        etree.SubElement(el, q("ReasonForChange")).text = audit.reason
    if audit.source_id:
        etree.SubElement(el, q("SourceID")).text = audit.source_id
    return el


class OdmFile:
    """An ODM document being written to a binary stream (see the module docstring)."""

    def __init__(self, out: IO[bytes], *, file_type: str, file_oid: str, created: dt.datetime,
                 as_of: dt.datetime | None = None, archival: bool = False, description: str = "",
                 source_system: str = "Equipoise", source_version: str = "", originator: str = ""):
        if file_type not in ("Snapshot", "Transactional"):
            raise ValueError(f"ODM FileType is Snapshot or Transactional, not {file_type!r}")
        self.file_type = file_type
        self._out = out
        self._attrs = {"FileType": file_type, "Granularity": "All", "FileOID": file_oid,
                       "CreationDateTime": _stamp(created), "ODMVersion": "1.3.2", "SourceSystem": source_system}
        if source_version:
            self._attrs["SourceSystemVersion"] = source_version
        if originator:
            self._attrs["Originator"] = originator
        if description:
            self._attrs["Description"] = description
        if as_of is not None:
            self._attrs["AsOfDateTime"] = _stamp(as_of)
        if archival:
            self._attrs["Archival"] = "Yes"
        self._stack: list[Any] = []

    def __enter__(self) -> OdmFile:
        self._xf_cm = etree.xmlfile(self._out, encoding="utf-8")
        self._xf = self._xf_cm.__enter__()
        self._xf.write_declaration()
        self._root = self._xf.element(q("ODM"), self._attrs, nsmap=NSMAP)
        self._root.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._root.__exit__(*exc)
        self._xf_cm.__exit__(*exc)

    def study(self, study: StudyInfo, layouts: list[VersionLayout]) -> None:
        el = _element("Study", {"OID": study.oid})
        gv = etree.SubElement(el, q("GlobalVariables"))
        etree.SubElement(gv, q("StudyName")).text = study.name
        etree.SubElement(gv, q("StudyDescription")).text = study.description
        etree.SubElement(gv, q("ProtocolName")).text = study.protocol_name
        units = {symbol: oid for lay in layouts for symbol, oid in lay.units.items()}
        if units:
            basic = etree.SubElement(el, q("BasicDefinitions"))
            for symbol, oid in sorted(units.items(), key=lambda kv: int(kv[1].split(".")[1])):
                mu = etree.SubElement(basic, q("MeasurementUnit"), OID=oid, Name=symbol)
                _texts(mu, "Symbol", Bilingual(symbol, symbol))
        for lay in layouts:
            el.append(self._metadata_version(lay))
        self._xf.write(el)
        self._xf.flush()

    @staticmethod
    def _metadata_version(lay: VersionLayout) -> etree._Element:
        mdv = _element("MetaDataVersion", {"OID": lay.oid, "Name": lay.name,
                                           "Description": f"Protocol {lay.protocol_id}, version {lay.number}"})
        protocol = etree.SubElement(mdv, q("Protocol"))
        for n, ev in enumerate(lay.events, 1):
            etree.SubElement(protocol, q("StudyEventRef"), StudyEventOID=ev.oid, OrderNumber=str(n),
                             Mandatory="Yes" if ev.kind == "Scheduled" else "No")
        for ev in lay.events:
            sed = etree.SubElement(mdv, q("StudyEventDef"), OID=ev.oid, Name=ev.name,
                                   Repeating="Yes" if ev.repeating else "No", Type=ev.kind)
            _texts(sed, "Description", ev.label)
            for n, form_oid in enumerate(ev.forms, 1):
                etree.SubElement(sed, q("FormRef"), FormOID=form_oid, OrderNumber=str(n), Mandatory="No")
        for form in lay.forms.values():
            fd = etree.SubElement(mdv, q("FormDef"), OID=form.oid, Name=form.name,
                                  Repeating="Yes" if form.repeating else "No")
            _texts(fd, "Description", form.title)
            for g in form.groups:
                etree.SubElement(fd, q("ItemGroupRef"), ItemGroupOID=g.oid, Mandatory="No")
        for form in lay.forms.values():
            for g in form.groups:
                gd = etree.SubElement(mdv, q("ItemGroupDef"), OID=g.oid, Name=g.name, Repeating="No")
                for n, item in enumerate(g.items, 1):
                    etree.SubElement(gd, q("ItemRef"), ItemOID=item.oid, OrderNumber=str(n),
                                     Mandatory="Yes" if item.mandatory else "No")
        for item in lay.items():
            idef = etree.SubElement(mdv, q("ItemDef"), OID=item.oid, Name=item.name, DataType=item.data_type,
                                    Origin=item.origin)
            _texts(idef, "Question", item.question)
            if item.unit:
                etree.SubElement(idef, q("MeasurementUnitRef"), MeasurementUnitOID=lay.units[item.unit])
            if item.codelist:
                etree.SubElement(idef, q("CodeListRef"), CodeListOID=item.codelist)
        for cl in lay.codelists:
            cle = etree.SubElement(mdv, q("CodeList"), OID=cl.oid, Name=cl.name, DataType=cl.data_type)
            for code, decode in cl.items:
                cli = etree.SubElement(cle, q("CodeListItem"), CodedValue=code)
                _texts(cli, "Decode", decode)
        return mdv

    def admin(self, study_oid: str, users: Iterable[UserInfo], locations: Iterable[LocationInfo],
              signature_defs: Iterable[SignatureDefInfo] = ()) -> None:
        el = _element("AdminData", {})
        for u in users:
            ue = etree.SubElement(el, q("User"), OID=u.oid, UserType=u.kind)
            etree.SubElement(ue, q("LoginName")).text = u.login
            etree.SubElement(ue, q("DisplayName")).text = u.display
            etree.SubElement(ue, q("Organization")).text = u.organization
            for ref in u.locations:
                etree.SubElement(ue, q("LocationRef"), LocationOID=ref)
        for loc in locations:
            le = etree.SubElement(el, q("Location"), OID=loc.oid, Name=loc.name, LocationType=loc.kind)
            for mdv, effective in loc.versions:
                etree.SubElement(le, q("MetaDataVersionRef"), StudyOID=study_oid,
                                 MetaDataVersionOID=mdv, EffectiveDate=effective.isoformat())
        for sd in signature_defs:
            se = etree.SubElement(el, q("SignatureDef"), OID=sd.oid, Methodology=sd.methodology)
            etree.SubElement(se, q("Meaning")).text = sd.meaning
            etree.SubElement(se, q("LegalReason")).text = sd.legal_reason
        self._xf.write(el)
        self._xf.flush()

    @contextmanager
    def clinical_data(self, study_oid: str, mdv_oid: str) -> Iterator[None]:
        with self._xf.element(q("ClinicalData"), StudyOID=study_oid, MetaDataVersionOID=mdv_oid):
            yield
        self._xf.flush()

    def subject(self, block: SubjectBlock) -> None:
        """Write one SubjectData through the incremental writer: start and end tags go straight to
        the stream, and a revision's AuditRecord is built once and written after each of its values."""
        xf = self._xf
        transactional = self.file_type == "Transactional"
        attrs = {"SubjectKey": block.key}
        if transactional:
            attrs["TransactionType"] = "Upsert"
        with xf.element(SUBJECT_DATA, attrs):
            if block.signature is not None:
                self._signature(block.signature)
            with xf.element(SITE_REF, LocationOID=block.location_oid):
                pass
            self._notes(block.notes)
            for ev in block.events:
                ev_attrs = {"StudyEventOID": ev.event_oid}
                if ev.repeat_key is not None:
                    ev_attrs["StudyEventRepeatKey"] = ev.repeat_key
                if transactional:
                    ev_attrs["TransactionType"] = "Upsert"
                with xf.element(STUDY_EVENT_DATA, ev_attrs):
                    if ev.signature is not None:
                        self._signature(ev.signature)
                    self._notes(ev.notes)
                    for form in ev.forms:
                        self._form(form, transactional)

    def _signature(self, signed: Signed) -> None:
        xf = self._xf
        with xf.element(SIGNATURE):
            with xf.element(USER_REF, UserOID=signed.user_oid):
                pass
            with xf.element(LOCATION_REF, LocationOID=signed.location_oid):
                pass
            with xf.element(SIGNATURE_REF, SignatureOID=signed.signature_oid):
                pass
            with xf.element(DATE_TIME_STAMP):
                xf.write(_stamp(signed.at))

    def _notes(self, notes: list[str]) -> None:
        for n, note in enumerate(notes, 1):
            with self._xf.element(ANNOTATION, SeqNum=str(n)), self._xf.element(COMMENT):
                self._xf.write(note)

    def _form(self, form: FormBlock, transactional: bool) -> None:
        xf = self._xf
        attrs = {"FormOID": form.form_oid}
        if form.repeat_key is not None:
            attrs["FormRepeatKey"] = form.repeat_key
        if transactional and form.transaction:
            attrs["TransactionType"] = form.transaction
        # The values of one revision share its audit record: built once, written after each value.
        audits: dict[int, etree._Element] = {}
        with xf.element(FORM_DATA, attrs):
            if form.audit is not None:
                xf.write(audit_element(form.audit))
            for group_oid, items in form.groups:
                group_attrs = {"ItemGroupOID": group_oid}
                if transactional:
                    group_attrs["TransactionType"] = "Upsert"
                with xf.element(ITEM_GROUP_DATA, group_attrs):
                    for item in items:
                        item_attrs = {"ItemOID": item.oid}
                        if item.value is None:
                            if item.transaction != "Remove":
                                item_attrs["IsNull"] = "Yes"
                        else:
                            item_attrs["Value"] = odm_value(item.value)
                        if transactional and item.transaction:
                            item_attrs["TransactionType"] = item.transaction
                        with xf.element(ITEM_DATA, item_attrs):
                            if item.audit is not None:
                                key = id(item.audit)
                                record = audits.get(key)
                                if record is None:
                                    record = audits[key] = audit_element(item.audit)
                                xf.write(record)
