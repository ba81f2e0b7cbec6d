"""Plain words for the codes the application itself defines, in the reader's language.

Trial data (form fields, their choices, forms, drugs) take their labels from the protocol files;
the codes below are the application's own: adverse-event coding, eligibility verdicts, weekdays,
the kinds of records the audit trail names, its actions and the fields its changes list. Each is a msgid of
the French catalogue, so `code_label` answers in the active language. A code without a label is
returned as it is, which the plain-words crawl test (tests/web/test_plain_words_crawl.py) catches.
"""

from __future__ import annotations

import unicodedata

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from equipoise.records.audit_actions import AuditAction

CODE_LABELS: dict[str, Promise] = {
    # adverse events: seriousness criteria (safety.adverse_events.SERIOUSNESS_CRITERIA)
    "death": _("death"),
    "life_threatening": _("life-threatening"),
    "hospitalisation": _("hospitalisation or its prolongation"),
    "disability": _("disability or incapacity"),
    "congenital_anomaly": _("congenital anomaly"),
    "medically_important": _("medically important event"),
    # adverse events of special interest (the protocol's safety.yaml `special_interest`)
    "thrombosis": _("thrombosis"),
    "peripheral_neuropathy": _("peripheral neuropathy"),
    "pregnancy_patient": _("pregnancy of the patient"),
    "pregnancy_partner": _("pregnancy of the patient's partner"),
    "neutropenia": _("neutropenia"),
    "thrombocytopenia": _("thrombocytopenia"),
    "liver_toxicity": _("liver toxicity"),
    "serious_infection": _("serious infection"),
    # causality, action taken, outcome (treatment.ae_entry)
    "related": _("related"),
    "not_related": _("not related"),
    "none": pgettext_lazy("action taken", "none"),
    "dose_reduced": _("dose reduced"),
    "drug_interrupted": _("drug interrupted"),
    "drug_withdrawn": _("drug withdrawn"),
    "not_applicable": _("not applicable"),
    "recovered": _("recovered"),
    "recovering": _("recovering"),
    "not_recovered": _("not recovered"),
    "recovered_with_sequelae": _("recovered with sequelae"),
    "fatal": _("fatal"),
    "unknown": _("unknown"),
    # pregnancy outcomes (treatment.pregnancy_outcome)
    "live_birth": _("live birth"),
    "miscarriage": _("miscarriage"),
    "termination": _("termination of pregnancy"),
    "ongoing_at_end_of_study": _("ongoing at the end of the study"),
    # eligibility verdicts (eligibility.verdict.Verdict)
    "eligible": _("Eligible"),
    "not_eligible": _("Not eligible"),
    "incomplete": _("Incomplete"),
    # eligibility assessment stages (records.models.AssessmentStage)
    "screening": pgettext_lazy("eligibility stage", "screening"),
    "randomization": pgettext_lazy("eligibility stage", "randomization"),
    # sexes (safety.pregnancy.SEXES, the screening form's choices)
    "female": pgettext_lazy("sex", "female"),
    "male": pgettext_lazy("sex", "male"),
    # weekdays (safety.pregnancy.WEEKDAYS)
    "monday": _("Monday"),
    "tuesday": _("Tuesday"),
    "wednesday": _("Wednesday"),
    "thursday": _("Thursday"),
    "friday": _("Friday"),
    "saturday": _("Saturday"),
    "sunday": _("Sunday"),
    # changes to the study drug (treatment.models.DoseChangeKind)
    "hold": _("put on hold"),
    "resume": _("resumed"),
    "reduce": _("dose reduced"),
    "stop": _("stopped"),
    # regimen frequencies
    "daily": _("daily"),
    "weekly": _("weekly"),
    # pregnancy test results (treatment.models.PregnancyReport.result)
    "positive": pgettext_lazy("test result", "positive"),
    "negative": pgettext_lazy("test result", "negative"),
    "indeterminate": pgettext_lazy("test result", "indeterminate"),
    # states of an electronic signature (people.actions.signatures.status)
    "valid": pgettext_lazy("signature state", "Valid"),
    "invalidated": pgettext_lazy("signature state", "Invalidated"),
    "broken": pgettext_lazy("signature state", "Broken"),
    # reminders (operations.reminders): what they are about and the state reminded
    "sae_clock": _("safety reporting clock"),
    "pregnancy_test": _("pregnancy test"),
    "overdue_visit": _("overdue visit"),
    "randomization_list": _("randomization list"),
    "audit_chain": _("audit trail verification"),
    "due_within_6h": _("due within 6 hours"),
    "overdue": _("overdue"),
    "due": _("due"),
    "low": _("running low"),
    "exhausted": _("exhausted"),
    # languages a person reads (people.models.Preferences)
    "fr": _("French"),
    "en": _("English"),
}

