"""The investigator signs a visit's forms or the casebook, re-entering password and second factor."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from equipoise.people.actions.signatures import sign
from equipoise.people.models import SignatureMeaning
from equipoise.people.reauth import needs_code
from equipoise.people.signed_content import content_of
from equipoise.records.access import actor_for, subject_access
from equipoise.records.actions.errors import ActionRefused
from equipoise.records.permissions import Do, may
from equipoise.records.protocol_versions import current_version, protocol_of
from equipoise.records.requests import SignedInRequest
from equipoise.records.roles import Role


@never_cache
def sign_page(request: SignedInRequest, code: str) -> HttpResponse:
    subject, rights = subject_access(request.user, code, request_id=request.request_id)
    visit = None
    visit_key = request.GET.get("visit") or request.POST.get("visit")
    if visit_key:
        visit = subject.visits.filter(pk=visit_key).first() if visit_key.isdigit() else None
        if visit is None:
            raise Http404("no such visit")
    # The signer signs as investigator when they hold the role here; otherwise the action refuses.
    actor = actor_for(request.user, rights, subject.site, request.request_id)
    is_investigator = may(rights, Do.SIGN_RECORDS)  # the table the action asks too
    if is_investigator:
        actor = type(actor)(user=actor.user, role=Role.INVESTIGATOR.value, site_code=actor.site_code,
                            request_id=actor.request_id)
    content = content_of(subject, visit)
    context = {"subject": subject, "visit": visit, "records": content["records"] if is_investigator else [],
               "is_investigator": is_investigator, "refusal": None,
               "meaning": SignatureMeaning.ACCURATE_COMPLETE, "asks_code": needs_code(request.user),
               "protocol": protocol_of(current_version(subject.protocol_id))}
    if request.method == "POST":
        try:
            sign(actor, subject, visit, request.POST.get("password", ""), request.POST.get("otp_code", ""),
                 request.POST.get("meaning", ""), request)
        except ActionRefused as exc:
            context["refusal"] = exc
            return render(request, "people/sign.html", context, status=exc.status)
        messages.success(request, _("Signed."))
        return redirect(reverse("subject", args=[subject.code]))
    return render(request, "people/sign.html", context)
