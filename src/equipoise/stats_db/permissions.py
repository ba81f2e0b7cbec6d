"""Who may see which statistics: one rule, on top of the one blinding policy.

- The open (arm-pooled) analyses - recruitment, pooled CONSORT and Table 1, the DSMB open part -
  are for the statistician and the sponsor administrator.
- Anything split by arm - the statistician's report, the by-arm CONSORT and Table 1, the DSMB
  closed part, the analysis dataset (it holds each subject's arm) - is for the statistician
  alone, and only if `allocation.blinding.may_see_arm` agrees: a statistician who also holds a
  blinded role sees no arm, like any blinded user.
- Everyone else (investigators, pharmacists, the blinded assessor, data manager, monitor) is
  refused: 403. The sponsor administrator asking for an arm-level document is refused too.

`stats_rights` is Django-free (roles in, rights out); `stats_access` is the one helper every
statistics view opens with.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied

from equipoise.allocation.blinding import may_see_arm
from equipoise.records.access import Rights, all_roles
from equipoise.records.actor import Actor
from equipoise.records.roles import Role

OPEN_ROLES = frozenset({Role.STATISTICIAN, Role.SPONSOR_ADMIN})


@dataclass(frozen=True)
class StatsRights:
    """What a user may see among the statistics; `role` is the one they act as in the audit trail."""

    open: bool
    arm_level: bool
    role: Role | None


def stats_rights(roles: frozenset[Role]) -> StatsRights:
    """Decide from the roles alone (see the module docstring)."""
    unblinded = may_see_arm(Rights(roles))
    arm_level = unblinded and Role.STATISTICIAN in roles
    opened = bool(roles & OPEN_ROLES)
    role = Role.STATISTICIAN if Role.STATISTICIAN in roles else (Role.SPONSOR_ADMIN if opened else None)
    return StatsRights(open=opened, arm_level=arm_level, role=role)


def stats_access(user: User, *, arm_level: bool = False, request_id: str = "") -> tuple[StatsRights, Actor]:
    """The caller's statistics rights and audit actor; 403 when the document is not theirs to see."""
    rights = stats_rights(all_roles(user))
    if not rights.open:
        raise PermissionDenied("the statistics pages are for the statistician and the sponsor administrator")
    if arm_level and not rights.arm_level:
        raise PermissionDenied("results by arm are for the unblinded statistician only")
    role = rights.role.value if rights.role is not None else ""
    return rights, Actor(user=user, role=role, site_code="", request_id=request_id)