# The kinds of record the audit trail names (`record_event`'s object type).
OBJECT_TYPES: dict[str, Promise] = {
    "form_record": _("form"),
    "subject": _("subject"),
    "visit": _("visit"),
    "query": pgettext_lazy("data query", "query"),
    "eligibility": _("eligibility assessment"),
    "prescription": _("prescription"),
    "dispensing": _("dispensing"),
    "tablet_return": _("tablet return"),
    "dose_change": _("dose change"),
    "adverse_event": _("adverse event"),
    "pregnancy_report": _("pregnancy report"),
    "pregnancy_follow_up": _("pregnancy follow-up"),
    "counselling": _("counselling"),
    "contraception": _("contraception"),
    "deviation": _("protocol deviation"),
    "allocation": _("allocation"),
    "unblinding": _("unblinding"),
    "randomization_list": _("randomization list"),
    "protocol_version": _("protocol version"),
    "export": _("data export"),
    "reminder": _("reminder"),
    "user": _("account"),
    "login": _("sign-in"),
    "api_token": _("API token"),
    "signature": _("signature"),
    "site": _("site"),
}

# Fields recorded outside the protocol's forms, as the audit trail lists their changes.
RECORD_FIELDS: dict[str, Promise] = {
    "state": _("state"),
    "status": _("status"),
    "code": _("code"),
    "term": _("term"),
    "grade": _("grade"),
    "seriousness": _("seriousness"),
    "special_interest": _("special interest"),
    "causality": _("causality"),
    "action_taken": _("action taken"),
    "outcome": _("outcome"),
    "outcome_date": _("outcome date"),
    "onset_date": _("onset date"),
    "end_date": _("end date"),
    "site_aware_at": _("site learned of it at"),
    "sponsor_notified_at": _("sponsor told at"),
    "authorities_notified_at": _("authorities told at"),
    "expected": _("expected"),
    "expectedness_assessed_at": _("expectedness assessed at"),
    "adverse_event": _("adverse event"),
    "result": _("result"),
    "form_record": _("form"),
    "topics": _("topics"),
    "counselled_on": _("counselled on"),
    "method": _("method"),
    "started_on": _("started on"),
    "kind": _("kind"),
    "violations": _("refusals"),
    "prescription": _("prescription"),
    "prescribed_on": _("prescribed on"),
    "days": _("days"),
    "dispensed_on": _("dispensed on"),
    "returned_on": _("returned on"),
    "tablets_returned": _("tablets returned"),
    "auxiliary_returned": _("auxiliary tablets returned"),
    "tablets": _("tablets"),
    "auxiliary_tablets": _("auxiliary tablets"),
    "visit_date": _("visit date"),
    "attempt": _("attempt"),
    "done_date": _("date done"),
    "deviations_cancelled": _("deviations cancelled"),
    "missed": _("missed"),
    "screening_attempt": _("screening attempt"),
    "verdict": _("verdict"),
    "end_outcome": _("how participation ended"),
    "participation_ended_on": _("participation ended on"),
    "randomization_number": _("randomization number"),
    "stratum": _("stratum"),
    "arm": _("arm"),
    "sha256": _("fingerprint (SHA-256)"),
    "list_sha256": _("list fingerprint (SHA-256)"),
    "slots": _("slots"),
    "label": _("label"),
    "recent_failures": _("recent failures"),
    "failures": _("failures"),
    "locked_minutes": _("locked for (minutes)"),
    "dose_mg": _("dose (mg)"),
    "weekday": _("weekday"),
    "auxiliary_weekday": _("auxiliary drug weekday"),
    "dose_change": _("dose change"),
    "effective_on": _("effective on"),
    "study_drug": _("study drug"),
    "text": _("text"),
    "answer": _("answer"),
    "field": _("field"),
    "reason": _("reason"),
    "criteria": _("criteria"),
    "pregnancy_gate": _("pregnancy check before dispensing"),
    "arm_level": _("arm-level"),
    # data management (records.actions.data_lock, records.actions.source_verification)
    "with_visit": _("locked or unlocked with the whole visit"),
    "with_subject": _("locked or unlocked with the whole patient"),
    "with_site": _("locked or unlocked with the whole site"),
    "verification": _("source data verification"),
    "revision": _("revision"),
    "language": _("language of the emails"),
    "signature": _("signature"),
    "about": _("about"),
    "recipients": _("recipients"),
    "judged_at": _("judged at"),
}

