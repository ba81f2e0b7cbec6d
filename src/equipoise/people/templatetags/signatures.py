"""`{% signatures_panel subject %}` and `{% visit_signatures visit %}`: the signatures over a record,
with printed name, Paris date and time, meaning and whether they still stand."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language, gettext

from equipoise.people.actions.signatures import status
from equipoise.people.models import Signature, SignatureScope
from equipoise.records.access import roles_at
from equipoise.records.protocol_versions import current_version, protocol_of
from equipoise.records.roles import LABELS, Role

register = template.Library()


def _role_label(role: str) -> str:
    french = (get_language() or "fr").startswith("fr")
    try:
        return LABELS[Role(role)][1 if french else 0]
    except ValueError:
        return role


def change_text(signature: Signature) -> str:
    """What invalidated the signature, in the reader's words: form, visit, revision, fields."""
    change = signature.invalidated_change
    if not change:
        return signature.invalidated_by
    lang = "fr" if (get_language() or "fr").startswith("fr") else "en"
    protocol = protocol_of(current_version(signature.subject.protocol_id))
    try:
        form = protocol.form(change["form"])
        labels = {f.name: f.label.get(lang) for f in form.fields()}
        title = form.title.get(lang)
        visit = protocol.visit(change["visit"]).label.get(lang) if change.get("scheduled", True) else change["visit"]
    except (KeyError, LookupError, ValueError):
        return signature.invalidated_by
    return gettext("%(form)s (%(visit)s), revision %(revision)s: %(fields)s") % {
        "form": title, "visit": visit, "revision": change["revision"],
        "fields": ", ".join(labels.get(name, name) for name in change["fields"])}


def _rows(signatures) -> list[dict]:
    return [{"signature": s, "status": status(s), "role": _role_label(s.role),
             "change": change_text(s) if s.invalidated_at else ""} for s in signatures]


@register.inclusion_tag("people/signatures_panel.html", takes_context=True)
def signatures_panel(context, subject) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    may_sign = bool(user is not None and Role.INVESTIGATOR in roles_at(user, subject.site))
    signatures = Signature.objects.filter(subject=subject).select_related("visit", "subject")
    return {"subject": subject, "rows": _rows(signatures), "may_sign": may_sign,
            "visits": subject.visits.filter(form_records__isnull=False).distinct() if may_sign else [],
            "casebook": SignatureScope.CASEBOOK}


@register.inclusion_tag("people/visit_signatures.html")
def visit_signatures(subject, visit) -> dict:
    signatures = Signature.objects.filter(subject=subject).select_related("visit", "subject")
    rows = [r for r in _rows(signatures)
            if r["signature"].scope == SignatureScope.CASEBOOK or r["signature"].visit_id == visit.pk]
    return {"rows": rows}
