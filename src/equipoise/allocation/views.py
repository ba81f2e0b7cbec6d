"""Pages: randomize (investigators), emergency unblinding (blinded users), and the statistician's
list usage, concealed list and balance pages. Subject pages start with `records.access.subject_access`;
statistician pages with `statistician_only`. Every arm shown goes through `blinding`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from equipoise.allocation.actions.lists import record_list_view
from equipoise.allocation.actions.randomize import randomize_subject
from equipoise.allocation.actions.unblinding import emergency_unblind
from equipoise.allocation.blinding import may_see_arm, needs_emergency_unblinding, visible_arm
from equipoise.allocation.models import ListSlot, RandomizationList, UnblindingEvent
from equipoise.allocation.usage import balance, list_usage
from equipoise.people.reauth import needs_code
from equipoise.records.access import Rights, actor_for, all_roles, subject_access
from equipoise.records.actions.errors import ActionRefused
from equipoise.records.actor import Actor
from equipoise.records.confirmation import confirmed
from equipoise.records.loaded_protocols import chosen_protocol_id
from equipoise.records.permissions import Do, may
from equipoise.records.protocol_versions import current_version, protocol_of
from equipoise.records.requests import SignedInRequest
from equipoise.records.roles import Role


def arm_labels(protocol_id: str) -> dict[str, str]:
    protocol = protocol_of(current_version(protocol_id))
    lang = get_language() or "fr"
    return {arm.id: arm.label.get(lang) for arm in protocol.arms}


@require_POST
def randomize(request: SignedInRequest, code: str) -> HttpResponse:
    subject, rights = subject_access(request.user, code, write=True, request_id=request.request_id)
    if not confirmed(request.POST):
        messages.error(request, gettext("Nothing was done: tick the box to confirm the randomization."))
        return redirect("subject", code=subject.code)
    actor = actor_for(request.user, rights, subject.site, request.request_id)
    try:
        allocation, created = randomize_subject(actor, subject)
    except ActionRefused as exc:
        return render(request, "allocation/refused.html", {"subject": subject, "refusal": exc}, status=exc.status)
    if created:
        messages.success(request, gettext("%(code)s is randomized: randomization number %(number)s.")
                         % {"code": subject.code, "number": allocation.number})
    else:
        messages.info(request, gettext("%(code)s was already randomized: randomization number %(number)s.")
                      % {"code": subject.code, "number": allocation.number})
    return redirect("subject", code=subject.code)


@never_cache
@require_http_methods(["GET", "POST"])
def unblind(request: SignedInRequest, code: str) -> HttpResponse:
    subject, rights = subject_access(request.user, code, request_id=request.request_id)
    if not may(rights, Do.EMERGENCY_UNBLIND):
        raise PermissionDenied("emergency unblinding is for the treating investigator")
    if not needs_emergency_unblinding(rights):
        raise PermissionDenied("your role already sees the arm")
    context: dict = {"subject": subject, "refusal": None, "arm": None, "reason": "",
                     "asks_code": needs_code(request.user)}
    if request.method == "POST":
        actor = actor_for(request.user, rights, subject.site, request.request_id)
        context["reason"] = request.POST.get("reason", "")
        if not confirmed(request.POST):
            messages.error(request, gettext("Nothing was done: tick the box to confirm the unblinding."))
            return render(request, "allocation/unblind.html", context, status=400)
        try:
            _, disclosure = emergency_unblind(actor, rights, subject, context["reason"],
                                              request.POST.get("password", ""), request,
                                              otp_code=request.POST.get("otp_code", ""))
        except ActionRefused as exc:
            context["refusal"] = exc
            return render(request, "allocation/unblind.html", context, status=exc.status)
        arm = visible_arm(rights, disclosure.arm, subject_id=subject.pk, user_id=request.user.pk,
                          disclosure=disclosure)
        context["arm"] = arm_labels(subject.protocol_id).get(arm, arm) if arm else None
        messages.success(request, gettext("%(code)s is unblinded: the unblinding is recorded and the sponsor is told.")
                         % {"code": subject.code})
    return render(request, "allocation/unblind.html", context)


def statistician_only(request: SignedInRequest) -> Actor:
    """403 unless the user holds the statistician role: the list is concealed from everyone else."""
    roles = all_roles(request.user)
    if Role.STATISTICIAN not in roles or not may_see_arm(Rights(roles)):
        raise PermissionDenied("only the statistician reads the randomization list")
    return Actor(user=request.user, role=Role.STATISTICIAN.value, request_id=request.request_id)


def active_list(protocol_id: str) -> RandomizationList | None:
    return RandomizationList.objects.filter(active=True, protocol_version__protocol_id=protocol_id).first()


def list_status(request: SignedInRequest) -> HttpResponse:
    statistician_only(request)
    protocol_id = chosen_protocol_id(request.GET.get("protocol"))
    rlist = active_list(protocol_id)
    fraction = protocol_of(current_version(protocol_id)).randomization.low_list_warning_fraction
    usage = list_usage(rlist) if rlist else []
    rows = [{"u": u, "percent": round(100 * u.fraction), "low": u.low(fraction)} for u in usage]
    return render(request, "allocation/list_status.html", {
        "rlist": rlist, "rows": rows, "warning_percent": round(100 * fraction),
        "low_count": sum(1 for r in rows if r["low"]),
        "unblindings": UnblindingEvent.objects.select_related("subject", "requested_by").order_by("-at")[:50],
    })


@never_cache
def list_slots(request: SignedInRequest) -> HttpResponse:
    actor = statistician_only(request)
    protocol_id = chosen_protocol_id(request.GET.get("protocol"))
    rlist = active_list(protocol_id)
    slots = ListSlot.objects.filter(rlist=rlist).select_related("allocation") if rlist else ListSlot.objects.none()
    if rlist:
        record_list_view(actor, rlist)
    return render(request, "allocation/list_slots.html",
                  {"rlist": rlist, "slots": slots, "labels": arm_labels(protocol_id)})


def balance_page(request: SignedInRequest) -> HttpResponse:
    statistician_only(request)
    protocol_id = chosen_protocol_id(request.GET.get("protocol"))
    protocol = protocol_of(current_version(protocol_id))
    report = balance(protocol.randomization.ratio, protocol_id)
    return render(request, "allocation/balance.html", {"report": report, "labels": arm_labels(protocol_id)})
