"""Who is acting: passed to every action so the audit event can say who, as what, where and why."""

from __future__ import annotations

import getpass
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


@dataclass(frozen=True)
class Operator:
    """Someone the audit trail names who acts without an account in the system: the operating-system
    user running a command, or the name typed into a failed login."""

    username: str
    role: str = "operator"
    site_code: str = ""
    request_id: str = ""

    @classmethod
    def of_this_process(cls, request_id: str = "cli") -> Operator:
        """The operating-system account running this command."""
        return cls(username=f"os:{getpass.getuser()}", request_id=request_id)