# The actions the audit trail records (records.audit_actions.AuditAction), as its rows and its
# Action filter show them.
AUDIT_ACTIONS: dict[AuditAction, Promise] = {
    AuditAction.ACCESS_DENIED: pgettext_lazy("audit action", "Access refused"),
    AuditAction.LOGIN_FAILURE: pgettext_lazy("audit action", "Failed sign-in"),
    AuditAction.LOGIN_LOCKOUT: pgettext_lazy("audit action", "Sign-in locked after failures"),
    AuditAction.LOGIN_FAILURES_CLEARED: pgettext_lazy("audit action", "Failed sign-ins cleared"),
    AuditAction.API_TOKEN_CREATE: pgettext_lazy("audit action", "API token created"),
    AuditAction.SESSION_END: pgettext_lazy("audit action", "Session ended"),
    AuditAction.SESSION_END_ALL: pgettext_lazy("audit action", "All sessions of an account ended"),
    AuditAction.TWO_FACTOR_ENROLMENT_START: pgettext_lazy("audit action", "Authenticator app set-up started"),
    AuditAction.TWO_FACTOR_ENROL: pgettext_lazy("audit action", "Authenticator app set up"),
    AuditAction.TWO_FACTOR_FAILED: pgettext_lazy("audit action", "Wrong authenticator code"),
    AuditAction.TWO_FACTOR_RECOVERY_CODES: pgettext_lazy("audit action", "Recovery codes issued"),
    AuditAction.TWO_FACTOR_RECOVERY_CODE_USED: pgettext_lazy("audit action", "Recovery code used"),
    AuditAction.TWO_FACTOR_REMOVE: pgettext_lazy("audit action", "Authenticator app removed"),
    AuditAction.PASSWORD_SET: pgettext_lazy("audit action", "Password set"),
    AuditAction.PASSWORD_CHANGE: pgettext_lazy("audit action", "Password changed"),
    AuditAction.PASSWORD_CHANGE_REFUSED: pgettext_lazy("audit action", "Password change refused"),
    AuditAction.PASSWORD_RESET_REQUEST: pgettext_lazy("audit action", "Password reset requested"),
    AuditAction.PASSWORD_RESET: pgettext_lazy("audit action", "Password reset"),
    AuditAction.PASSWORD_RESET_REFUSED: pgettext_lazy("audit action", "Password reset refused"),
    AuditAction.USER_INVITE: pgettext_lazy("audit action", "Person invited"),
    AuditAction.USER_REINVITE: pgettext_lazy("audit action", "Invitation sent again"),
    AuditAction.USER_INVITATION_ACCEPT: pgettext_lazy("audit action", "Invitation accepted"),
    AuditAction.USER_INVITATION_REFUSED: pgettext_lazy("audit action", "Invitation link refused"),
    AuditAction.USER_DEACTIVATE: pgettext_lazy("audit action", "Account deactivated"),
    AuditAction.USER_ACTIVATE: pgettext_lazy("audit action", "Account reactivated"),
    AuditAction.USER_LANGUAGE: pgettext_lazy("audit action", "Language of the emails changed"),
    AuditAction.ROLE_GRANT: pgettext_lazy("audit action", "Role granted"),
    AuditAction.ROLE_REVOKE: pgettext_lazy("audit action", "Role withdrawn"),
    AuditAction.SITE_CREATE: pgettext_lazy("audit action", "Site created"),
    AuditAction.SITE_OPEN: pgettext_lazy("audit action", "Site opened"),
    AuditAction.SITE_CLOSE: pgettext_lazy("audit action", "Site closed"),
    AuditAction.USER_INVITE_REFUSED: pgettext_lazy("audit action", "Invitation refused (not allowed)"),
    AuditAction.USER_REINVITE_REFUSED: pgettext_lazy("audit action", "New invitation refused (not allowed)"),
    AuditAction.USER_DEACTIVATE_REFUSED: pgettext_lazy("audit action", "Account deactivation refused (not allowed)"),
    AuditAction.USER_ACTIVATE_REFUSED: pgettext_lazy("audit action", "Account reactivation refused (not allowed)"),
    AuditAction.USER_LANGUAGE_REFUSED: pgettext_lazy("audit action",
                                                     "Change of the language of the emails refused (not allowed)"),
    AuditAction.ROLE_GRANT_REFUSED: pgettext_lazy("audit action", "Role grant refused (not allowed)"),
    AuditAction.ROLE_REVOKE_REFUSED: pgettext_lazy("audit action", "Role withdrawal refused (not allowed)"),
    AuditAction.SITE_CREATE_REFUSED: pgettext_lazy("audit action", "Site creation refused (not allowed)"),
    AuditAction.SITE_OPEN_REFUSED: pgettext_lazy("audit action", "Site opening refused (not allowed)"),
    AuditAction.SITE_CLOSE_REFUSED: pgettext_lazy("audit action", "Site closing refused (not allowed)"),
    AuditAction.SESSION_END_ALL_REFUSED: pgettext_lazy("audit action", "Ending all sessions refused (not allowed)"),
    AuditAction.TWO_FACTOR_REMOVE_REFUSED: pgettext_lazy("audit action", "Authenticator app removal refused (not allowed)"),
    AuditAction.PROTOCOL_VERSION_LOAD: pgettext_lazy("audit action", "Protocol version loaded"),
    AuditAction.SUBJECT_CREATE: pgettext_lazy("audit action", "Patient registered"),
    AuditAction.SUBJECT_RESCREEN: pgettext_lazy("audit action", "Patient screened again"),
    AuditAction.SUBJECT_END_PARTICIPATION: pgettext_lazy("audit action", "Participation ended"),
    AuditAction.ELIGIBILITY_SCREENING: pgettext_lazy("audit action", "Eligibility assessed at screening"),
    AuditAction.ELIGIBILITY_RANDOMIZATION: pgettext_lazy("audit action", "Eligibility assessed at randomization"),
    AuditAction.FORM_SAVE: pgettext_lazy("audit action", "Form saved"),
    AuditAction.FORM_CHANGE: pgettext_lazy("audit action", "Form changed"),
    AuditAction.FORM_COMPLETE: pgettext_lazy("audit action", "Form completed"),
    AuditAction.FORM_REOPEN: pgettext_lazy("audit action", "Form reopened"),
    AuditAction.FORM_LOCK: pgettext_lazy("audit action", "Form locked"),
    AuditAction.FORM_UNLOCK: pgettext_lazy("audit action", "Form unlocked"),
    AuditAction.FORM_SOURCE_VERIFY: pgettext_lazy("audit action", "Form verified against source"),
    AuditAction.FORM_SOURCE_VERIFICATION_INVALIDATE: pgettext_lazy("audit action", "Source verification withdrawn"),
    AuditAction.QUERY_RAISE: pgettext_lazy("audit action", "Query raised"),
    AuditAction.QUERY_ANSWER: pgettext_lazy("audit action", "Query answered"),
    AuditAction.QUERY_CLOSE: pgettext_lazy("audit action", "Query closed"),
    AuditAction.RANDOMIZATION_LIST_LOAD: pgettext_lazy("audit action", "Randomization list loaded"),
    AuditAction.RANDOMIZATION_LIST_VIEW: pgettext_lazy("audit action", "Randomization list viewed"),
    AuditAction.SUBJECT_RANDOMIZE: pgettext_lazy("audit action", "Patient randomized"),
    AuditAction.SUBJECT_EMERGENCY_UNBLIND: pgettext_lazy("audit action", "Emergency unblinding"),
    AuditAction.SUBJECT_EMERGENCY_UNBLIND_REFUSED: pgettext_lazy("audit action", "Emergency unblinding refused (not allowed)"),
    AuditAction.VISIT_DONE: pgettext_lazy("audit action", "Visit marked done"),
    AuditAction.VISIT_MISSED: pgettext_lazy("audit action", "Visit marked missed"),
    AuditAction.VISIT_UNDO_DONE: pgettext_lazy("audit action", "Visit no longer marked done"),
    AuditAction.VISIT_ADD_UNSCHEDULED: pgettext_lazy("audit action", "Unscheduled visit added"),
    AuditAction.PRESCRIPTION_CREATE: pgettext_lazy("audit action", "Prescription written"),
    AuditAction.DISPENSING_CREATE: pgettext_lazy("audit action", "Study drug dispensed"),
    AuditAction.DISPENSING_REFUSED: pgettext_lazy("audit action", "Dispensing refused"),
    AuditAction.DISPENSING_RETURN: pgettext_lazy("audit action", "Tablets returned"),
    AuditAction.STUDY_DRUG_HOLD: pgettext_lazy("audit action", "Study drug put on hold"),
    AuditAction.STUDY_DRUG_RESUME: pgettext_lazy("audit action", "Study drug resumed"),
    AuditAction.STUDY_DRUG_REDUCE: pgettext_lazy("audit action", "Study drug dose reduced"),
    AuditAction.STUDY_DRUG_STOP: pgettext_lazy("audit action", "Study drug stopped"),
    AuditAction.COUNSELLING_RECORD: pgettext_lazy("audit action", "Counselling recorded"),
    AuditAction.CONTRACEPTION_RECORD: pgettext_lazy("audit action", "Contraception recorded"),
    AuditAction.DEVIATION_RECORD: pgettext_lazy("audit action", "Protocol deviation recorded"),
    AuditAction.ADVERSE_EVENT_REPORT: pgettext_lazy("audit action", "Adverse event reported"),
    AuditAction.ADVERSE_EVENT_FOLLOW_UP: pgettext_lazy("audit action", "Adverse event followed up"),
    AuditAction.ADVERSE_EVENT_EXPECTEDNESS: pgettext_lazy("audit action", "Adverse event expectedness assessed"),
    AuditAction.ADVERSE_EVENT_SPONSOR_NOTIFIED: pgettext_lazy("audit action", "Sponsor told of an adverse event"),
    AuditAction.ADVERSE_EVENT_AUTHORITIES_NOTIFIED: pgettext_lazy("audit action", "Authorities told of an adverse event"),
    AuditAction.PREGNANCY_FOLLOW_UP_OPEN: pgettext_lazy("audit action", "Pregnancy follow-up opened"),
    AuditAction.PREGNANCY_FOLLOW_UP_CLOSE: pgettext_lazy("audit action", "Pregnancy follow-up closed"),
    AuditAction.PREGNANCY_REPORT_OPEN: pgettext_lazy("audit action", "Pregnancy report opened"),
    AuditAction.PREGNANCY_REPORT_SPONSOR_NOTIFIED: pgettext_lazy("audit action", "Sponsor told of a pregnancy"),
    AuditAction.PREGNANCY_REPORT_CLOSE: pgettext_lazy("audit action", "Pregnancy report closed"),
    AuditAction.SIGNATURE_SIGN: pgettext_lazy("audit action", "Signed"),
    AuditAction.SIGNATURE_REFUSED: pgettext_lazy("audit action", "Signature refused"),
    AuditAction.SIGNATURE_INVALIDATE: pgettext_lazy("audit action", "Signature no longer valid"),
    AuditAction.REPORT_DOWNLOAD: pgettext_lazy("audit action", "Report downloaded"),
    AuditAction.REPORT_DSMB: pgettext_lazy("audit action", "DSMB report produced"),
    AuditAction.EXPORT_ODM: pgettext_lazy("audit action", "Data exported (CDISC ODM)"),
    AuditAction.EXPORT_DATASETS: pgettext_lazy("audit action", "Analysis datasets exported"),
    AuditAction.REMINDER_SEND: pgettext_lazy("audit action", "Reminder sent"),
}


