"""Demo corrections: values changed after entry, each with its reason, as monitoring finds them.

A real trial's audit trail is full of these (a transcription slip caught at source data
verification, an answer the patient corrects); the demo makes a few through the same form-save
action as the pages, so the audit trail and the ODM archive show changes with their reasons.
"""

from __future__ import annotations

import random

from equipoise.records.actions.forms import save_form
from equipoise.records.actor import Actor
from equipoise.records.models import FormRecord, FormState, Subject

LAB_REASON = "Transcription error: corrected against the laboratory report at source data verification"
DLQI_REASON = "Patient corrected her answer when the questionnaire was read back"


def correct_some_values(subject: Subject, investigator: Actor) -> int:
    """Change one lab value and one DLQI answer of `subject`, with reasons; returns how many changed.

    Draws from its own generator, so the rest of the demo stays as it was.
    """
    rng = random.Random(f"correction-{subject.code}")
    changed = 0
    records = FormRecord.objects.filter(subject=subject, state=FormState.DRAFT).select_related("visit")
    labs = records.filter(form_id="labs", visit__scheduled=True).order_by("visit__sequence").first()
    if labs is not None:
        data = dict(labs.data)
        data["lab_platelets_g_l"] = data["lab_platelets_g_l"] + rng.choice([-20, -10, 10, 20])
        save_form(investigator, subject, labs.visit, "labs", data, reason=LAB_REASON)
        changed += 1
    dlqi = records.filter(form_id="dlqi").order_by("visit__sequence").first()
    if dlqi is not None:
        data = dict(dlqi.data)
        data["dlqi_q1"] = (data["dlqi_q1"] + 1) % 4
        save_form(investigator, subject, dlqi.visit, "dlqi", data, reason=DLQI_REASON)
        changed += 1
    return changed
