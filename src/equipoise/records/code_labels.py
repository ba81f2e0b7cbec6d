"""Plain words for the codes the application itself defines, in the reader's language.

Trial data (form fields, their choices, forms, drugs) take their labels from the protocol files;
the codes below are the application's own: adverse-event coding, eligibility verdicts, weekdays,
the kinds of records the audit trail names and the fields its changes list. Each is a msgid of
the French catalogue, so `code_label` answers in the active language. A code without a label is
returned as it is, which the plain-words crawl test (tests/web/test_plain_words_crawl.py) catches.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
