"""The audit action names: one enum, no value named twice, and the refused form of an attempt."""

from __future__ import annotations

import pytest
from django.utils import translation

from equipoise.records.audit_actions import AuditAction
from equipoise.records.code_labels import AUDIT_ACTIONS, action_choices, action_label


def test_no_action_name_is_an_alias_of_another():
    assert len(AuditAction.__members__) == len(AuditAction)


@pytest.mark.parametrize("attempted", [
    AuditAction.SITE_CREATE, AuditAction.SITE_OPEN, AuditAction.SITE_CLOSE, AuditAction.USER_INVITE,
    AuditAction.USER_REINVITE, AuditAction.USER_DEACTIVATE, AuditAction.USER_ACTIVATE, AuditAction.ROLE_GRANT,
    AuditAction.ROLE_REVOKE, AuditAction.SESSION_END_ALL, AuditAction.TWO_FACTOR_REMOVE,
])
def test_every_administrative_change_has_its_refused_event(attempted):
    assert attempted.refused() == f"{attempted.value}_refused"


def test_an_action_with_no_refused_event_is_an_error():
    with pytest.raises(ValueError):
        AuditAction.FORM_SAVE.refused()


def test_every_action_has_a_plain_label_in_english_and_in_french():
    assert set(AUDIT_ACTIONS) == set(AuditAction)
    with translation.override("en"):
        english = {a: action_label(a.value) for a in AuditAction}
    with translation.override("fr"):
        french = {a: action_label(a.value) for a in AuditAction}
    assert all(english[a] != a.value and french[a] != english[a] for a in AuditAction)
    assert len(set(english.values())) == len(set(french.values())) == len(AuditAction)
    assert french[AuditAction.ADVERSE_EVENT_REPORT] == "Événement indésirable déclaré"
    assert english[AuditAction.ADVERSE_EVENT_REPORT] == "Adverse event reported"


def test_the_filter_offers_every_action_by_its_code_in_label_order():
    with translation.override("fr"):
        choices = action_choices()
    assert {code for code, _ in choices} == {a.value for a in AuditAction}
    assert choices.index(("adverse_event.report", "Événement indésirable déclaré")) < choices.index(
        ("form.save", "Formulaire enregistré"))


def test_a_name_that_is_not_an_action_is_shown_as_it_is():
    assert action_label("no.such_action") == "no.such_action"
