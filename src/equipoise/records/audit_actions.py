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
    SESSION_END = "session.end"
    SESSION_END_ALL = "session.end_all"
    TWO_FACTOR_ENROLMENT_START = "two_factor.enrolment_start"
    TWO_FACTOR_ENROL = "two_factor.enrol"
    TWO_FACTOR_FAILED = "two_factor.failed"
    TWO_FACTOR_RECOVERY_CODES = "two_factor.recovery_codes"
    TWO_FACTOR_RECOVERY_CODE_USED = "two_factor.recovery_code_used"
    TWO_FACTOR_REMOVE = "two_factor.remove"
    PASSWORD_SET = "password.set"
    PASSWORD_CHANGE = "password.change"
    PASSWORD_CHANGE_REFUSED = "password.change_refused"
    PASSWORD_RESET_REQUEST = "password.reset_request"
    PASSWORD_RESET = "password.reset"
    PASSWORD_RESET_REFUSED = "password.reset_refused"
    # administration: people and sites (a `*_REFUSED` one is an attempt by someone not allowed)
    USER_INVITE = "user.invite"
    USER_REINVITE = "user.reinvite"
    USER_INVITATION_ACCEPT = "user.invitation_accept"
    USER_INVITATION_REFUSED = "user.invitation_refused"
    USER_DEACTIVATE = "user.deactivate"
    USER_ACTIVATE = "user.activate"
    USER_LANGUAGE = "user.language"
    ROLE_GRANT = "role.grant"
    ROLE_REVOKE = "role.revoke"
    SITE_CREATE = "site.create"
    SITE_OPEN = "site.open"
    SITE_CLOSE = "site.close"
    USER_INVITE_REFUSED = "user.invite_refused"
    USER_REINVITE_REFUSED = "user.reinvite_refused"
    USER_DEACTIVATE_REFUSED = "user.deactivate_refused"
    USER_ACTIVATE_REFUSED = "user.activate_refused"
    USER_LANGUAGE_REFUSED = "user.language_refused"
    ROLE_GRANT_REFUSED = "role.grant_refused"
    ROLE_REVOKE_REFUSED = "role.revoke_refused"
    SITE_CREATE_REFUSED = "site.create_refused"
    SITE_OPEN_REFUSED = "site.open_refused"
    SITE_CLOSE_REFUSED = "site.close_refused"
    SESSION_END_ALL_REFUSED = "session.end_all_refused"
    TWO_FACTOR_REMOVE_REFUSED = "two_factor.remove_refused"
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
    VISIT_UNDO_DONE = "visit.undo_done"
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
    DEVIATION_RECORD = "deviation.record"
    # safety
    ADVERSE_EVENT_REPORT = "adverse_event.report"
    ADVERSE_EVENT_FOLLOW_UP = "adverse_event.follow_up"
    ADVERSE_EVENT_EXPECTEDNESS = "adverse_event.expectedness"
    ADVERSE_EVENT_SPONSOR_NOTIFIED = "adverse_event.sponsor_notified"
    ADVERSE_EVENT_AUTHORITIES_NOTIFIED = "adverse_event.authorities_notified"
    PREGNANCY_FOLLOW_UP_OPEN = "pregnancy_follow_up.open"
    PREGNANCY_FOLLOW_UP_CLOSE = "pregnancy_follow_up.close"
    PREGNANCY_REPORT_OPEN = "pregnancy_report.open"
    PREGNANCY_REPORT_SPONSOR_NOTIFIED = "pregnancy_report.sponsor_notified"
    PREGNANCY_REPORT_CLOSE = "pregnancy_report.close"
    # signatures
    SIGNATURE_SIGN = "signature.sign"
    SIGNATURE_REFUSED = "signature.refused"
    SIGNATURE_INVALIDATE = "signature.invalidate"
    # reports
    REPORT_DOWNLOAD = "report.download"
    REPORT_DSMB = "report.dsmb"
    EXPORT_ODM = "export.odm"
    EXPORT_DATASETS = "export.datasets"
    # running it
    REMINDER_SEND = "reminder.send"

    @classmethod
    def eligibility(cls, stage: str) -> AuditAction:
        """The event of an eligibility verdict at a stage ("screening" or "randomization")."""
        return cls(f"eligibility.{stage}")

    @classmethod
    def study_drug(cls, kind: str) -> AuditAction:
        """The event of a dose change of a kind (hold, resume, reduce, stop)."""
        return cls(f"study_drug.{kind}")

    def refused(self) -> AuditAction:
        """The event of an attempt at this action by someone not allowed to take it."""
        return AuditAction(f"{self.value}_refused")

