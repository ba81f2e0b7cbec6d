"""Turn rows of form values into ODM subject blocks: the full history or the values at a cut-off.

Rows arrive ordered by subject, then visit, form and revision (the app reads them in chunks);
each subject is gathered into one `SubjectBlock` and handed on before the next subject is read.

- Transactional: one FormData per saved revision. Its items are those the revision inserted
  (first value), updated (value changed) or removed (value cleared), each with the revision's
  AuditRecord: user, site, UTC time, reason for change, and `SourceID` the revision number.
- Snapshot: one FormData per form with the values in force, its AuditRecord the last change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from equipoise.interchange.form_items import odm_value
from equipoise.interchange.odm_metadata import VersionLayout, form_oid
from equipoise.interchange.odm_writer import Audit, EventBlock, FormBlock, ItemValue, SubjectBlock


def user_oid(username: str) -> str:
    return f"USR.{username}"


def location_oid(site_code: str) -> str:
    return f"LOC.{site_code}"


@dataclass(frozen=True)
class FormRow:
    """One revision (Transactional) or the values in force (Snapshot) of one form record."""

    subject: str
    site: str
    event_oid: str
    repeat_key: str | None
    form_id: str
    record_id: int
    revision: int
    data: Mapping[str, Any]
    username: str
    at: dt.datetime
    reason: str = ""
    derived: Mapping[str, Any] | None = None


def _by_subject(rows: Iterable[FormRow]) -> Iterator[list[FormRow]]:
    batch: list[FormRow] = []
    for row in rows:
        if batch and row.subject != batch[0].subject:
            yield batch
            batch = []
        batch.append(row)
    if batch:
        yield batch


def _audit(row: FormRow) -> Audit:
    return Audit(user_oid=user_oid(row.username), location_oid=location_oid(row.site), at=row.at,
                 reason=row.reason, source_id=f"revision {row.revision}")


def _block(rows: list[FormRow], forms: Iterable[tuple[FormRow, FormBlock]]) -> SubjectBlock:
    block = SubjectBlock(key=rows[0].subject, location_oid=location_oid(rows[0].site))
    current: EventBlock | None = None
    for row, form in forms:
        if current is None or (current.event_oid, current.repeat_key) != (row.event_oid, row.repeat_key):
            current = EventBlock(event_oid=row.event_oid, repeat_key=row.repeat_key)
            block.events.append(current)
        current.forms.append(form)
    return block


def _flat(grouped: list[tuple[str, list[tuple[str, Any]]]]) -> dict[str, tuple[str, Any]]:
    """`VersionLayout.grouped` output as item OID -> (group OID, value)."""
    return {oid: (group, value) for group, items in grouped for oid, value in items}


def inserted_form(row: FormRow, grouped: list[tuple[str, list[tuple[str, Any]]]]) -> FormBlock:
    """A record's first revision: every value it holds is an Insert (`grouped` as `VersionLayout.grouped`)."""
    audit = _audit(row)
    return FormBlock(form_oid=form_oid(row.form_id), transaction="Insert",
                     groups=[(g, [ItemValue(oid, value, "Insert", audit) for oid, value in items])
                             for g, items in grouped])


def transaction_form(layout: VersionLayout, row: FormRow, before: Mapping[str, tuple[str, Any]],
                     after: Mapping[str, tuple[str, Any]]) -> FormBlock | None:
    """The items `row`'s revision inserted, updated or removed: `after` its values, `before` those of
    the preceding revision (both as `_flat` gives them); None if nothing changed."""
    audit = _audit(row)
    groups: dict[str, list[ItemValue]] = {}
    for oid, (group, value) in after.items():
        old = before.get(oid)
        if old is None:
            groups.setdefault(group, []).append(ItemValue(oid, value, "Insert", audit))
        elif not (type(old[1]) is type(value) and old[1] == value) and odm_value(old[1]) != odm_value(value):
            groups.setdefault(group, []).append(ItemValue(oid, value, "Update", audit))
    for oid, (group, _) in before.items():
        if oid not in after:
            groups.setdefault(group, []).append(ItemValue(oid, None, "Remove", audit))
    if not groups:
        return None
    order = [g.oid for g in layout.forms[row.form_id].groups]
    return FormBlock(form_oid=form_oid(row.form_id), transaction="Insert" if row.revision == 1 else "Update",
                     groups=[(g, groups[g]) for g in order if g in groups])


def transactional_blocks(rows: Iterable[FormRow], layout: VersionLayout,
                         previous_of: Callable[[int, int], Mapping[str, Any]]) -> Iterator[SubjectBlock]:
    """Subject blocks of every revision in `rows` (ordered by subject, visit, form, revision).

    A revision's previous values come from the row before it when that is the same record's
    preceding revision (its items already flattened); otherwise (the preceding revision was made
    under another protocol version, so it is in another ClinicalData) from
    `previous_of(record_id, revision - 1)`.
    """
    for rows_of_subject in _by_subject(rows):
        forms: list[tuple[FormRow, FormBlock]] = []
        last: FormRow | None = None
        last_grouped: list[tuple[str, list[tuple[str, Any]]]] = []
        for row in rows_of_subject:
            grouped = layout.grouped(row.form_id, row.data)
            form: FormBlock | None
            if row.revision == 1:
                form = inserted_form(row, grouped) if grouped else None
            else:
                if last is not None and last.record_id == row.record_id and last.revision == row.revision - 1:
                    before = _flat(last_grouped)
                else:
                    before = _flat(layout.grouped(row.form_id, previous_of(row.record_id, row.revision - 1)))
                form = transaction_form(layout, row, before, _flat(grouped))
            if form is not None:
                forms.append((row, form))
            last, last_grouped = row, grouped
        if forms:
            yield _block(rows_of_subject, forms)


def snapshot_blocks(rows: Iterable[FormRow], layout: VersionLayout) -> Iterator[SubjectBlock]:
    """Subject blocks of the values in force (one row per form record, with its derived scores)."""
    for rows_of_subject in _by_subject(rows):
        forms = []
        for row in rows_of_subject:
            groups = [(g, [ItemValue(oid, value) for oid, value in items])
                      for g, items in layout.grouped(row.form_id, row.data, row.derived)]
            forms.append((row, FormBlock(form_oid=form_oid(row.form_id), audit=_audit(row), groups=groups)))
        yield _block(rows_of_subject, forms)
