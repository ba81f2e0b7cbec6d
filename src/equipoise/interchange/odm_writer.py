"""Write an ODM 1.3.2 file as a stream of text (`xml_text`), one subject at a time.

Study, AdminData and each ClinicalData are written as they come; a subject's data
(`SubjectBlock`, one subject at a time, never the trial) goes out as markup made from plain
strings: a revision's AuditRecord is made once and written after each of its values, no element
object is built per value. Element order follows ODM1-3-2-foundation.xsd (the tests validate the
files against it with lxml). A signature that stands is a `Signature` (its meaning a
`SignatureDef` in AdminData); one that a later change invalidated is only told in an
`Annotation` comment, never given as a Signature.

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

from equipoise.interchange.form_items import odm_value
from equipoise.interchange.odm_metadata import Bilingual, VersionLayout
from equipoise.interchange.timestamps import utc_stamp
from equipoise.interchange.xml_text import XmlText, attr, text_element

ODM_NS = "http://www.cdisc.org/ns/odm/v1.3"


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
class Stamp:
    """Who, where and when (UTC): what an AuditRecord and a Signature both begin with."""

    user_oid: str
    location_oid: str
    at: dt.datetime


@dataclass(frozen=True)
class Audit(Stamp):
    """Who changed a value, where, when and why."""

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
class Signed(Stamp):
    """A signature that stands over a subject's data or a visit's: who, where, when, which meaning."""

    signature_oid: str


@dataclass(slots=True)
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


def refs_markup(stamp: Stamp) -> str:
    """The UserRef and LocationRef of an AuditRecord or a Signature."""
    return f"<UserRef UserOID={attr(stamp.user_oid)}/><LocationRef LocationOID={attr(stamp.location_oid)}/>"


def audit_markup(audit: Audit) -> str:
    """An AuditRecord as markup (written once per revision, after each of its values)."""
    parts = ["<AuditRecord>", refs_markup(audit), f"<DateTimeStamp>{utc_stamp(audit.at)}</DateTimeStamp>"]
    if audit.reason:
        parts.append(text_element("ReasonForChange", audit.reason))
    if audit.source_id:
        parts.append(text_element("SourceID", audit.source_id))
    parts.append("</AuditRecord>")
    return "".join(parts)


def value_attr(value: Any) -> str:
    """An item's value as an attribute value: numbers and booleans need no escaping."""
    kind = type(value)
    if kind is int:
        return f'"{value}"'
    if kind is str:
        return attr(value)
    return f'"{odm_value(value)}"' if kind in (bool, float) else attr(odm_value(value))


class Quoted(dict[str, str]):
    """OIDs and other repeated names as quoted attribute values, escaped once each."""

    def __missing__(self, key: str) -> str:
        self[key] = quoted = attr(key)
        return quoted


def item_markup(item: ItemValue, transactional: bool, audit: str, quoted: Quoted) -> str:
    """One ItemData, its AuditRecord (`audit`, markup) inside; `quoted` caches the OIDs."""
    if item.value is None:
        value = "" if item.transaction == "Remove" else ' IsNull="Yes"'
    else:
        value = f" Value={value_attr(item.value)}"
    transaction = f" TransactionType={quoted[item.transaction]}" if transactional and item.transaction else ""
    head = f"<ItemData ItemOID={quoted[item.oid]}{value}{transaction}"
    return f"{head}>{audit}</ItemData>" if audit else f"{head}/>"


