"""The blinding policy: the one place that decides who may see a subject's arm.

NCT06965244 blinds the outcome assessor only (the physician who scores CLASI). So:

- a user holding a blinded role (`Rights.blinded`, i.e. the blinded assessor, even if they hold
  another role too) never sees the arm;
- every other role may see it;
- an emergency unblinding is the single exception: the unblinding action hands back an
  `EmergencyDisclosure` for that user and that subject, which exists only in the response that
  performed the unblinding (it is never stored), so the arm shows once, to the requester only.

The same holds one level up, for whole forms: a blinded user opens only the forms the protocol
marks `blinded_assessor` (the assessor's own scoring forms); the others (treatment, labs,
dispensing, ...) could give the arm away, so for a blinded user they do not exist.

Pages, API responses, exports and reports ask `may_see_arm` / `visible_arm` for arms and
`may_open_form` / `open_forms` for forms; none of them decides on its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from equipoise.protocol.schema import Form
from equipoise.records.access import Rights

HIDDEN = "blinded"


@dataclass(frozen=True)
class EmergencyDisclosure:
    """Proof, for one response, that `user_id` just unblinded `subject_id` (see `unblinding`)."""

    subject_id: int
    user_id: int
    arm: str


def may_see_arm(rights: Rights) -> bool:
    """Whether a holder of `rights` may see arms (of the subjects `rights` were computed for)."""
    return not rights.blinded


def visible_arm(
    rights: Rights,
    arm: str,
    *,
    subject_id: int,
    user_id: int,
    disclosure: EmergencyDisclosure | None = None,
) -> str | None:
    """The arm to show, or None when the policy hides it from this user."""
    if may_see_arm(rights):
        return arm
    if disclosure is not None and disclosure.subject_id == subject_id and disclosure.user_id == user_id:
        return disclosure.arm
    return None


def needs_emergency_unblinding(rights: Rights) -> bool:
    """Only a blinded user has anything to unblind; the others already see the arm."""
    return rights.blinded


def may_open_form(rights: Rights, form: Form) -> bool:
    """Whether a holder of `rights` may see, enter or query `form` at all."""
    return may_see_arm(rights) or form.blinded_assessor


def open_forms(rights: Rights, forms: Iterable[Form]) -> list[Form]:
    """The forms of `forms` a holder of `rights` may open, in their order."""
    return [form for form in forms if may_open_form(rights, form)]
