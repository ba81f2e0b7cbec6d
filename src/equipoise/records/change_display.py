"""Recorded values and changes as a reader sees them: labels, not variable names; "Yes", not True.

A form's history and the audit trail store changes as {name: [before, after]} with the values as
saved (booleans, codes, ISO dates, an instrument's whole record). `changed_fields` turns them into
(label, before, after) lines in the active language: protocol fields take their protocol label and
choice labels, the application's own fields and codes those of `records.code_labels`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils import formats
from django.utils.translation import get_language, gettext

from equipoise.instruments.clasi import clasi_totals
from equipoise.protocol.schema import Form, FormField, Protocol, Text
from equipoise.records.code_labels import code_label, record_field_label
from equipoise.safety.adverse_events import clock_label
from equipoise.visits.localtime import to_trial_time

EMPTY = "—"


def _language() -> str:
    return get_language() or "fr"


def instrument_summary(record: Mapping[str, Any]) -> str:
    """An instrument's record in a few words: its totals when it can be scored."""
    if record.get("instrument", "clasi") == "clasi" or "regions" in record:
        try:
            score = clasi_totals(record)
        except ValueError:
            score = None
        if score is not None:
            return gettext("CLASI record: activity %(activity)s, damage %(damage)s") % {
                "activity": score.activity, "damage": score.damage}
        return gettext("CLASI record, not complete")
    return gettext("detailed record")


def _moment(text: str) -> str | None:
    """An ISO timestamp with its offset, as Paris wall-clock time; None if the text is not one."""
    if "T" not in text or len(text) < 16:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return f"{to_trial_time(moment):%Y-%m-%d %H:%M}"


def shown_value(value: object, field: FormField | None = None, codes: Mapping[str, Text] | None = None) -> str:
    """One recorded value in the reader's language (`codes`: the protocol's, see `protocol_codes`)."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if field is not None and field.type == "enum":
        for choice in field.choices or []:
            if str(choice.code) == str(value):
                return choice.label.get(_language())
    if isinstance(value, Mapping):
        return instrument_summary(value)
    if isinstance(value, (list, tuple, set)):
        return ", ".join(shown_value(v, field, codes) for v in value)
    if isinstance(value, float):
        return formats.localize(value)
    if isinstance(value, str):
        if codes and value in codes:
            return codes[value].get(_language())
        return _moment(value) or code_label(value)
    return str(value)


Source = Protocol | Form | Sequence[Protocol] | None


def _protocols(source: Source) -> list[Protocol]:
    if source is None or isinstance(source, Form):
        return []
    return [source] if isinstance(source, Protocol) else list(source)


def variables_of(protocol: Source) -> tuple[dict[str, FormField], dict[str, Text]]:
    """The fields and derived values a protocol (or several), or one protocol's form, names."""
    if protocol is None:
        return {}, {}
    forms = [protocol] if isinstance(protocol, Form) else [f for p in _protocols(protocol) for f in p.forms]
    return ({f.name: f for form in forms for f in form.fields()},
            {d.name: d.label for form in forms for d in form.derived})


def protocol_codes(protocol: Source) -> dict[str, Text]:
    """The protocol's own codes that recorded values carry: arms, drugs, counselling topics."""
    codes: dict[str, Text] = {}
    for p in _protocols(protocol):
        codes.update({a.id: a.label for a in p.arms})
        codes.update({i.id: i.name for a in p.arms for i in a.interventions})
        codes.update({t.id: t.label for t in p.safety.counselling})
    return codes


def field_label(name: str, fields: Mapping[str, FormField], derived: Mapping[str, Text]) -> str:
    """A variable's label: the protocol's for form fields and derived values, else the application's."""
    field = fields.get(name)
    if field is not None:
        return field.label.get(_language())
    label = derived.get(name.removeprefix("derived."))
    if name.startswith("derived.") and label is not None:
        return label.get(_language())
    return record_field_label(name) or name


# Audit changes whose value is recorded whole rather than as [before, after].
WHOLE_VALUES = frozenset({"recipients"})


def reminder_about(key: str) -> str:
    """What a reminder was about (`operations.reminders.Reminder.key`), in words."""
    parts = key.split(":")
    if parts[0] == "ae" and len(parts) == 3:
        clock = clock_label(parts[2])
        what = gettext("adverse event %(number)s") % {"number": parts[1]}
        return f"{what}, {clock.get(_language())}" if clock else what
    if parts[0] == "visit" and len(parts) == 2:
        return gettext("visit %(number)s") % {"number": parts[1]}
    if parts[0] == "subject" and len(parts) == 4 and parts[2] == "test":
        return gettext("pregnancy test of %(subject)s due on %(date)s") % {
            "subject": parts[1], "date": shown_value(parts[3])}
    if parts[0] == "list" and len(parts) == 4 and parts[2] == "stratum":
        return gettext("randomization list %(number)s, stratum %(stratum)s") % {
            "number": parts[1], "stratum": parts[3]}
    if key == "audit-chain":
        return gettext("the audit trail's hash chain")
    return key


def reminder_state(state: str) -> str:
    """A reminder's state in words; "broken_at_12" is the chain broken at event 12."""
    if state.startswith("broken_at_"):
        return gettext("broken at event %(number)s") % {"number": state.removeprefix("broken_at_")}
    return code_label(state)


def changed_fields(changes: Mapping[str, Any] | None, protocol: Source) -> list[tuple[str, str, str]]:
    """(label, before, after) for each change of a revision or an audit event."""
    fields, derived = variables_of(protocol)
    codes = protocol_codes(protocol)
    lines = []
    for name, pair in (changes or {}).items():
        if name in WHOLE_VALUES:  # a list kept whole (a reminder's recipients), not a [before, after] pair
            before, after = None, pair
        else:
            before, after = (list(pair) + [None, None])[:2] if isinstance(pair, (list, tuple)) else (None, pair)
        field = fields.get(name)
        if name == "about" and isinstance(after, str):
            lines.append((field_label(name, fields, derived), shown_value(before), reminder_about(after)))
            continue
        if name == "state" and isinstance(after, str) and after.startswith("broken_at_"):
            lines.append((field_label(name, fields, derived), shown_value(before), reminder_state(after)))
            continue
        lines.append((field_label(name, fields, derived), shown_value(before, field, codes),
                      shown_value(after, field, codes)))
    return lines
