"""A refused value's message for the person who typed it: the field's label and the rule, in their
language, rather than the validation's own English (`age_years must be a whole number`).

The pure validation (`capture.validation`) names each problem by field and rule; the protocol holds
the field's label, limits and edit-check messages in both languages. Unknown rules keep the
validation's message.
"""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import get_language, gettext

from equipoise.capture.validation import FieldError
from equipoise.protocol.schema import Form, FormField
from equipoise.records.code_labels import record_field_label


def _translated_type_message(field_type: str) -> str | None:
    # Each literal is spelt out so that the catalogue test finds it.
    return {
        "int": gettext("%(field)s: enter a whole number."),
        "number": gettext("%(field)s: enter a number."),
        "date": gettext("%(field)s: enter a date."),
        "datetime": gettext("%(field)s: enter a date and a time."),
        "bool": gettext("%(field)s: answer yes or no."),
        "enum": gettext("%(field)s: choose one of the answers offered."),
        "text": gettext("%(field)s: enter a text."),
    }.get(field_type)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else formats.localize(value)


def field_message(form: Form, error: FieldError) -> str:
    """The message for one refused value of `form`, as an action's refusal names it."""
    language = get_language() or "fr"
    name, rule, fallback = error.field, error.rule, error.message
    fields: dict[str, FormField] = {f.name: f for f in form.fields()}
    field = fields.get(name) or fields.get(name.split(".", 1)[0])
    if rule.startswith("edit_check."):
        check = next((c for c in form.edit_checks if c.id == rule.removeprefix("edit_check.")), None)
        if check is not None:
            return check.message.get(language)
    if field is None:
        record_label = record_field_label(name)
        if record_label and rule == "required":
            return gettext("%(field)s is required.") % {"field": record_label[:1].upper() + record_label[1:]}
        return fallback
    label = {"field": field.label.get(language)}
    if "." in name and field.type == "instrument":
        return gettext("%(field)s: part of the record is missing or not valid.") % label
    if rule == "required":
        return gettext("%(field)s is required.") % label
    if rule == "type":
        message = _translated_type_message(field.type)
        return message % label if message else fallback
    if rule == "choices":
        return gettext("%(field)s: choose one of the answers offered.") % label
    if rule == "min" and field.min is not None:
        return gettext("%(field)s must be at least %(limit)s.") % {**label, "limit": _number(field.min)}
    if rule == "max" and field.max is not None:
        return gettext("%(field)s must be at most %(limit)s.") % {**label, "limit": _number(field.max)}
    if rule == "max_length" and field.max_length is not None:
        return gettext("%(field)s: at most %(limit)s characters.") % {**label, "limit": field.max_length}
    return fallback
