"""Who is acting: passed to every action so the audit event can say who, as what, where and why."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User


@dataclass(frozen=True)
class Actor:
    user: User
    role: str
    site_code: str = ""
    request_id: str = ""

    @property
    def username(self) -> str:
        return self.user.get_username()
