"""Saving a form that carries the date it was done (a CLASI assessment): a date outside the visit's
window is saved only once confirmed, and then the form and its protocol deviation are one action,
one transaction. Either both are stored, with their audit events, or neither is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from equipoise.records.actions.forms import after_form_saved, store_form
from equipoise.records.actor import Actor
from equipoise.records.models import FormRecord, Subject, Visit
from equipoise.treatment.actions.deviations import (
    OUTSIDE_WINDOW,
    record_window_deviation,
    require_confirmation,
)
from equipoise.treatment.models import ProtocolDeviation


def save_dated_form(
    actor: Actor, subject: Subject, visit: Visit, form_id: str, raw: Mapping[str, Any], *,
    done_on: dt.date | None, what: str, confirmed: bool, reason: str = "",
) -> FormRecord:
    """Save the form; when `done_on` falls outside the visit's window (and `confirmed` says the user
    ticked so), record the deviation in the same transaction, once per date."""
    off = require_confirmation(visit, done_on, what, confirmed) if done_on is not None else 0
    with transaction.atomic(durable=True):
        record = store_form(actor, subject, visit, form_id, raw, reason=reason)
        if off and done_on is not None and not ProtocolDeviation.objects.filter(
                visit=visit, occurred_on=done_on, kind=OUTSIDE_WINDOW, cancelled_reason="").exists():
            record_window_deviation(actor, visit, done_on, what, off)
    after_form_saved(actor, subject, form_id)
    return record
