"""The reasons the system writes itself into the audit trail, shown in the reader's words.

An event's reason is kept as it was written: the trail is hash-linked and nothing in it is ever
rewritten, so the stored text stays the inspector's record (and what the ODM export carries).
People type most reasons, in their own words, and those are shown as typed. The few the system
writes follow a fixed English wording; `system_reason` recognises them and `reason_words` says
them in the active language, with the protocol's form titles, visit labels and field labels in
place of their identifiers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from equipoise.protocol.schema import Protocol
from equipoise.records.change_display import field_label, variables_of
from equipoise.records.code_labels import object_type_label

# Reasons written word for word by the system (people.actions, records.actions).
FIXED: dict[str, Promise] = {
    "too many wrong passwords or codes": _("too many wrong passwords or codes"),
    "reset link expired or already used": _("reset link expired or already used"),
    "password reset": _("password reset"),
    "not the sponsor administrator": _("not the sponsor administrator"),
    "nobody changes their own roles or account": _("nobody changes their own roles or account"),
    "current password wrong": _("current password wrong"),
    "account locked": _("account locked"),
    "account deactivated": _("account deactivated"),
    "ended by the sponsor administrator": _("ended by the sponsor administrator"),
    "ended from the command line": _("ended from the command line"),
    "enrolment code": _("wrong code while setting up the authenticator app"),
    "sign-in code": _("wrong sign-in code"),
    "only the investigator of the subject's site signs its records":
        _("only the investigator of the subject's site signs its records"),
    "this invitation was already used; sign in, or ask the sponsor administrator for help":
        _("this invitation was already used; sign in, or ask the sponsor administrator for help"),
    "this invitation was replaced by a newer one; use the link of the latest email":
        _("this invitation was replaced by a newer one; use the link of the latest email"),
    "this invitation has expired; ask the sponsor administrator for a new one":
        _("this invitation has expired; ask the sponsor administrator for a new one"),
}

Render = Callable[[re.Match[str], Sequence[Protocol], str], str]


def _form_title(form_id: str, protocols: Sequence[Protocol], language: str) -> str:
    for protocol in protocols:
        for form in protocol.forms:
            if form.id == form_id:
                return form.title.get(language)
    return form_id


def _visit_label(visit_id: str, protocols: Sequence[Protocol], language: str) -> str:
    for protocol in protocols:
        for visit in protocol.schedule.visits:
            if visit.id == visit_id:
                return visit.label.get(language)
    return visit_id


def _fields(names: str, protocols: Sequence[Protocol]) -> str:
    fields, derived = variables_of(list(protocols))
    return ", ".join(field_label(name.strip(), fields, derived) for name in names.split(",") if name.strip())


def _signature_change(m: re.Match[str], protocols: Sequence[Protocol], language: str) -> str:
    return gettext("signature no longer valid: %(form)s (%(visit)s) changed, revision %(revision)s: "
                   "%(fields)s") % {"form": _form_title(m["form"], protocols, language),
                                    "visit": _visit_label(m["visit"], protocols, language),
                                    "revision": m["revision"], "fields": _fields(m["fields"], protocols)}


def _values_changed(m: re.Match[str], protocols: Sequence[Protocol], language: str) -> str:
    return gettext("values changed in revision %(revision)s: %(fields)s") % {
        "revision": m["revision"], "fields": _fields(m["fields"], protocols)}


def _re_evaluated(m: re.Match[str], protocols: Sequence[Protocol], language: str) -> str:
    return gettext("re-evaluated automatically: %(fields)s changed") % {"fields": _fields(m["fields"], protocols)}


def _lockout(m: re.Match[str], protocols: Sequence[Protocol], language: str) -> str:
    return gettext("%(failures)s failed sign-ins in %(minutes)s minutes") % {
        "failures": m["failures"], "minutes": m["minutes"]}


def _no_role(m: re.Match[str], protocols: Sequence[Protocol], language: str) -> str:
    return gettext("no role at the site of this %(object)s") % {"object": object_type_label(m["object"])}


def _first_admin(m: re.Match[str], protocols: Sequence[Protocol], language: str) -> str:
    return gettext("first sponsor administrator, created from the command line by %(operator)s") % {
        "operator": m["operator"]}


def _nothing_signed(m: re.Match[str], protocols: Sequence[Protocol], language: str) -> str:
    problem = FIXED.get(m["problem"])
    return gettext("%(problem)s; nothing was signed") % {"problem": problem if problem is not None
                                                          else m["problem"]}


# The wordings the system composes (the writer named beside each), most specific first.
PATTERNS: list[tuple[re.Pattern[str], Render]] = [
    # people.actions.signatures.invalidate_on_change
    (re.compile(r"signature invalidated by change of form (?P<form>\S+) at visit (?P<visit>\S+) "
                r"\(revision (?P<revision>\d+): (?P<fields>[^)]*)\)"), _signature_change),
    # records.actions.source_verification
    (re.compile(r"values changed in revision (?P<revision>\d+): (?P<fields>.*)"), _values_changed),
    # records.actions.eligibility (a screening value changed after the verdict)
    (re.compile(r"re-evaluated automatically: (?P<fields>.*) changed"), _re_evaluated),
    # records.actions.logins
    (re.compile(r"(?P<failures>\d+) failed logins in (?P<minutes>\d+) minutes"), _lockout),
    # records.access
    (re.compile(r"no role at the (?P<object>\w+)'s site"), _no_role),
    # people.actions.accounts.create_first_sponsor_admin
    (re.compile(r"first sponsor administrator, created from the command line by (?P<operator>.+)"), _first_admin),
    # people.actions.signatures (a failed re-authentication)
    (re.compile(r"(?P<problem>.+); nothing was signed"), _nothing_signed),
]


def system_reason(reason: str) -> bool:
    """Whether the system wrote `reason` (rather than a person)."""
    return reason in FIXED or any(pattern.fullmatch(reason) for pattern, _render in PATTERNS)


def reason_words(reason: str, protocols: Sequence[Protocol], language: str) -> str:
    """`reason` in the active language if the system wrote it; as typed if a person did."""
    fixed = FIXED.get(reason)
    if fixed is not None:
        return str(fixed)
    for pattern, render in PATTERNS:
        match = pattern.fullmatch(reason)
        if match is not None:
            return render(match, protocols, language)
    return reason
