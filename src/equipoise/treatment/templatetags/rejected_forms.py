"""`{% load rejected_forms %}`: a form the action refused shows what was typed and its errors.

    {% rejected_as rejected "dispense" p.pk as t %}      {# t is the rejected form, or None #}
    <input name="dispensed_on" value="{{ t|typed:'dispensed_on'|default_if_none:today_iso }}">
    {% errors_of t "dispensed_on" %}
    <option{% selected t "weekday" d %}>{{ d }}</option>
    <input type="checkbox" name="topics" value="{{ topic.id }}"{% checked t "topics" topic.id %}>
    {% form_problems t %}                                   {# errors about the form as a whole #}
    {% refusal_summary rejected %}                          {# at the page's top: every error #}
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from equipoise.treatment.rejected import RejectedForm

register = template.Library()


def _the(form: object) -> RejectedForm | None:
    """The rejected form, or None: a page with no refusal to show passes nothing (or an unset name)."""
    return form if isinstance(form, RejectedForm) else None


@register.simple_tag
def rejected_as(rejected: object, form: str, pk: Any = None) -> RejectedForm | None:
    found = _the(rejected)
    return found if found is not None and found.is_for(form, pk) else None


@register.filter
def typed(form: object, name: str) -> str | None:
    """What was typed in `name`, or None when this form was not the one refused (use the default)."""
    found = _the(form)
    return None if found is None else found.value(name)


@register.simple_tag
def checked(form: object, name: str, value: Any, default: bool = False) -> str:
    form = _the(form)
    on = str(value) in form.values(name) if form is not None else bool(default)
    return mark_safe(" checked") if on else ""


@register.simple_tag
def selected(form: object, name: str, value: Any, default: Any = None) -> str:
    form = _the(form)
    chosen = form.value(name) if form is not None else ("" if default is None else str(default))
    return mark_safe(" selected") if str(value) == chosen else ""


@register.simple_tag
def errors_of(form: object, name: str) -> SafeString | str:
    form = _the(form)
    if form is None or name not in form.by_input:
        return ""
    return format_html_join("", '<div class="error-text" role="alert" data-field="{}">{}</div>',
                            ((name, text) for text in form.by_input[name]))


@register.simple_tag
def form_problems(form: object) -> SafeString | str:
    """Inside the refused form: the errors that belong to no one input."""
    form = _the(form)
    if form is None or not form.general:
        return ""
    return format_html('<ul class="error-text form-problems" role="alert">{}</ul>',
                       format_html_join("", "<li>{}</li>", ((text,) for text in form.general)))


@register.simple_tag
def refusal_summary(form: object) -> SafeString | str:
    """At the top of the page: nothing was saved, and every error, so none goes unseen."""
    form = _the(form)
    if form is None:
        return ""
    texts = [*form.general, *(text for texts in form.by_input.values() for text in texts)]
    return format_html('<section class="card alert refusal-summary" role="alert"><strong>{}</strong><ul>{}</ul></section>',
                       gettext("Nothing was saved: correct what is marked below."),
                       format_html_join("", "<li>{}</li>", ((text,) for text in texts)))
