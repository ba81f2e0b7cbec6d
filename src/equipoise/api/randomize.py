"""API route of the randomization: POST /subjects/{code}/randomize (mounted under /api/v1).

201 with the new allocation, 200 with the existing one (randomizing twice is harmless), 422 with
the reasons when the subject is not consented or not eligible, 403 for a role that does not
randomize, 404 for a subject of another site, 409 when the stratum's list is exhausted. The arm is
in the body only when the blinding policy lets the caller see it (otherwise null).

`build_router()` makes a fresh router, because a ninja router can be attached to one API only
(the project's API takes `router`; tests may build their own).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Router, Schema, Status

from equipoise.allocation.actions.randomize import randomize_subject
from equipoise.allocation.blinding import visible_arm
from equipoise.allocation.models import Allocation
from equipoise.api.requests import ApiRequest
from equipoise.api.schemas import WRITE_ERRORS, ErrorOut
from equipoise.records.access import Rights, actor_for, subject_access


class AllocationOut(Schema):
    subject: str = Field(description="subject code")
    randomization_number: str = Field(description="e.g. R-TNN-0001")
    stratum: str
    allocated_at: dt.datetime
    arm: str | None = Field(description="the arm id, or null when the caller is blinded")
    created: bool = Field(description="true when this call made the allocation")


ERRORS: dict[int, type[Schema]] = {**WRITE_ERRORS, 422: ErrorOut}


def allocation_out(allocation: Allocation, rights: Rights, user_id: int, created: bool) -> dict[str, Any]:
    return {
        "subject": allocation.subject.code,
        "randomization_number": allocation.number,
        "stratum": allocation.stratum,
        "allocated_at": allocation.allocated_at,
        "arm": visible_arm(rights, allocation.arm, subject_id=allocation.subject_id, user_id=user_id),
        "created": created,
    }


def build_router() -> Router:
    router = Router(tags=["randomization"])

    @router.post("/subjects/{code}/randomize", response={201: AllocationOut, 200: AllocationOut, **ERRORS})
    def randomize(request: ApiRequest, code: str) -> Any:
        """Randomize an eligible, consented subject (investigators of the subject's site)."""
        request_id = getattr(request, "request_id", "")
        subject, rights = subject_access(request.auth, code, write=True, request_id=request_id)
        allocation, created = randomize_subject(actor_for(request.auth, rights, subject.site, request_id), subject)
        body = allocation_out(allocation, rights, request.auth.pk, created)
        return Status(201 if created else 200, body)

    return router


router = build_router()
