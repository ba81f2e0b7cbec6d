"""Times on every page: spans in days and hours, instants as the sites' wall-clock time.

`{% load local_time %}` in any app's template (Django finds tag libraries by name):
`{{ span|duration }}` reads "14 j 23 h" on a French page and "14 d 23 h" on an English one;
`{{ moment|local_input }}` fills a `datetime-local` picker with Paris time.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.translation import get_language

from equipoise.visits.durations import days_hours
from equipoise.visits.localtime import local_input_value

register = template.Library()


@register.filter
def duration(span: dt.timedelta | None) -> str:
    """A span of time in the page's language; "" for none."""
    if span is None:
        return ""
    return days_hours(span).get(get_language() or "fr")


@register.filter
def local_input(moment: dt.datetime | None) -> str:
    """An instant as a `datetime-local` value in Paris wall-clock time ("" for none)."""
    return local_input_value(moment)
