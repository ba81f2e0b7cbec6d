"""What the subject page shows about treatment: the context of `treatment/subject_panel.html`.

The visit calendar is arm-neutral and shown to everyone who may open the subject. The treatment
summary (drug in use, hold or stop, the last lab alert's instruction) and the links to the
treatment and safety pages name the arm, so they are given only when the blinding policy lets
this user see arms; a blinded user gets the arm-neutral lab findings (`blinded_view`) at most.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from equipoise.allocation.blinding import may_see_arm
from equipoise.records.access import Rights
from equipoise.records.models import Subject
from equipoise.records.requests import SignedInRequest
from equipoise.treatment.clocks import open_pregnancy_reports
from equipoise.treatment.facts import drug_state
from equipoise.treatment.lab_alerts import subject_lab_alerts
from equipoise.treatment.worklist import pregnancy_status, subject_calendar
from equipoise.visits.localtime import trial_date


def subject_panel(request: SignedInRequest, subject: Subject, rights: Rights) -> dict[str, Any]:
    today = trial_date(timezone.now())
    lang = get_language() or "fr"
    unblinded = may_see_arm(rights)
    alerts = subject_lab_alerts(subject, rights)[:1]  # full alerts or blinded findings, per the policy
    return {
        "subject": subject,
        "lang": lang,
        "today": today,
        "calendar": subject_calendar(subject, today, lang),
        "lab_alerts": alerts,
        "unblinded": unblinded,
        "drug_state": drug_state(subject, today) if unblinded else None,
        "pregnancy": pregnancy_status(subject, today),
        "pregnancy_reports": open_pregnancy_reports(timezone.now(), subject_id=subject.pk) if unblinded else [],
    }


def render_subject_panel(request: SignedInRequest, subject: Subject, rights: Rights) -> SafeString:
    """The panel as HTML, for the subject page's `{% block subject_extra %}` (`{{ treatment_panel }}`)."""
    return render_to_string("treatment/subject_panel.html", subject_panel(request, subject, rights), request)
