"""The sponsor administrator's pages: sites and accounts. Every change goes through an action."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from equipoise.people.actions import accounts, sessions, sites, two_factor
from equipoise.people.authority import admin_actor, is_sponsor_admin
from equipoise.people.languages import language_name, language_of
from equipoise.people.models import Invitation
from equipoise.records.actions.errors import ActionRefused
from equipoise.records.actor import Actor
from equipoise.records.audit import record_event
from equipoise.records.audit_actions import AuditAction
from equipoise.records.models import Membership, Site, SiteRecruitment
from equipoise.records.requests import SignedInRequest
from equipoise.records.roles import LABELS, Role


def _admin(request: SignedInRequest, attempted: AuditAction | None = None) -> Actor:
    """The sponsor administrator acting; anyone else is refused (and, for a change, audited)."""
    try:
        return admin_actor(request.user, request.request_id)
    except ActionRefused as exc:
        if attempted is not None:
            with transaction.atomic():
                record_event(two_factor.self_actor(request.user, request.request_id), attempted.refused(),
                             "user", request.user.get_username(), site_code="",
                             reason="not the sponsor administrator")
        raise PermissionDenied(exc.message) from None


def role_choices() -> list[tuple[str, str]]:
    from django.utils.translation import get_language

    french = (get_language() or "fr").startswith("fr")
    return [(r.value, LABELS[r][1] if french else LABELS[r][0]) for r in Role]


def site_list(request: SignedInRequest) -> HttpResponse:
    _admin(request, AuditAction.SITE_CREATE if request.method == "POST" else None)
    context: dict = {"sites": Site.objects.order_by("code"), "refusal": None, "values": {}}
    if request.method == "POST":
        actor = _admin(request, AuditAction.SITE_CREATE)
        values = {k: request.POST.get(k, "") for k in ("code", "name", "city", "principal_investigator")}
        try:
            site = sites.add_site(actor, **values)
        except ActionRefused as exc:
            context.update(refusal=exc, values=values)
            return render(request, "people/sites.html", context, status=exc.status)
        messages.success(request, _("Site %(code)s added; open it for recruitment when it is ready.")
                         % {"code": site.code})
        return redirect(reverse("admin-sites"))
    return render(request, "people/sites.html", context)


@require_POST
def site_recruitment(request: SignedInRequest, code: str, change: str) -> HttpResponse:
    actor = _admin(request, {"open": AuditAction.SITE_OPEN, "close": AuditAction.SITE_CLOSE}.get(change))
    action = {"open": sites.open_site, "close": sites.close_site}.get(change)
    if action is None:
        raise PermissionDenied("unknown change")
    try:
        site = action(actor, code, request.POST.get("reason", ""))
    except ActionRefused as exc:
        # Nothing changed: the list comes back with the refusal on that site's row and the reason kept.
        return render(request, "people/sites.html", {
            "sites": Site.objects.order_by("code"), "refusal": None, "values": {},
            "refused": {"code": code, "change": change, "message": exc.message,
                        "reason": request.POST.get("reason", "")}}, status=exc.status)
    messages.success(request, _("Site %(code)s: %(state)s.") % {
        "code": site.code, "state": SiteRecruitment(site.recruitment).label})
    return redirect(reverse("admin-sites"))


def _link_for(request: SignedInRequest):
    return lambda token: request.build_absolute_uri(reverse("invitation", args=[token]))


def user_list(request: SignedInRequest) -> HttpResponse:
    _admin(request, AuditAction.USER_INVITE if request.method == "POST" else None)
    User = get_user_model()
    users = User.objects.order_by("username").prefetch_related("memberships__site")
    context: dict = {"page": Paginator(users, 50).get_page(request.GET.get("page")), "refusal": None,
                     "values": {"language": settings.LANGUAGE_CODE}, "roles": role_choices(),
                     "languages": settings.LANGUAGES, "sites": Site.objects.order_by("code")}
    if request.method == "POST":
        actor = _admin(request, AuditAction.USER_INVITE)
        values = {k: request.POST.get(k, "")
                  for k in ("username", "email", "first_name", "last_name", "role", "site", "language")}
        try:
            user, _link = accounts.invite(actor, values["username"], values["email"], values["first_name"],
                                          values["last_name"], [(values["role"], values["site"] or None)],
                                          _link_for(request), language=values["language"] or None)
        except ActionRefused as exc:
            context.update(refusal=exc, values=values)
            return render(request, "people/users.html", context, status=exc.status)
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": user.email})
        return redirect(reverse("admin-user", args=[user.get_username()]))
    return render(request, "people/users.html", context)


def user_detail(request: SignedInRequest, username: str) -> HttpResponse:
    _admin(request)
    return _user_page(request, get_object_or_404(get_user_model(), username=username))


def _user_page(request: SignedInRequest, person, refused: dict | None = None, status: int = 200) -> HttpResponse:
    """The account's page; after a refused change, that change's form shows the refusal and what was typed."""
    return render(request, "people/user_detail.html", {
        "person": person, "memberships": Membership.objects.filter(user=person).select_related("site"),
        "roles": role_choices(), "sites": Site.objects.order_by("code"),
        "pending": Invitation.objects.filter(user=person, used_at__isnull=True, withdrawn_at__isnull=True).first(),
        "has_second_factor": two_factor.has_second_factor(person),
        "sessions": sessions.active_sessions(person), "is_self": person.pk == request.user.pk,
        "language": language_of(person), "languages": settings.LANGUAGES,
        "refused": refused or {}, "values": (refused or {}).get("values", {}),
    }, status=status)


# What each change of an account on the page does, for the audit of an attempt by a non-administrator.
_USER_CHANGES = {
    "grant": AuditAction.ROLE_GRANT, "revoke": AuditAction.ROLE_REVOKE, "deactivate": AuditAction.USER_DEACTIVATE,
    "reactivate": AuditAction.USER_ACTIVATE, "reinvite": AuditAction.USER_REINVITE,
    "end-sessions": AuditAction.SESSION_END_ALL, "remove-second-factor": AuditAction.TWO_FACTOR_REMOVE,
    "language": AuditAction.USER_LANGUAGE,
}


@require_POST
def user_change(request: SignedInRequest, username: str, change: str) -> HttpResponse:
    actor = _admin(request, _USER_CHANGES.get(change))
    post = request.POST
    done = {
        "grant": (lambda: accounts.grant_role(actor, username, post.get("role", ""), post.get("site") or None),
                  _("Role granted.")),
        "revoke": (lambda: accounts.revoke_role(actor, username, post.get("role", ""), post.get("site") or None),
                   _("Role revoked.")),
        "deactivate": (lambda: accounts.deactivate(actor, username, post.get("reason", "")),
                       _("Account deactivated; its sessions and API tokens are ended.")),
        "reactivate": (lambda: accounts.reactivate(actor, username, post.get("reason", "")),
                       _("Account reactivated.")),
        "reinvite": (lambda: accounts.reinvite(actor, username, _link_for(request)), _("A new invitation was sent.")),
        "end-sessions": (lambda: sessions.end_all_sessions_and_tokens(
            actor, get_object_or_404(get_user_model(), username=username), reason=post.get("reason", "")
            or "ended by the sponsor administrator"), _("All sessions and API tokens of the account are ended.")),
        "language": (lambda: accounts.change_language(actor, username, post.get("language", "")),
                     _("The emails to this person will be written in %(language)s.")
                     % {"language": language_name(post.get("language", ""))}),
        "remove-second-factor": (lambda: two_factor.remove_second_factor(
            actor, get_object_or_404(get_user_model(), username=username), post.get("reason", "")),
            _("The second factor was removed; the person sets up a new one at next sign-in.")),
    }.get(change)
    if done is None:
        raise PermissionDenied("unknown change")
    try:
        done[0]()
    except ActionRefused as exc:
        # Nothing changed: the page comes back with the refusal beside the form and the answers kept.
        person = get_object_or_404(get_user_model(), username=username)
        refused = {"change": change, "message": exc.message, "values": post.dict()}
        return _user_page(request, person, refused, status=exc.status)
    messages.success(request, done[1])
    return redirect(reverse("admin-user", args=[username]))


def can_administer(request: HttpRequest) -> bool:
    return request.user.is_authenticated and is_sponsor_admin(request.user)
