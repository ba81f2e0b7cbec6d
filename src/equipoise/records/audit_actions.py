"""Every action the audit trail records, by name: one enum, so a typo is an error, not a new action.

The values are what the ledger stores (and hashes); never rename one that has been written.
"""

from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    # access and accounts
    ACCESS_DENIED = "access.denied"
    LOGIN_FAILURE = "login.failure"
    LOGIN_LOCKOUT = "login.lockout"
    LOGIN_FAILURES_CLEARED = "login.failures_cleared"
    API_TOKEN_CREATE = "api_token.create"
    # protocol
    PROTOCOL_VERSION_LOAD = "protocol.version_load"
    # subjects and eligibility
    SUBJECT_CREATE = "subject.create"
    SUBJECT_RESCREEN = "subject.rescreen"
    SUBJECT_END_PARTICIPATION = "subject.end_participation"
    ELIGIBILITY_SCREENING = "eligibility.screening"
    ELIGIBILITY_RANDOMIZATION = "eligibility.randomization"
    # forms and data queries
    FORM_SAVE = "form.save"
    FORM_CHANGE = "form.change"
    FORM_COMPLETE = "form.complete"
    FORM_REOPEN = "form.reopen"
    FORM_LOCK = "form.lock"
    FORM_UNLOCK = "form.unlock"
    FORM_SOURCE_VERIFY = "form.source_verify"
    FORM_SOURCE_VERIFICATION_INVALIDATE = "form.source_verification_invalidate"
    QUERY_RAISE = "query.raise"
    QUERY_ANSWER = "query.answer"
    QUERY_CLOSE = "query.close"
    # randomization and blinding
    RANDOMIZATION_LIST_LOAD = "randomization.list_load"
    RANDOMIZATION_LIST_VIEW = "randomization.list_view"
    SUBJECT_RANDOMIZE = "subject.randomize"
    SUBJECT_EMERGENCY_UNBLIND = "subject.emergency_unblind"
    SUBJECT_EMERGENCY_UNBLIND_REFUSED = "subject.emergency_unblind_refused"
    # visits
    VISIT_DONE = "visit.done"
    VISIT_MISSED = "visit.missed"
    VISIT_ADD_UNSCHEDULED = "visit.add_unscheduled"
    # treatment
    PRESCRIPTION_CREATE = "prescription.create"
    DISPENSING_CREATE = "dispensing.create"
    DISPENSING_REFUSED = "dispensing.refused"
    DISPENSING_RETURN = "dispensing.return"
    STUDY_DRUG_HOLD = "study_drug.hold"
    STUDY_DRUG_RESUME = "study_drug.resume"
    STUDY_DRUG_REDUCE = "study_drug.reduce"
    STUDY_DRUG_STOP = "study_drug.stop"
    COUNSELLING_RECORD = "counselling.record"
    CONTRACEPTION_RECORD = "contraception.record"
    # safety
    ADVERSE_EVENT_REPORT = "adverse_event.report"
    ADVERSE_EVENT_FOLLOW_UP = "adverse_event.follow_up"
    ADVERSE_EVENT_EXPECTEDNESS = "adverse_event.expectedness"
    ADVERSE_EVENT_SPONSOR_NOTIFIED = "adverse_event.sponsor_notified"
    ADVERSE_EVENT_AUTHORITIES_NOTIFIED = "adverse_event.authorities_notified"
    PREGNANCY_FOLLOW_UP_OPEN = "pregnancy_follow_up.open"
    PREGNANCY_FOLLOW_UP_CLOSE = "pregnancy_follow_up.close"
    # reports
    REPORT_DOWNLOAD = "report.download"
    REPORT_DSMB = "report.dsmb"

    @classmethod
    def eligibility(cls, stage: str) -> AuditAction:
        """The event of an eligibility verdict at a stage ("screening" or "randomization")."""
        return cls(f"eligibility.{stage}")

    @classmethod
    def study_drug(cls, kind: str) -> AuditAction:
        """The event of a dose change of a kind (hold, resume, reduce, stop)."""
        return cls(f"study_drug.{kind}")
