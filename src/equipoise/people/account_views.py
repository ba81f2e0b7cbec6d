"""Pages of one's own account: second factor, password, sessions; and the public pages that an
invitation or a forgotten-password email link to."""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from equipoise.people.actions import accounts, sessions, two_factor
from equipoise.people.languages import language_name, language_of
from equipoise.people.session_tracking import ENROLMENT_OWED, SECOND_FACTOR_OWED
from equipoise.records.actions.errors import ActionRefused
from equipoise.records.requests import IdentifiedRequest, SignedInRequest


def _next(request: HttpRequest) -> str:
    home = resolve_url(settings.LOGIN_REDIRECT_URL)
    target = request.POST.get("next") or request.GET.get("next") or home
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return home


def qr_svg(device: TOTPDevice) -> str:
    """The enrolment QR code, inline SVG (no image request, nothing leaves the page)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#1d2433", light="#ffffff")


def _secret_text(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing into an app by hand."""
    import base64

    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


def _enrolment_context(device: TOTPDevice) -> dict:
    return {"qr": qr_svg(device), "secret": _secret_text(device)}


@never_cache
def account(request: SignedInRequest) -> HttpResponse:
    return render(request, "people/account.html", {
        "has_second_factor": two_factor.has_second_factor(request.user),
        "sessions": sessions.active_sessions(request.user),
        "current_key": request.session.session_key,
        "language": language_of(request.user), "languages": settings.LANGUAGES,
    })


@require_POST
def change_language(request: SignedInRequest) -> HttpResponse:
    actor = two_factor.self_actor(request.user, request.request_id)
    try:
        accounts.change_language(actor, request.user.get_username(), request.POST.get("language", ""))
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The emails sent to you will be written in %(language)s.")
                         % {"language": language_name(request.POST["language"])})
    return redirect(reverse("account"))


@never_cache
def enrol_second_factor(request: SignedInRequest) -> HttpResponse:
    actor = two_factor.self_actor(request.user, request.request_id)
    device = two_factor.pending_totp(actor)
    context = {**_enrolment_context(device), "next": _next(request), "refusal": None, "codes": None}
    if request.method == "POST":
        try:
            context["codes"] = two_factor.confirm_totp(actor, device, request.POST.get("otp_code", ""))
        except ActionRefused as exc:
            context["refusal"] = exc
            return render(request, "people/enrol.html", context, status=exc.status)
        otp_login(request, device)
        request.session.pop(ENROLMENT_OWED, None)
        request.session[SECOND_FACTOR_OWED] = True
        messages.success(request, _("Your authenticator app is set up."))
        return render(request, "people/recovery_codes.html", context)
    return render(request, "people/enrol.html", context)


@never_cache
def second_factor(request: SignedInRequest) -> HttpResponse:
    context: dict[str, Any] = {"next": _next(request), "refusal": None}
    if request.method == "POST":
        actor = two_factor.self_actor(request.user, request.request_id)
        try:
            device = two_factor.check_second_factor(actor, request.POST.get("otp_code", ""))
        except ActionRefused as exc:
            context["refusal"] = exc
            return render(request, "people/second_factor.html", context, status=exc.status)
        otp_login(request, device)
        return redirect(context["next"])
    return render(request, "people/second_factor.html", context)


@require_POST
def recovery_codes(request: SignedInRequest) -> HttpResponse:
    actor = two_factor.self_actor(request.user, request.request_id)
    try:
        codes = two_factor.new_recovery_codes(actor)
    except ActionRefused as exc:
        messages.error(request, exc.message)
        return redirect(reverse("account"))
    return render(request, "people/recovery_codes.html", {"codes": codes, "next": reverse("account")})


@never_cache
def change_password(request: SignedInRequest) -> HttpResponse:
    context: dict = {"refusal": None}
    if request.method == "POST":
        try:
            accounts.change_password(request.user, request.POST.get("current", ""), request.POST.get("new", ""),
                                     request.POST.get("again", ""), request.request_id)
        except ActionRefused as exc:
            context["refusal"] = exc
            return render(request, "people/password_change.html", context, status=exc.status)
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password was changed."))
        return redirect(reverse("account"))
    return render(request, "people/password_change.html", context)


@require_POST
def end_session(request: SignedInRequest, session_id: int) -> HttpResponse:
    actor = two_factor.self_actor(request.user, request.request_id)
    try:
        sessions.end_session(actor, request.user, session_id)
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The session was ended."))
    return redirect(reverse("account"))


@login_not_required
@never_cache
def accept_invitation(request: IdentifiedRequest, token: str) -> HttpResponse:
    try:
        invitation = accounts.open_invitation(token, request.request_id)
    except ActionRefused as exc:
        return render(request, "people/invitation_refused.html", {"refusal": exc}, status=exc.status)
    user = invitation.user
    actor = two_factor.self_actor(user, request.request_id)
    device = two_factor.pending_totp(actor)
    context = {**_enrolment_context(device), "invited": user, "refusal": None, "codes": None}
    if request.method == "POST":
        try:
            user, codes = accounts.accept_invitation(
                token, request.POST.get("password", ""), request.POST.get("again", ""),
                lambda who: two_factor.confirm_totp(who, device, request.POST.get("otp_code", "")),
                request.request_id)
        except ActionRefused as exc:
            context["refusal"] = exc
            return render(request, "people/invitation.html", context, status=exc.status)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        otp_login(request, device)
        context.update(codes=codes, next=resolve_url(settings.LOGIN_REDIRECT_URL))
        messages.success(request, _("Your account is ready."))
        return render(request, "people/recovery_codes.html", context)
    return render(request, "people/invitation.html", context)


@login_not_required
@never_cache
def password_reset_request(request: IdentifiedRequest) -> HttpResponse:
    if request.method == "POST":
        accounts.request_password_reset(
            request.POST.get("email", ""),
            lambda uid, token: request.build_absolute_uri(reverse("password-reset-confirm", args=[uid, token])),
            request.request_id)
        messages.success(request, _("If an active account uses this address, a link to choose a new password "
                                    "has been sent to it."))
        return redirect(reverse("login"))
    return render(request, "people/password_reset_request.html")


@login_not_required
@never_cache
def password_reset_confirm(request: IdentifiedRequest, uidb64: str, token: str) -> HttpResponse:
    try:
        accounts.reset_user(uidb64, token, request.request_id)
    except ActionRefused as exc:
        return render(request, "people/invitation_refused.html", {"refusal": exc}, status=exc.status)
    context: dict = {"refusal": None}
    if request.method == "POST":
        try:
            accounts.reset_password(uidb64, token, request.POST.get("new", ""), request.POST.get("again", ""),
                                    request.request_id)
        except ActionRefused as exc:
            context["refusal"] = exc
            return render(request, "people/password_reset_confirm.html", context, status=exc.status)
        messages.success(request, _("Your password was changed. Sign in with it."))
        return redirect(reverse("login"))
    return render(request, "people/password_reset_confirm.html", context)
