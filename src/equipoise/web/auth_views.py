"""Login with lockout after repeated failures, and logout."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView, LogoutView
from django.utils import timezone
from django.utils.translation import gettext as _

from equipoise.records.actions.logins import (
    clear_login_failures,
    is_locked_out,
    record_login_failure,
)


class LockoutAuthenticationForm(AuthenticationForm):
    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        password = self.cleaned_data.get("password")
        now = timezone.now()
        if username and is_locked_out(username, now):
            raise forms.ValidationError(
                _("Too many failed logins: this account is locked for %(minutes)s minutes.")
                % {"minutes": settings.LOGIN_LOCKOUT_MINUTES},
                code="locked",
            )
        if username and password:
            self.user_cache = authenticate(self.request, username=username, password=password)
            if self.user_cache is None:
                record_login_failure(username, now, request_id=getattr(self.request, "request_id", ""))
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
            clear_login_failures(username, request_id=getattr(self.request, "request_id", ""))
        return self.cleaned_data


class EquipoiseLoginView(LoginView):
    template_name = "web/login.html"
    authentication_form = LockoutAuthenticationForm
    redirect_authenticated_user = True


class EquipoiseLogoutView(LogoutView):
    next_page = "login"
