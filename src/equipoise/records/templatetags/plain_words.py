"""Template filters that put plain words in place of codes, in the page's language.

    {% load plain_words %}
    {{ ae.outcome|code_label }}                      an application code (records.code_labels)
    {{ event.action|action_label }}                  an audit trail action
    {% for label, before, after in r.changes|changes_in:form %}   a revision's or event's changes
    {{ value|shown_value }}                          a recorded value: Yes/No, labels, local times
    {{ event.reason|reason_words:protocols }}         an audit reason, in words if the system wrote it
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from equipoise.protocol.schema import Protocol
from equipoise.records import audit_reasons, change_display, code_labels
from equipoise.records.protocol_versions import current_version, protocol_of
from equipoise.records.roles import LABELS, Role

register = template.Library()


@register.filter
def code_label(code: object) -> str:
    return code_labels.code_label(code)


@register.filter
def code_labels_joined(codes: Any) -> str:
    """Several codes, labelled and joined by commas ("—" when there are none)."""
    return ", ".join(code_labels.code_label(c) for c in codes or ()) or change_display.EMPTY


@register.filter
def action_label(action: str) -> str:
    """An audit trail action in the page's language."""
    return code_labels.action_label(action)


@register.filter
def object_type_label(kind: str) -> str:
    return code_labels.object_type_label(kind)


@register.filter
def changes_in(changes: Any, protocol: Any) -> list[tuple[str, str, str]]:
    """(label, before, after) lines; `protocol` is a protocol, one of its forms, or None."""
    return change_display.changed_fields(changes, protocol)


@register.filter
def reason_words(reason: str, protocols: Any) -> str:
    """An audit event's reason: in the page's language if the system wrote it, as typed if a person did."""
    listed = [protocols] if isinstance(protocols, Protocol) else list(protocols or ())
    return audit_reasons.reason_words(reason, listed, get_language() or "fr")


@register.filter
def shown_value(value: object) -> str:
    return change_display.shown_value(value)


@register.filter
def role_label(role: str) -> str:
    """A role in the page's language (the code if it is not a role)."""
    try:
        english, french = LABELS[Role(role)]
    except ValueError:
        return role
    return french if (get_language() or "fr").startswith("fr") else english


@register.filter
def form_title(form_id: str, protocols: Any) -> str:
    """A form's title in the page's language, looked up in a protocol or a list of protocols."""
    for protocol in [protocols] if isinstance(protocols, Protocol) else protocols or ():
        for form in protocol.forms:
            if form.id == form_id:
                return form.title.get(get_language() or "fr")
    return form_id


@register.filter
def field_labels(names: Any, protocols: Any) -> str:
    """Variable names as their labels, joined by commas (`protocols`: a protocol, a form or a list)."""
    fields, derived = change_display.variables_of(protocols)
    return ", ".join(change_display.field_label(n, fields, derived) for n in names or ())


@register.filter
def drug_name(drug_id: str, subject: Any) -> str:
    """A study or auxiliary drug's name, from the protocol of `subject`, in the page's language."""
    protocol = protocol_of(current_version(subject.protocol_id))
    for arm in protocol.arms:
        for intervention in arm.interventions:
            if intervention.id == drug_id:
                return intervention.name.get(get_language() or "fr")
    return drug_id
