"""Adverse events and dispensings in the ODM file: their metadata and their ClinicalData.

They are not protocol forms but the treatment app's records, so each protocol version's metadata
gets one common study event, `SE.TREATMENT`, with two repeating forms: `F.AE` (one FormData per
adverse event, `FormRepeatKey` its number) and `F.DISPENSING` (one per dispensing). Items are
`IT.AE.<field>` and `IT.DISPENSING.<field>`. Each FormData carries the record's audit record (who
reported or dispensed it, at which site, when); in the Transactional file it is an Insert, its
items too. An adverse event's end date recorded after the cut-off is left out, as in the AE
dataset. Both forms name or imply the drug, so only a reader allowed to see arms gets their data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from equipoise.interchange.odm_metadata import Bilingual, EventDef, FormDef, GroupDef, ItemDef
from equipoise.interchange.odm_writer import Audit, EventBlock, FormBlock, ItemValue, SubjectBlock
from equipoise.interchange.subject_merge import with_records

TREATMENT_EVENT = "SE.TREATMENT"
AE_FORM = "F.AE"
DISPENSING_FORM = "F.DISPENSING"

# field -> (ODM data type, English question, French question)
AE_ITEMS: dict[str, tuple[str, str, str]] = {
    "term": ("text", "Adverse event term", "Terme de l'événement indésirable"),
    "onset_date": ("date", "Onset date", "Date de début"),
    "end_date": ("date", "End date", "Date de fin"),
    "grade": ("integer", "Grade (CTCAE)", "Grade (CTCAE)"),
    "seriousness": ("text", "Seriousness criteria met", "Critères de gravité remplis"),
    "special_interest": ("text", "Adverse event of special interest", "Événement indésirable d'intérêt particulier"),
    "related_to_study_drug": ("boolean", "Related to the study drug", "Lié au médicament à l'étude"),
    "causality": ("text", "Causality per drug", "Imputabilité par médicament"),
    "action_taken": ("text", "Action taken with the study treatment", "Mesure prise sur le traitement"),
    "outcome": ("text", "Outcome", "Évolution"),
}
DISPENSING_ITEMS: dict[str, tuple[str, str, str]] = {
    "dispensed_on": ("date", "Date dispensed", "Date de dispensation"),
    "drug": ("text", "Drug", "Médicament"),
    "dose_mg": ("float", "Dose (mg)", "Dose (mg)"),
    "frequency": ("text", "Frequency", "Fréquence"),
    "days": ("integer", "Days of treatment", "Jours de traitement"),
    "tablets": ("integer", "Tablets dispensed", "Comprimés dispensés"),
    "auxiliary": ("text", "Auxiliary drug", "Médicament associé"),
    "auxiliary_dose_mg": ("float", "Auxiliary drug dose (mg)", "Dose du médicament associé (mg)"),
    "auxiliary_tablets": ("integer", "Auxiliary tablets dispensed", "Comprimés du médicament associé dispensés"),
}


def _form_def(oid: str, key: str, items: Mapping[str, tuple[str, str, str]], title: Bilingual) -> FormDef:
    group = GroupDef(oid=f"IG.{key}", name=title.en, items=tuple(
        ItemDef(oid=f"IT.{key}.{name}", name=f"{key}.{name}", data_type=data_type, question=Bilingual(en, fr),
                origin="CRF") for name, (data_type, en, fr) in items.items()))
    return FormDef(oid=oid, name=title.en, title=title, groups=(group,), repeating=True)


def treatment_forms() -> dict[str, FormDef]:
    """Form id -> definition, to add to a version's layout."""
    return {"AE": _form_def(AE_FORM, "AE", AE_ITEMS, Bilingual("Adverse event", "Événement indésirable")),
            "DISPENSING": _form_def(DISPENSING_FORM, "DISPENSING", DISPENSING_ITEMS,
                                    Bilingual("Dispensing", "Dispensation"))}


def treatment_event() -> EventDef:
    return EventDef(oid=TREATMENT_EVENT, name="Treatment and safety records",
                    label=Bilingual("Treatment and safety records", "Traitement et sécurité"), repeating=False,
                    kind="Common", forms=(AE_FORM, DISPENSING_FORM))


@dataclass(frozen=True)
class TreatmentRecord:
    """One adverse event or dispensing of a subject, as plain values."""

    subject: str
    site: str
    form: str  # "AE" | "DISPENSING"
    key: int
    values: Mapping[str, Any]
    audit: Audit


def treatment_form(record: TreatmentRecord, transactional: bool) -> FormBlock:
    key = record.form
    audit = record.audit if transactional else None
    items = [ItemValue(f"IT.{key}.{name}", value, "Insert" if transactional else None, audit)
             for name, value in record.values.items() if value is not None and value != ""]
    return FormBlock(form_oid=f"F.{key}", transaction="Insert" if transactional else None,
                     repeat_key=str(record.key), audit=None if transactional else record.audit,
                     groups=[(f"IG.{key}", items)] if items else [])


def with_treatment(blocks: Iterable[SubjectBlock], records: Iterable[TreatmentRecord], transactional: bool,
                   location_oid: Callable[[str], str]) -> Iterator[SubjectBlock]:
    """Merge subject blocks and treatment records (both in subject-code order): a subject's records
    become a `SE.TREATMENT` event at the end of its block; a subject with records only gets a block
    of its own. `location_oid` maps a site code to its Location OID."""
    for block, code, mine in with_records(blocks, records, lambda r: r.subject):
        if block is None:
            block = SubjectBlock(key=code, location_oid=location_oid(mine[0].site))
        if mine:
            block.events.append(EventBlock(event_oid=TREATMENT_EVENT, repeat_key=None,
                                           forms=[treatment_form(r, transactional) for r in mine]))
        yield block
