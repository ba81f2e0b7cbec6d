"""Template context shared by every page: the roles the signed-in user holds, for the navigation,
the trials with a public page (a function: listed only by the templates that ask), and the model
choices classes, so templates compare states through them (`record.state == FormState.DRAFT`)."""

from __future__ import annotations

from django.http import HttpRequest

from equipoise.records.access import all_roles
from equipoise.records.models import FormState, QueryStatus, SiteRecruitment, SubjectStatus
from equipoise.treatment.models import FollowUpStatus, PregnancyReportStatus
from equipoise.web.public import public_protocol_ids


def roles(request: HttpRequest) -> dict[str, frozenset[str]]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_roles": frozenset()}
    return {"my_roles": frozenset(r.value for r in all_roles(user))}


def public_trials(request: HttpRequest) -> dict[str, object]:
    return {"public_trials": public_protocol_ids}


CHOICES: dict[str, object] = {"FormState": FormState, "QueryStatus": QueryStatus, "SubjectStatus": SubjectStatus,
                              "SiteRecruitment": SiteRecruitment, "FollowUpStatus": FollowUpStatus,
                              "PregnancyReportStatus": PregnancyReportStatus}


def choices(request: HttpRequest) -> dict[str, object]:
    return CHOICES
