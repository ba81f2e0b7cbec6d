"""Keep a list of each user's sessions (Django's session table does not say whose a session is),
and note at sign-in whether the session still owes its second factor."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.utils import timezone
from django_otp import user_has_device

from equipoise.people.models import UserSession

# Session keys: the session must still show a code from the user's app, or enrol one.
SECOND_FACTOR_OWED = "equipoise_second_factor_owed"
ENROLMENT_OWED = "equipoise_enrolment_owed"


@receiver(user_logged_in)
def track_login(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    if user_has_device(user, confirmed=True):
        request.session[SECOND_FACTOR_OWED] = True
    elif settings.REQUIRE_SECOND_FACTOR:
        request.session[ENROLMENT_OWED] = True
    if request.session.session_key is None:
        request.session.save()
    UserSession.objects.update_or_create(session_key=request.session.session_key, defaults={
        "user": user, "started_at": timezone.now(),
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
        "ip_address": request.META.get("REMOTE_ADDR") or None,
    })


@receiver(user_logged_out)
def track_logout(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session") and request.session.session_key:
        UserSession.objects.filter(session_key=request.session.session_key).delete()