def code_label(code: object) -> str:
    """The label of an application code in the active language; the code itself if it has none.

    The states and outcomes of the records' models answer with their own choice labels.
    """
    from equipoise.records.models import (
        EndOutcome,
        FormState,
        QueryStatus,
        SubjectStatus,
        VerificationState,
    )

    key = str(getattr(code, "value", code))
    label = CODE_LABELS.get(key)
    if label is not None:
        return str(label)
    for choices in (EndOutcome, SubjectStatus, FormState, QueryStatus, VerificationState):
        if key in choices.values:
            return str(choices(key).label)
    return key


def object_type_label(kind: str) -> str:
    label = OBJECT_TYPES.get(kind)
    return str(label) if label is not None else kind


def record_field_label(name: str) -> str | None:
    label = RECORD_FIELDS.get(name)
    return str(label) if label is not None else None


def action_label(action: str) -> str:
    """An audit action in the active language; the stored name itself if it is not an action."""
    try:
        return str(AUDIT_ACTIONS[AuditAction(action)])
    except ValueError:
        return action


def action_choices() -> list[tuple[str, str]]:
    """(stored name, label) of every audit action, in the active language, sorted by label."""
    labelled = [(a.value, str(label)) for a, label in AUDIT_ACTIONS.items()]
    return sorted(labelled, key=lambda c: unicodedata.normalize("NFKD", c[1]).casefold())


def action_family_label(prefix: str) -> str:
    """A filter on every action whose name starts with `prefix` ("two_factor."), as their labels."""
    return ", ".join(str(label) for a, label in AUDIT_ACTIONS.items() if a.value.startswith(prefix)) or prefix
