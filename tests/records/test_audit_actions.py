"""The audit action names: one enum, no value named twice, and the refused form of an attempt."""

from __future__ import annotations

import pytest

from equipoise.records.audit_actions import AuditAction


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
