"""The pregnancy tests due are decided once per change that can move them, then reused.

Deciding reads every woman's whole test history; saves of other forms (labs, CLASI...) cannot
change the answer and do not make the worklist or the home page decide again, while a pregnancy
test, a dispensing or any other change does.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from equipoise.records.actions.forms import save_form
from equipoise.records.models import Subject
from equipoise.treatment import site_worklist
from equipoise.treatment.actions.counselling import record_contraception
from equipoise.treatment.actions.dispensing import dispense
from equipoise.treatment.actions.prescribing import prescribe
from equipoise.treatment.facts import subject_protocol

from .conftest import today


def test_other_forms_do_not_decide_again_a_pregnancy_test_does(randomized, inv_a, pharm_a, record_pregnancy_test,
                                                               monkeypatch):
    woman = randomized("lenalidomide", "female", True, days_ago=30)
    start = today() - dt.timedelta(days=30)
    record_contraception(inv_a, woman, "implant", start - dt.timedelta(days=60), True)
    record_pregnancy_test(woman, timezone.now() - dt.timedelta(days=31))
    dispense(pharm_a, prescribe(inv_a, woman, prescribed_on=start, days=28, now=timezone.now()), start)
    decided = []
    original = site_worklist._pregnancy_tests_due
    monkeypatch.setattr(site_worklist, "_pregnancy_tests_due",
                        lambda *args: decided.append(1) or original(*args))
    subjects, protocol = Subject.objects.filter(site=woman.site), subject_protocol(woman)

    def due() -> list[str]:
        return [s.code for s, _ in site_worklist.pregnancy_tests_due(subjects, protocol, today())]

    assert due() == [woman.code] and len(decided) == 1
    assert due() == [woman.code] and len(decided) == 1  # nothing changed: reused
    save_form(inv_a, woman, woman.visits.get(visit_id="W4"), "steroid_dose", {"prednisone_equivalent_mg_day": 5})
    assert due() == [woman.code] and len(decided) == 1  # another form: cannot move the calendar
    record_pregnancy_test(woman, timezone.now() - dt.timedelta(hours=1), visit_id="W4")
    assert due() == [] and len(decided) == 2  # the test taken: decided again, no longer due
    assert site_worklist.pregnancy_tests_due(subjects, protocol, today() + dt.timedelta(days=1)) is not None
    assert len(decided) == 3  # another day: decided again
