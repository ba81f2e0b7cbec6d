"""What the subject page shows about randomization: the context of `allocation/subject_panel.html`."""

from __future__ import annotations

from typing import Any

from equipoise.allocation.blinding import needs_emergency_unblinding, visible_arm
from equipoise.allocation.models import Allocation, RandomizationList
from equipoise.records.access import Rights
from equipoise.records.models import Subject, SubjectStatus
from equipoise.records.permissions import Do, may
from equipoise.records.requests import SignedInRequest


def subject_panel(request: SignedInRequest, subject: Subject, rights: Rights) -> dict[str, Any]:
    """The allocation (arm only when the blinding policy allows) and the buttons this user may use."""
    allocation = Allocation.objects.filter(subject=subject).first()
    arm = None
    if allocation is not None:
        arm = visible_arm(rights, allocation.arm, subject_id=subject.pk, user_id=request.user.pk)
    investigator = may(rights, Do.RANDOMIZE) and not rights.blinded
    return {
        "subject": subject,
        "allocation": allocation,
        "arm": arm,
        "arm_hidden": allocation is not None and arm is None,
        "can_randomize": (allocation is None and investigator and subject.status == SubjectStatus.SCREENING
                          and RandomizationList.objects.filter(active=True).exists()),
        "can_unblind": (allocation is not None and may(rights, Do.EMERGENCY_UNBLIND)
                        and needs_emergency_unblinding(rights)),
    }
