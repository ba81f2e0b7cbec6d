"""Template filters of the treatment pages: Paris wall-clock times, protocol texts, state labels.

The pages' own words go through Django's `{% translate %}` and the shared French catalogue.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.translation import get_language

from equipoise.visits.localtime import utc_offset, wall_clock

register = template.Library()


@register.filter
def paris(moment: dt.datetime | None) -> str:
    """An instant in Paris wall-clock time with its UTC offset (the offset changes with DST):
    "15/07/2026 à 09:30 (UTC+02:00)" on a French page, "2026-07-15 09:30 (UTC+02:00)" on an English one."""
    if moment is None:
        return ""
    return f"{wall_clock(moment, get_language() or 'fr')} ({utc_offset(moment)})"


@register.filter
def text_in(value, lang: str) -> str:
    """A protocol/rule `Text` in the page's language."""
    return value.get(lang) if hasattr(value, "get") else str(value)


_STATES = {
    "upcoming": ("upcoming", "à venir"),
    "due": ("due", "à faire"),
    "overdue": ("overdue", "en retard"),
    "missed": ("missed", "manquée"),
    "done_in_window": ("done in window", "faite dans la fenêtre"),
    "done_out_of_window": ("done out of window", "faite hors fenêtre"),
    "not_due": ("not due yet", "pas encore dû"),
    "complete": ("complete", "à jour"),
    "met": ("met", "respecté"),
}


@register.filter
def state_label(state: object) -> str:
    """A visit, pregnancy-test or clock state in the page's language (the code if unknown)."""
    if state is None:
        return "—"
    key = str(getattr(state, "value", state))
    en, fr = _STATES.get(key, (key, key))
    return fr if (get_language() or "fr").startswith("fr") else en


_RESULTS = {
    "positive": ("positive", "positif"),
    "indeterminate": ("indeterminate", "indéterminé"),
    "negative": ("negative", "négatif"),
}


@register.filter
def result_label(result: str) -> str:
    """A pregnancy-test result in the page's language."""
    en, fr = _RESULTS.get(result, (result, result))
    return fr if (get_language() or "fr").startswith("fr") else en
