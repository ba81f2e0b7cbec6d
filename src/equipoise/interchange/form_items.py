"""A form's stored values as ODM items, and the item definitions behind them.

A plain field is one item, `IT.<field name>`. An instrument field holds a whole record (CLASI: a
score per body area and item, plus once-per-patient items); it becomes one item per score,
`IT.<field>.regions.<area>.<item>` and `IT.<field>.<key>`; an area the assessor marked not
assessed is `IT.<field>.not_assessed.<area>` = true. Only the values the record holds are written:
CLASI counts an area left out as 0, and an export must not claim an assessor entered a 0.

`odm_value` renders a value as ODM text (booleans `true`/`false`, numbers without a spurious
`.0`); `python_value` reads it back given the item's ODM data type.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from equipoise.instruments import clasi
from equipoise.protocol.schema import FormField

ODM_TYPES = {"int": "integer", "number": "float", "bool": "boolean", "date": "date",
             "datetime": "datetime", "text": "text"}


@dataclass(frozen=True)
class InstrumentItem:
    """One score inside an instrument record: where it sits in the record, and its scale."""

    path: tuple[str, ...]
    scale: tuple[int, ...] | None  # None: a yes/no flag
    en: str
    fr: str
    listed: bool = False  # a flag held as membership of a list: path = (list key, member)


def _clasi_items() -> list[InstrumentItem]:
    names = {"erythema": ("erythema", "érythème"), "scale": ("scale / hypertrophy", "squames / hypertrophie"),
             "dyspigmentation": ("dyspigmentation", "dyschromie"),
             "scarring": ("scarring / atrophy / panniculitis", "cicatrice / atrophie / panniculite")}
    items = []
    for area in clasi.AREAS:
        scales = clasi.SCALP_ITEMS if area == clasi.SCALP else clasi.AREA_ITEMS
        place = area.replace("_", " ")
        for name, scale in scales.items():
            en, fr = names[name]
            items.append(InstrumentItem(("regions", area, name), scale, f"CLASI {place}: {en}",
                                        f"CLASI {place} : {fr}"))
    patient = {"mucous_membrane": ("mucous membrane lesions", "lésions muqueuses"),
               "recent_hair_loss": ("recent hair loss", "chute de cheveux récente"),
               "nonscarring_alopecia": ("non-scarring alopecia", "alopécie non cicatricielle"),
               "scarring_alopecia": ("scarring alopecia of the scalp", "alopécie cicatricielle du cuir chevelu")}
    for key, scale in clasi.PATIENT_ITEMS.items():
        en, fr = patient[key]
        items.append(InstrumentItem((key,), scale, f"CLASI: {en}", f"CLASI : {fr}"))
    items.append(InstrumentItem((clasi.LONG_DYSPIGMENTATION,), None,
                                "CLASI: dyspigmentation usually lasting 12 months or more",
                                "CLASI : dyschromie durant habituellement 12 mois ou plus"))
    for area in clasi.AREAS:
        place = area.replace("_", " ")
        items.append(InstrumentItem((clasi.NOT_ASSESSED, area), None, f"CLASI {place}: not assessed",
                                    f"CLASI {place} : non évalué", listed=True))
    return items


INSTRUMENT_ITEMS: dict[str, list[InstrumentItem]] = {"clasi": _clasi_items()}


def instrument_items(field: FormField) -> list[InstrumentItem]:
    try:
        return INSTRUMENT_ITEMS[field.instrument or ""]
    except KeyError:
        raise ValueError(f"field {field.name}: no ODM item layout for instrument {field.instrument!r}") from None


def item_oid(field_name: str, path: tuple[str, ...] = ()) -> str:
    return ".".join(("IT", field_name, *path))


def odm_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value)


def python_value(text: str, data_type: str) -> Any:
    """The inverse of `odm_value` for an item of ODM `data_type`."""
    if data_type == "boolean":
        if text not in ("true", "false"):
            raise ValueError(f"not an ODM boolean: {text!r}")
        return text == "true"
    if data_type == "integer":
        return int(text)
    if data_type == "float":
        number = float(text)
        return int(number) if number.is_integer() else number
    return text


def _dig(record: Mapping[str, Any], path: tuple[str, ...]) -> tuple[bool, Any]:
    value: Any = record
    for key in path:  # stored values are JSON: a mapping is a dict (and the plain check is cheaper)
        if not isinstance(value, dict) or key not in value:
            return False, None
        value = value[key]
    return True, value


def field_values(field: FormField, value: Any) -> Iterator[tuple[str, Any]]:
    """(item OID, value) of one stored field value, instrument records flattened."""
    if field.type != "instrument":
        yield item_oid(field.name), value
        return
    record = value if isinstance(value, dict) else {}
    for item in instrument_items(field):
        if item.listed:
            if item.path[1] in (record.get(item.path[0]) or ()):
                yield item_oid(field.name, item.path), True
            continue
        present, inner = _dig(record, item.path)
        if present:
            yield item_oid(field.name, item.path), inner


def form_values(fields: list[FormField], data: Mapping[str, Any]) -> dict[str, Any]:
    """Every item OID the stored `data` holds a value for, with the value, in the form's order."""
    out: dict[str, Any] = {}
    for field in fields:
        if field.name in data and data[field.name] is not None:
            out.update(field_values(field, data[field.name]))
    return out
