"""`{{ role|role_label }}`: a role's name in the page's language, never its code."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from equipoise.records.roles import LABELS, Role

register = template.Library()


@register.filter
def role_label(value: str) -> str:
    try:
        english, french = LABELS[Role(value)]
    except ValueError:
        return value
    return french if (get_language() or "fr").startswith("fr") else english
