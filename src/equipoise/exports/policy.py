"""Who may take which export: one rule, on top of the one blinding policy.

- The exports are for the data manager, the monitor, the statistician and the sponsor
  administrator; anyone else (site staff, the blinded assessor) is refused.
- Arms come masked (no arm variable, no EX, no causality naming a drug) to every export role.
- Actual arms (DM arm, EX, causality to the arm's auxiliary drug) and the coded arms of the DSMB
  open session (A/B: groups without the drug) only to a user the blinding policy
  (`allocation.blinding.may_see_arm`) lets see arms: a user who also holds a blinded role is
  refused them, as everywhere else.
- A user kept from arms gets, in every export, only the forms the blinding policy lets them open
  (`allocation.blinding.open_forms`), and none of the domains that reveal the arm by inference
  (adverse events, labs, steroid doses, disposition reasons): `datasets_export.BLINDED_DOMAINS`.

`export_rights` is Django-free apart from the roles it is given; `export_actor` is the one helper
the command line and the download page call.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User

from equipoise.allocation.blinding import may_see_arm
from equipoise.interchange.sdtm import ArmMode
from equipoise.records.access import Rights, all_roles
from equipoise.records.actor import Actor
from equipoise.records.roles import Role

EXPORT_ROLES = (Role.DATA_MANAGER, Role.MONITOR, Role.STATISTICIAN, Role.SPONSOR_ADMIN)


class ExportRefused(Exception):
    """The user may not take this export; the message says why, in plain words."""


@dataclass(frozen=True)
class ExportRights:
    role: Role | None  # the export role they act as in the audit trail; None: no export at all
    rights: Rights  # every role they hold, for the blinding policy

    @property
    def may_see_arm(self) -> bool:
        return may_see_arm(self.rights)

    @property
    def allowed(self) -> bool:
        return self.role is not None

    @property
    def arm_modes(self) -> frozenset[ArmMode]:
        if not self.allowed:
            return frozenset()
        if self.may_see_arm:
            return frozenset(ArmMode)
        return frozenset({ArmMode.MASKED})


def export_rights(roles: frozenset[Role]) -> ExportRights:
    role = next((r for r in EXPORT_ROLES if r in roles), None)
    return ExportRights(role=role, rights=Rights(roles))


def export_actor(user: User, mode: ArmMode = ArmMode.MASKED, *, request_id: str = ""
                 ) -> tuple[ExportRights, Actor]:
    """The user's export rights and audit actor; `ExportRefused` if this export is not theirs."""
    rights = export_rights(all_roles(user))
    if rights.role is None:
        raise ExportRefused("exports are for the data manager, the monitor, the statistician and the sponsor")
    if mode not in rights.arm_modes:
        raise ExportRefused(f"arms {mode.value} refused: {user.get_username()} holds a blinded role and may not "
                            "see arms, directly or coded")
    return rights, Actor(user=user, role=rights.role.value, site_code="", request_id=request_id)
