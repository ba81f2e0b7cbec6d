"""Lock and unlock the forms of a visit, of a subject or of a whole site: the data manager's acts.

Locking freezes complete forms so nobody changes them (the save action refuses a locked form). It
is refused, with nothing written, while any form of the scope is still in draft: the refusal
names those forms. Unlocking needs a reason and puts locked forms back to complete, from where
the site reopens one (with its own reason) to correct it. Each form locked or unlocked gets its
own audit event, in the one durable transaction of the act.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from equipoise.protocol.schema import Protocol
from equipoise.records.actions.errors import ActionRefused, FieldError
from equipoise.records.actor import Actor
from equipoise.records.audit import AuditEntry, record_events
from equipoise.records.audit_actions import AuditAction
from equipoise.records.models import FormRecord, FormState, Site, Subject, Visit
from equipoise.records.permissions import Do, may
from equipoise.records.protocol_versions import current_version, protocol_of

NAMED_IN_REFUSAL = 5
"""How many blocking forms a refusal names one by one before it counts the rest."""


@dataclass(frozen=True)
class Scope:
    """The forms an act covers, and how the audit trail and the messages name them."""

    kind: str  # "visit", "subject" or "site"
    name: str  # how messages name it, in the reader's language: "TNN-0001 · Semaine 4", "TNN"
    ref: str  # how the audit trail names it, in codes only: "TNN-0001 W4", "TNN-0001", "TNN"
    records: Q


def visit_label(protocol: Protocol, visit: Visit, lang: str) -> str:
    """A visit as people name it: the protocol's label, or "Unscheduled visit 2"."""
    if visit.scheduled:
        return protocol.visit(visit.visit_id).label.get(lang)
    return _("Unscheduled visit %(number)s") % {"number": visit.attempt}


def visit_scope(visit: Visit) -> Scope:
    protocol = protocol_of(current_version(visit.subject.protocol_id))
    ref = f"{visit.subject.code} {visit.visit_id}" if visit.scheduled else f"{visit.subject.code} U{visit.attempt}"
    return Scope("visit", f"{visit.subject.code} · {visit_label(protocol, visit, get_language() or 'fr')}",
                 ref, Q(visit=visit))


def subject_scope(subject: Subject) -> Scope:
    return Scope("subject", subject.code, subject.code, Q(subject=subject))


def site_scope(site: Site) -> Scope:
    return Scope("site", site.code, site.code, Q(subject__site=site))


@dataclass(frozen=True)
class Done:
    """What an act changed: how many forms, in which scope."""

    scope: Scope
    count: int


def _form_names(records: list[FormRecord]) -> list[str]:
    """"TNN-0001 · Week 4 · Laboratory tests" for each record, in the reader's language."""
    lang = get_language() or "fr"
    protocols: dict[str, Protocol] = {}
    names = []
    for record in records:
        protocol_id = record.subject.protocol_id
        if protocol_id not in protocols:
            protocols[protocol_id] = protocol_of(current_version(protocol_id))
        protocol = protocols[protocol_id]
        names.append(f"{record.subject.code} · {visit_label(protocol, record.visit, lang)} · "
                      f"{protocol.form(record.form_id).title.get(lang)}")
    return names


def _refuse_drafts(scope: Scope, drafts: list[FormRecord], total: int) -> ActionRefused:
    named = _form_names(drafts[:NAMED_IN_REFUSAL])
    more = total - len(named)
    listing = "; ".join(named) + (ngettext(" and %(n)d more form", " and %(n)d more forms", more) % {"n": more}
                                  if more > 0 else "")
    message = ngettext(
        "Nothing was locked: %(n)d form of %(scope)s is still in draft (%(forms)s). Complete it first.",
        "Nothing was locked: %(n)d forms of %(scope)s are still in draft (%(forms)s). Complete them first.",
        total) % {"n": total, "scope": scope.name, "forms": listing}
    errors = [FieldError("form", "draft", name, value=record.pk)  # the value: the draft record
              for name, record in zip(named, drafts, strict=False)]
    return ActionRefused(message, errors, status=409)


def _move(actor: Actor, action: AuditAction, records: list[FormRecord], old: str, new: str, scope: Scope,
          reason: str) -> None:
    """Put `records` from state `old` to `new`, with one audit entry each naming the scope."""
    FormRecord.objects.filter(pk__in=[r.pk for r in records]).update(state=new, updated_at=timezone.now())
    record_events(actor, [
        AuditEntry(action, "form_record", r.pk, subject_code=r.subject.code, site_code=r.subject.site.code,
                   form_id=r.form_id, changes={"state": [old, new], f"with_{scope.kind}": [None, scope.ref]},
                   reason=reason)
        for r in records])


def lock(actor: Actor, scope: Scope) -> Done:
    """Lock every complete form of the scope; refused while one is in draft, or if none is left to lock."""
    if not may(actor.role, Do.LOCK_DATA):
        raise ActionRefused(_("Only the data manager locks data."), status=403)
    with transaction.atomic(durable=True):
        in_scope = (FormRecord.objects.select_for_update(of=("self",)).filter(scope.records)
                    .select_related("subject__site", "visit").order_by("subject__code", "visit__sequence", "form_id"))
        drafts = in_scope.filter(state=FormState.DRAFT)
        draft_count = drafts.count()
        if draft_count:
            raise _refuse_drafts(scope, list(drafts[:NAMED_IN_REFUSAL]), draft_count)
        complete = list(in_scope.filter(state=FormState.COMPLETE))
        if not complete:
            raise ActionRefused(_("Nothing to lock in %(scope)s: no complete form.") % {"scope": scope.name},
                                status=409)
        _move(actor, AuditAction.FORM_LOCK, complete, FormState.COMPLETE, FormState.LOCKED, scope, "")
    return Done(scope, len(complete))


def unlock(actor: Actor, scope: Scope, reason: str) -> Done:
    """Put every locked form of the scope back to complete, for the reason given."""
    if not may(actor.role, Do.UNLOCK_DATA):
        raise ActionRefused(_("Only the data manager unlocks data."), status=403)
    reason = reason.strip()
    if not reason:
        raise ActionRefused(_("Say why the data are unlocked."),
                            [FieldError("reason", "required", _("A reason is required."))])
    with transaction.atomic(durable=True):
        locked = list(FormRecord.objects.select_for_update(of=("self",)).filter(scope.records, state=FormState.LOCKED)
                      .select_related("subject__site").order_by("subject__code", "visit__sequence", "form_id"))
        if not locked:
            raise ActionRefused(_("Nothing to unlock in %(scope)s: no locked form.") % {"scope": scope.name},
                                status=409)
        _move(actor, AuditAction.FORM_UNLOCK, locked, FormState.LOCKED, FormState.COMPLETE, scope, reason)
    return Done(scope, len(locked))


def lock_visit(actor: Actor, visit: Visit) -> Done:
    return lock(actor, visit_scope(visit))


def lock_subject(actor: Actor, subject: Subject) -> Done:
    return lock(actor, subject_scope(subject))


def lock_site(actor: Actor, site: Site) -> Done:
    return lock(actor, site_scope(site))


def unlock_visit(actor: Actor, visit: Visit, reason: str) -> Done:
    return unlock(actor, visit_scope(visit), reason)


def unlock_subject(actor: Actor, subject: Subject, reason: str) -> Done:
    return unlock(actor, subject_scope(subject), reason)


def unlock_site(actor: Actor, site: Site, reason: str) -> Done:
    return unlock(actor, site_scope(site), reason)
