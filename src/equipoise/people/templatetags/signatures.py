"""`{% signatures_panel subject %}` and `{% visit_signatures visit %}`: the signatures over a record,
with printed name, Paris date and time, meaning and whether they still stand."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from equipoise.people.actions.signatures import status
from equipoise.people.models import Signature, SignatureScope
from equipoise.records.access import roles_at
from equipoise.records.roles import LABELS, Role

register = template.Library()


def _role_label(role: str) -> str:
    french = (get_language() or "fr").startswith("fr")
    try:
        return LABELS[Role(role)][1 if french else 0]
    except ValueError:
        return role


def _rows(signatures) -> list[dict]:
    return [{"signature": s, "status": status(s), "role": _role_label(s.role)} for s in signatures]


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