class OdmFile:
    """An ODM document being written to a binary stream (see the module docstring)."""

    def __init__(self, out: IO[bytes], *, file_type: str, file_oid: str, created: dt.datetime,
                 as_of: dt.datetime | None = None, archival: bool = False, description: str = "",
                 source_system: str = "Equipoise", source_version: str = "", originator: str = ""):
        if file_type not in ("Snapshot", "Transactional"):
            raise ValueError(f"ODM FileType is Snapshot or Transactional, not {file_type!r}")
        self.file_type = file_type
        self._transactional = file_type == "Transactional"
        self._xml = XmlText(out)
        self._quoted = Quoted()
        self._attrs = {"xmlns": ODM_NS, "FileType": file_type, "Granularity": "All", "FileOID": file_oid,
                       "CreationDateTime": utc_stamp(created), "ODMVersion": "1.3.2", "SourceSystem": source_system}
        if source_version:
            self._attrs["SourceSystemVersion"] = source_version
        if originator:
            self._attrs["Originator"] = originator
        if description:
            self._attrs["Description"] = description
        if as_of is not None:
            self._attrs["AsOfDateTime"] = utc_stamp(as_of)
        if archival:
            self._attrs["Archival"] = "Yes"

    def __enter__(self) -> OdmFile:
        self._xml.__enter__()
        self._xml.start("ODM", self._attrs)
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is None:
            self._xml.end()
        self._xml.__exit__(exc_type, *exc)

    def _texts(self, tag: str, text: Bilingual) -> None:
        with self._xml.element(tag):
            for lang, value in (("en", text.en), ("fr", text.fr)):
                self._xml.text_element("TranslatedText", value, {"xml:lang": lang})

    def study(self, study: StudyInfo, layouts: list[VersionLayout]) -> None:
        xml = self._xml
        with xml.element("Study", OID=study.oid):
            with xml.element("GlobalVariables"):
                xml.text_element("StudyName", study.name)
                xml.text_element("StudyDescription", study.description)
                xml.text_element("ProtocolName", study.protocol_name)
            units = {symbol: oid for lay in layouts for symbol, oid in lay.units.items()}
            if units:
                with xml.element("BasicDefinitions"):
                    for symbol, oid in sorted(units.items(), key=lambda kv: int(kv[1].split(".")[1])):
                        with xml.element("MeasurementUnit", OID=oid, Name=symbol):
                            self._texts("Symbol", Bilingual(symbol, symbol))
            for lay in layouts:
                self._metadata_version(lay)
        xml.flush()

    def _metadata_version(self, lay: VersionLayout) -> None:
        xml = self._xml
        with xml.element("MetaDataVersion", OID=lay.oid, Name=lay.name,
                         Description=f"Protocol {lay.protocol_id}, version {lay.number}"):
            with xml.element("Protocol"):
                for n, ev in enumerate(lay.events, 1):
                    xml.leaf("StudyEventRef", StudyEventOID=ev.oid, OrderNumber=str(n),
                             Mandatory="Yes" if ev.kind == "Scheduled" else "No")
            for ev in lay.events:
                with xml.element("StudyEventDef", OID=ev.oid, Name=ev.name, Repeating="Yes" if ev.repeating else "No",
                                 Type=ev.kind):
                    self._texts("Description", ev.label)
                    for n, form_oid in enumerate(ev.forms, 1):
                        xml.leaf("FormRef", FormOID=form_oid, OrderNumber=str(n), Mandatory="No")
            for form in lay.forms.values():
                with xml.element("FormDef", OID=form.oid, Name=form.name, Repeating="Yes" if form.repeating else "No"):
                    self._texts("Description", form.title)
                    for g in form.groups:
                        xml.leaf("ItemGroupRef", ItemGroupOID=g.oid, Mandatory="No")
            for form in lay.forms.values():
                for g in form.groups:
                    with xml.element("ItemGroupDef", OID=g.oid, Name=g.name, Repeating="No"):
                        for n, item in enumerate(g.items, 1):
                            xml.leaf("ItemRef", ItemOID=item.oid, OrderNumber=str(n),
                                     Mandatory="Yes" if item.mandatory else "No")
            for item in lay.items():
                with xml.element("ItemDef", OID=item.oid, Name=item.name, DataType=item.data_type, Origin=item.origin):
                    self._texts("Question", item.question)
                    if item.unit:
                        xml.leaf("MeasurementUnitRef", MeasurementUnitOID=lay.units[item.unit])
                    if item.codelist:
                        xml.leaf("CodeListRef", CodeListOID=item.codelist)
            for cl in lay.codelists:
                with xml.element("CodeList", OID=cl.oid, Name=cl.name, DataType=cl.data_type):
                    for code, decode in cl.items:
                        with xml.element("CodeListItem", CodedValue=code):
                            self._texts("Decode", decode)

    def admin(self, study_oid: str, users: Iterable[UserInfo], locations: Iterable[LocationInfo],
              signature_defs: Iterable[SignatureDefInfo] = ()) -> None:
        xml = self._xml
        with xml.element("AdminData"):
            for u in users:
                with xml.element("User", OID=u.oid, UserType=u.kind):
                    xml.text_element("LoginName", u.login)
                    xml.text_element("DisplayName", u.display)
                    xml.text_element("Organization", u.organization)
                    for ref in u.locations:
                        xml.leaf("LocationRef", LocationOID=ref)
            for loc in locations:
                with xml.element("Location", OID=loc.oid, Name=loc.name, LocationType=loc.kind):
                    for mdv, effective in loc.versions:
                        xml.leaf("MetaDataVersionRef", StudyOID=study_oid, MetaDataVersionOID=mdv,
                                 EffectiveDate=effective.isoformat())
            for sd in signature_defs:
                with xml.element("SignatureDef", OID=sd.oid, Methodology=sd.methodology):
                    xml.text_element("Meaning", sd.meaning)
                    xml.text_element("LegalReason", sd.legal_reason)
        xml.flush()

    @contextmanager
    def clinical_data(self, study_oid: str, mdv_oid: str) -> Iterator[None]:
        with self._xml.element("ClinicalData", StudyOID=study_oid, MetaDataVersionOID=mdv_oid):
            yield
        self._xml.flush()

    def subject(self, block: SubjectBlock) -> None:
        """Write one SubjectData."""
        xml = self._xml
        upsert = {"TransactionType": "Upsert"} if self._transactional else {}
        with xml.element("SubjectData", SubjectKey=block.key, **upsert):
            if block.signature is not None:
                self._signature(block.signature)
            xml.leaf("SiteRef", LocationOID=block.location_oid)
            self._notes(block.notes)
            for ev in block.events:
                repeat = {} if ev.repeat_key is None else {"StudyEventRepeatKey": ev.repeat_key}
                with xml.element("StudyEventData", StudyEventOID=ev.event_oid, **repeat, **upsert):
                    if ev.signature is not None:
                        self._signature(ev.signature)
                    self._notes(ev.notes)
                    for form in ev.forms:
                        self._form(form)

    def _signature(self, signed: Signed) -> None:
        xml = self._xml
        with xml.element("Signature"):
            xml.raw(refs_markup(signed))
            xml.leaf("SignatureRef", SignatureOID=signed.signature_oid)
            xml.text_element("DateTimeStamp", utc_stamp(signed.at))

    def _notes(self, notes: list[str]) -> None:
        for n, note in enumerate(notes, 1):
            with self._xml.element("Annotation", SeqNum=str(n)):
                self._xml.text_element("Comment", note)

    def _form(self, form: FormBlock) -> None:
        xml, transactional = self._xml, self._transactional
        attrs = {"FormOID": form.form_oid}
        if form.repeat_key is not None:
            attrs["FormRepeatKey"] = form.repeat_key
        if transactional and form.transaction:
            attrs["TransactionType"] = form.transaction
        group_upsert = ' TransactionType="Upsert"' if transactional else ""
        # The values of one revision share its audit record: its markup is made once per form.
        audits: dict[int, str] = {}
        with xml.element("FormData", attrs):
            if form.audit is not None:
                xml.raw(audit_markup(form.audit))
            for group_oid, items in form.groups:
                parts = [f"<ItemGroupData ItemGroupOID={self._quoted[group_oid]}{group_upsert}>"]
                for item in items:
                    audit = ""
                    if item.audit is not None:
                        audit = audits.get(id(item.audit), "")
                        if not audit:
                            audit = audits[id(item.audit)] = audit_markup(item.audit)
                    parts.append(item_markup(item, transactional, audit, self._quoted))
                parts.append("</ItemGroupData>")
                xml.raw("".join(parts))
