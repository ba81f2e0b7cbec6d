"""One protocol version as ODM 1.3.2 metadata: the layout every ODM file of that version follows.

OIDs are stable across versions so a reader can follow an item through amendments:
study events `SE.<visit id>` (and `SE.UNSCHEDULED`, repeating), forms `F.<form id>`, item groups
`IG.<form id>.<section id>` (derived scores in `IG.<form id>.DERIVED`), items `IT.<field>` (see
`form_items`), code lists `CL.<field>`, measurement units `MU.<n>` in order of first use.
Each version is its own MetaDataVersion, `MDV.<protocol id>.v<number>`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from equipoise.interchange.form_items import ODM_TYPES, instrument_items, item_oid
from equipoise.protocol.schema import Form, FormField, Protocol, Text

UNSCHEDULED = "UNSCHEDULED"
_Part = tuple[tuple[str, ...], str, bool, str]  # an instrument score: path in the record, item OID, listed, group
DERIVED = "DERIVED"


@dataclass(frozen=True)
class Bilingual:
    en: str
    fr: str

    @classmethod
    def of(cls, text: Text) -> Bilingual:
        return cls(en=text.en, fr=text.fr)


@dataclass(frozen=True)
class CodeListDef:
    oid: str
    name: str
    data_type: str  # integer | text
    items: tuple[tuple[str, Bilingual], ...]


@dataclass(frozen=True)
class ItemDef:
    oid: str
    name: str
    data_type: str
    question: Bilingual
    unit: str | None = None
    codelist: str | None = None
    origin: str = "CRF"
    mandatory: bool = False


@dataclass(frozen=True)
class GroupDef:
    oid: str
    name: str
    items: tuple[ItemDef, ...]


@dataclass(frozen=True)
class FormDef:
    oid: str
    name: str
    title: Bilingual
    groups: tuple[GroupDef, ...]
    repeating: bool = False


@dataclass(frozen=True)
class EventDef:
    oid: str
    name: str
    label: Bilingual
    repeating: bool
    kind: str  # Scheduled | Unscheduled
    forms: tuple[str, ...]  # form OIDs


@dataclass
class VersionLayout:
    """ODM metadata of one protocol version, and where each stored field goes."""

    oid: str
    name: str
    protocol_id: str
    number: int
    events: list[EventDef]
    forms: dict[str, FormDef]  # form id -> definition
    codelists: list[CodeListDef]
    units: dict[str, str] = field(default_factory=dict)  # unit symbol -> MU OID
    _group_of: dict[str, dict[str, str]] = field(default_factory=dict)  # form id -> item OID -> group OID
    _fields: dict[str, list[FormField]] = field(default_factory=dict)
    _plans: dict[str, list[tuple[str, str | None, str | None, tuple[_Part, ...]]]] = field(default_factory=dict)

    def items(self) -> Iterable[ItemDef]:
        seen = set()
        for form in self.forms.values():
            for group in form.groups:
                for item in group.items:
                    if item.oid not in seen:
                        seen.add(item.oid)
                        yield item

    def item_types(self) -> dict[str, str]:
        return {item.oid: item.data_type for item in self.items()}

    def _plan(self, form_id: str) -> list[tuple[str, str | None, str | None, tuple[_Part, ...]]]:
        """Where each of a form's fields goes, worked out once per form: (field name, item OID and
        group of a plain field, or the instrument's parts: (path in the record, item OID, listed, group))."""
        plan = self._plans.get(form_id)
        if plan is None:
            group_of = self._group_of[form_id]
            plan = []
            for f in self._fields[form_id]:
                if f.type != "instrument":
                    oid = item_oid(f.name)
                    plan.append((f.name, oid, group_of[oid], ()))
                    continue
                parts = tuple((i.path, item_oid(f.name, i.path), i.listed, group_of[item_oid(f.name, i.path)])
                              for i in instrument_items(f))
                plan.append((f.name, None, None, parts))
            self._plans[form_id] = plan
        return plan

    def grouped(self, form_id: str, data: Mapping[str, Any], derived: Mapping[str, Any] | None = None
                ) -> list[tuple[str, list[tuple[str, Any]]]]:
        """A form's stored values as [(item group OID, [(item OID, value), ...])], in metadata order
        (the items `form_items.field_values` names, read through the form's plan)."""
        by_group: dict[str, list[tuple[str, Any]]] = {}
        for name, oid, group, parts in self._plan(form_id):
            value = data.get(name)
            if value is None:
                continue
            if oid is not None and group is not None:
                by_group.setdefault(group, []).append((oid, value))
                continue
            record = value if isinstance(value, dict) else {}
            for path, part_oid, listed, part_group in parts:
                if listed:  # a flag held as membership of a list
                    if path[1] in (record.get(path[0]) or ()):
                        by_group.setdefault(part_group, []).append((part_oid, True))
                    continue
                inner: Any = record
                for key in path:
                    if not isinstance(inner, dict) or key not in inner:
                        break
                    inner = inner[key]
                else:
                    by_group.setdefault(part_group, []).append((part_oid, inner))
        if derived:
            group_of = self._group_of[form_id]
            for name, value in derived.items():
                derived_oid = item_oid(name)
                if value is not None and derived_oid in group_of:
                    by_group.setdefault(group_of[derived_oid], []).append((derived_oid, value))
        order = [g.oid for g in self.forms[form_id].groups]
        return [(g, by_group[g]) for g in order if g in by_group]


