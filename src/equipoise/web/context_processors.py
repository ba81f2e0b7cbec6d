"""Template context shared by every page: the roles the signed-in user holds, for the navigation."""

from __future__ import annotations

from django.http import HttpRequest

from equipoise.records.access import all_roles


def roles(request: HttpRequest) -> dict[str, frozenset[str]]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_roles": frozenset()}
    return {"my_roles": frozenset(r.value for r in all_roles(user))}
