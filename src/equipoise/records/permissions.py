"""What each role may do: the one table both the pages (to offer a button) and the actions (to
accept or refuse the write) ask. Django-free, so it is read and tested alone.

A page asks with the roles the user holds at the subject's site (`Rights`); an action asks with the
role the actor acts in. Site scoping and the blinding policy (`allocation.blinding`) are decided
elsewhere and apply on top: this table answers only "is this a thing this role does".
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from equipoise.records.roles import Role


class Do(StrEnum):
    """The things a user may be offered a button for."""

    CREATE_SUBJECT = "create_subject"
    SCREEN_SUBJECT = "screen_subject"  # enter the screening form, evaluate eligibility, re-screen
    RANDOMIZE = "randomize"
    EMERGENCY_UNBLIND = "emergency_unblind"
    END_PARTICIPATION = "end_participation"
    ENTER_DATA = "enter_data"
    COMPLETE_FORM = "complete_form"
    REOPEN_FORM = "reopen_form"  # a complete form
    UNLOCK_FORM = "unlock_form"  # reopen a locked form
    LOCK_FORM = "lock_form"
    LOCK_DATA = "lock_data"  # lock every form of a visit, a subject or a site
    UNLOCK_DATA = "unlock_data"  # unlock them again, with a reason
    VERIFY_SOURCE_DATA = "verify_source_data"  # source data verification of a form
    RAISE_QUERY = "raise_query"
    ANSWER_QUERY = "answer_query"
    NOTIFY_PREGNANCY_REPORT = "notify_pregnancy_report"
    CLOSE_PREGNANCY_REPORT = "close_pregnancy_report"
    # Treatment and safety (pages that show the arm; the blinding policy keeps the assessor out first).
    OPEN_VISIT_WORKLIST = "open_visit_worklist"
    OPEN_SAFETY_DASHBOARD = "open_safety_dashboard"
    PRESCRIBE = "prescribe"
    CHANGE_DOSE = "change_dose"  # hold, resume, reduce or stop the study drug
    DISPENSE = "dispense"
    COUNT_RETURN = "count_return"
    COUNSEL = "counsel"  # pregnancy-prevention counselling and contraception
    RECORD_VISIT = "record_visit"  # unscheduled visit, visit done (or undone), missed
    REPORT_ADVERSE_EVENT = "report_adverse_event"
    FOLLOW_UP_ADVERSE_EVENT = "follow_up_adverse_event"
    NOTIFY_SAE = "notify_sae"  # the sponsor told of a serious adverse event
    ASSESS_EXPECTEDNESS = "assess_expectedness"
    NOTIFY_AUTHORITIES = "notify_authorities"
    CLOSE_PREGNANCY_FOLLOW_UP = "close_pregnancy_follow_up"
    SIGN_RECORDS = "sign_records"  # electronic signature of a visit's forms or of the casebook


INV, A, P = Role.INVESTIGATOR, Role.BLINDED_ASSESSOR, Role.PHARMACIST
DM, MON, SP = Role.DATA_MANAGER, Role.MONITOR, Role.SPONSOR_ADMIN

ALLOWED: dict[Do, frozenset[Role]] = {
    # Only the investigator enrols, screens and randomizes: not the pharmacist, not the assessor.
    Do.CREATE_SUBJECT: frozenset({INV}),
    Do.SCREEN_SUBJECT: frozenset({INV}),
    Do.RANDOMIZE: frozenset({INV}),
    # The treating investigator, when the arm is hidden from them; never the blinded assessor,
    # whose scoring of the primary endpoint must stay blind.
    Do.EMERGENCY_UNBLIND: frozenset({INV}),
    Do.END_PARTICIPATION: frozenset({INV}),
    Do.ENTER_DATA: frozenset({INV, A, P}),
    Do.COMPLETE_FORM: frozenset({INV, A, P}),
    Do.REOPEN_FORM: frozenset({INV, A, P, DM}),
    Do.UNLOCK_FORM: frozenset({DM}),
    Do.LOCK_FORM: frozenset({DM}),
    # Locking and unlocking by visit, subject or site is the data manager's alone (the sponsor
    # administrator runs accounts and sites, not the data).
    Do.LOCK_DATA: frozenset({DM}),
    Do.UNLOCK_DATA: frozenset({DM}),
    # Source data verification is the monitor's: the data manager works from the database only.
    Do.VERIFY_SOURCE_DATA: frozenset({MON}),
    Do.RAISE_QUERY: frozenset({DM, MON}),
    Do.ANSWER_QUERY: frozenset({INV, A, P}),
    Do.NOTIFY_PREGNANCY_REPORT: frozenset({INV, SP}),
    Do.CLOSE_PREGNANCY_REPORT: frozenset({INV}),
    Do.OPEN_VISIT_WORKLIST: frozenset({INV, P, DM, MON, SP}),
    Do.OPEN_SAFETY_DASHBOARD: frozenset({INV, DM, MON, SP}),
    # The investigator prescribes and changes the dose; the pharmacist hands over and counts back.
    Do.PRESCRIBE: frozenset({INV}),
    Do.CHANGE_DOSE: frozenset({INV}),
    Do.DISPENSE: frozenset({P}),
    Do.COUNT_RETURN: frozenset({P}),
    Do.COUNSEL: frozenset({INV, P}),
    Do.RECORD_VISIT: frozenset({INV}),
    Do.REPORT_ADVERSE_EVENT: frozenset({INV}),
    Do.FOLLOW_UP_ADVERSE_EVENT: frozenset({INV}),
    Do.NOTIFY_SAE: frozenset({INV, SP}),
    # Expectedness against the reference safety information, and the SUSAR report, are the sponsor's.
    Do.ASSESS_EXPECTEDNESS: frozenset({SP}),
    Do.NOTIFY_AUTHORITIES: frozenset({SP}),
    Do.CLOSE_PREGNANCY_FOLLOW_UP: frozenset({INV}),
    Do.SIGN_RECORDS: frozenset({INV}),
}


def _roles(who: object) -> frozenset[Role]:
    """Roles from a Role, a role name, an iterable of either, or anything with `.roles` (Rights)."""
    held = getattr(who, "roles", who)
    if isinstance(held, str):
        return frozenset({Role(held)})
    if isinstance(held, Iterable):
        return frozenset(Role(r) for r in held)
    raise TypeError(f"roles expected, not {who!r}")


def may(who: object, what: Do) -> bool:
    """Whether a holder of these roles may do `what` (any one role allowing it is enough)."""
    return bool(_roles(who) & ALLOWED[what])


def reopen_permission(state: str) -> Do:
    """Reopening a locked form is unlocking it; reopening a complete one is not."""
    return Do.UNLOCK_FORM if state == "locked" else Do.REOPEN_FORM


def who_may(what: Do) -> str:
    """The roles allowed, for a refusal message."""
    return " or ".join(sorted(r.value for r in ALLOWED[what]))


SCREENING_FORM = "screening"


def entry_permission(form_id: str) -> Do:
    """Entering the screening form is screening the patient; any other form is data entry."""
    return Do.SCREEN_SUBJECT if form_id == SCREENING_FORM else Do.ENTER_DATA