def version_oid(protocol_id: str, number: int) -> str:
    return f"MDV.{protocol_id}.v{number}"


def event_oid(visit_id: str | None) -> str:
    return f"SE.{visit_id or UNSCHEDULED}"


def form_oid(form_id: str) -> str:
    return f"F.{form_id}"


def _name(text: str) -> str:
    """ODM `name` values: one line, no leading/trailing space."""
    return re.sub(r"\s+", " ", text).strip()


def _codelist(f: FormField) -> CodeListDef:
    codes = [c.code for c in f.choices or []]
    numeric = all(isinstance(c, int) and not isinstance(c, bool) for c in codes)
    return CodeListDef(oid=f"CL.{f.name}", name=_name(f.label.en), data_type="integer" if numeric else "text",
                       items=tuple((str(c.code), Bilingual.of(c.label)) for c in f.choices or []))


def _item_defs(f: FormField, units: dict[str, str]) -> list[ItemDef]:
    if f.unit and f.unit not in units:
        units[f.unit] = f"MU.{len(units) + 1}"
    if f.type == "instrument":
        return [ItemDef(oid=item_oid(f.name, i.path), name=_name(i.en), data_type="boolean" if i.scale is None
                        else "integer", question=Bilingual(i.en, i.fr), mandatory=False)
                for i in instrument_items(f)]
    if f.type == "enum":
        cl = _codelist(f)
        return [ItemDef(oid=item_oid(f.name), name=f.name, data_type=cl.data_type, question=Bilingual.of(f.label),
                        codelist=cl.oid, mandatory=f.required)]
    return [ItemDef(oid=item_oid(f.name), name=f.name, data_type=ODM_TYPES[f.type], question=Bilingual.of(f.label),
                    unit=f.unit, mandatory=f.required)]


def _form_def(form: Form, units: dict[str, str]) -> tuple[FormDef, dict[str, str]]:
    groups, group_of = [], {}
    for section in form.sections:
        oid = f"IG.{form.id}.{section.id}"
        items = tuple(i for f in section.fields for i in _item_defs(f, units))
        groups.append(GroupDef(oid=oid, name=_name(section.title.en), items=items))
        group_of.update({i.oid: oid for i in items})
    if form.derived:
        oid = f"IG.{form.id}.{DERIVED}"
        items = tuple(ItemDef(oid=item_oid(d.name), name=d.name, data_type="integer", question=Bilingual.of(d.label),
                              origin="Derived") for d in form.derived)
        groups.append(GroupDef(oid=oid, name=f"{_name(form.title.en)}: derived scores", items=items))
        group_of.update({i.oid: oid for i in items})
    return FormDef(oid=form_oid(form.id), name=_name(form.title.en), title=Bilingual.of(form.title),
                   groups=tuple(groups)), group_of


def layout(protocol: Protocol, number: int, units: dict[str, str] | None = None) -> VersionLayout:
    """The ODM layout of `protocol` stored as version `number`.

    `units` is shared across the versions written into one file (BasicDefinitions lists each
    unit once); it is filled in place.
    """
    units = {} if units is None else units
    forms, group_of = {}, {}
    for form in protocol.forms:
        forms[form.id], group_of[form.id] = _form_def(form, units)
    # A screening visit repeats when a patient is screened again; the others happen once.
    events = [EventDef(oid=event_oid(v.id), name=_name(v.label.en), label=Bilingual.of(v.label),
                       repeating=v.kind == "screening",
                       kind="Scheduled", forms=tuple(form_oid(f) for f in v.forms))
              for v in protocol.schedule.visits]
    events.append(EventDef(oid=event_oid(None), name="Unscheduled visit",
                           label=Bilingual("Unscheduled visit", "Visite non programmée"), repeating=True,
                           kind="Unscheduled", forms=tuple(form_oid(f) for f in protocol.schedule.unscheduled_forms)))
    # The treatment app's adverse events and dispensings (see odm_treatment), after the protocol's forms.
    from equipoise.interchange.odm_treatment import treatment_event, treatment_forms

    forms.update(treatment_forms())
    events.append(treatment_event())
    codelists = [_codelist(f) for form in protocol.forms for f in form.fields() if f.type == "enum"]
    return VersionLayout(oid=version_oid(protocol.id, number), name=f"{protocol.id} version {number}",
                         protocol_id=protocol.id, number=number, events=events, forms=forms, codelists=codelists,
                         units=units, _group_of=group_of, _fields={f.id: f.fields() for f in protocol.forms})
