"""`{% load permissions %}`: templates offer a button only when `records.permissions` allows its action.

    {% if rights|may:"lock_form" %} ... {% endif %}
    {% if rights|may_reopen:record.state %} ... {% endif %}
"""

from __future__ import annotations

from django import template

from equipoise.records.permissions import Do, reopen_permission
from equipoise.records.permissions import may as may_do

register = template.Library()


@register.filter
def may(rights: object, what: str) -> bool:
    return may_do(rights, Do(what))


@register.filter
def may_reopen(rights: object, state: str) -> bool:
    return may_do(rights, reopen_permission(state))
