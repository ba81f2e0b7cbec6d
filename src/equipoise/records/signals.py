"""Signals the write path sends inside its transaction, for layers built over the records.

`form_record_changed(actor, record, changes)`: a form record was created or its values changed
(electronic signatures over it are invalidated by `equipoise.people`).
"""

from django.dispatch import Signal

form_record_changed = Signal()
